// Plain data the worker hands to the UI (STYLE rule 14): everything the panels show, as
// strings, numbers and arrays only, so it crosses postMessage unchanged and the UI never
// holds a core object. 64-bit values are 0x-prefixed hex strings.

/** One assembler diagnostic, 1-based line and column. */
export interface LabDiagnostic {
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** What the learner chose, kept by the UI and sent with every load. */
export interface LabSettings {
  /** CPU profile id (`vmx-lab profiles`). */
  readonly profile: string;
  /** MSR values as firmware or the profile would have them: hex index -> hex value. */
  readonly msrEdits: Readonly<Record<string, string>>;
  /** Source lines with a breakpoint (1-based). */
  readonly breakpoints: readonly number[];
  /**
   * The open lesson's id: the machine is then built as the lesson describes (prepareLessonMachine
   * of src/lessons, the CLI's way), with `msrEdits` on top of the lesson's firmware MSRs.
   */
  readonly lesson?: string;
}

/** One named bit (or bit range) of a register, with its state and meaning. */
export interface BitView {
  readonly name: string;
  readonly bit: number;
  readonly width: number;
  /** Value of the field (0/1 for a flag). */
  readonly value: string;
  readonly doc: string;
  readonly sdmName?: string;
  readonly sdm?: string;
  /** From the VMX fixed-bit MSRs of the profile: `1` must be 1, `0` must be 0 in VMX operation. */
  readonly mustBe?: 0 | 1;
}

/** A register shown as a bit grid. */
export interface RegisterView {
  readonly name: string;
  readonly value: string;
  readonly bits: readonly BitView[];
  readonly sdm?: string;
}

export interface SegmentView {
  readonly name: string;
  readonly selector: string;
  readonly base: string;
  readonly limit: string;
  /** Access rights in the VMX format (SDM Vol. 3C §25.4.1 "Guest Register State"). */
  readonly ar: string;
  readonly arBits: readonly BitView[];
}

/** One decoded line of an MSR in the `vmxcap` vocabulary. */
export interface MsrLine {
  readonly label: string;
  /** `yes` / `no` / `forced` / `default` for controls; a number or yes/no otherwise. */
  readonly value: string;
  readonly doc?: string;
}

export interface MsrView {
  readonly index: string;
  readonly name: string;
  readonly value: string;
  readonly doc: string;
  readonly sdm: string;
  /** Whether WRMSR refuses it (capability MSRs): an edit changes the profile's value. */
  readonly readOnly: boolean;
  /** Whether the learner edited it (profile or firmware value). */
  readonly edited: boolean;
  readonly lines: readonly MsrLine[];
}

export type VmcsGroup = 'guest' | 'host' | 'exec' | 'exit' | 'entry' | 'exit-info';

/** What never changes about a field (sent once, in the catalog). */
export interface VmcsFieldMeta {
  readonly name: string;
  readonly encoding: string;
  readonly width: string;
  readonly sdmName: string;
  readonly group: VmcsGroup;
  readonly doc: string;
  readonly sdm: string;
}

/** A field's value in the current VMCS (in the catalog's field order). */
export interface VmcsFieldView {
  readonly name: string;
  readonly value: string;
  /** Whether the profile supports the field (VMREAD/VMWRITE fail with error 12 otherwise). */
  readonly exists: boolean;
  /** For control fields: bit by bit, with what the capability MSRs allow. */
  readonly controls?: readonly ControlBitView[];
  /** The program's last VMWRITE of the field: its step and source line (no line: a panel edit). */
  readonly written?: FieldWriteView;
}

export interface FieldWriteView {
  readonly step: number;
  readonly line?: number;
  /**
   * Who wrote it: a VMWRITE (the default when absent), the processor at a VM exit, at a VM-entry
   * failure, or as the VM-instruction error of a VMfailValid instruction (src/worker/last-writes.ts).
   */
  readonly by?: 'vmwrite' | 'vm-exit' | 'entry-failure' | 'vmfail';
}

/** What never changes about a VM-entry check (sent once, in the catalog). */
export interface CheckMeta {
  readonly id: string;
  readonly area: string;
  readonly title: string;
  readonly sdm: string;
  /** What the failure does: VMfailValid(7/8) or an entry failure with reason 33/34. */
  readonly consequence: string;
}

/** Static tables the panels label things with. */
export interface LabCatalog {
  readonly vmcsFields: readonly VmcsFieldMeta[];
  readonly checks: readonly CheckMeta[];
}

export interface ControlBitView {
  readonly name: string;
  readonly bit: number;
  readonly set: boolean;
  /** `forced` (must be 1), `no` (must be 0), `yes` (free). */
  readonly allowed: 'forced' | 'no' | 'yes';
  readonly doc: string;
}

export interface VmcsSummaryView {
  readonly addr: string;
  readonly launch: 'clear' | 'launched';
  readonly current: boolean;
  readonly shadow: boolean;
}

export interface VmcsView {
  /** The current-VMCS pointer (0xffffffffffffffff when none). */
  readonly pointer: string;
  readonly vmxon?: string;
  readonly fields: readonly VmcsFieldView[];
  readonly vmcses: readonly VmcsSummaryView[];
}

/** One event of the timeline, in plain words. */
export interface EventView {
  readonly index: number;
  readonly step: number;
  readonly line?: number;
  readonly kind: 'vmx' | 'fault' | 'vmentry' | 'vmexit' | 'stop';
  readonly text: string;
  /** What happened, in plain words. */
  readonly summary: string;
  readonly sdm?: string;
}

/** A failing VM-entry check (its title and SDM section are in the catalog, by id). */
export interface CheckView {
  readonly id: string;
  readonly message: string;
  readonly expected: string;
  readonly values: readonly { readonly name: string; readonly value: string; readonly written?: FieldWriteView }[];
  readonly capability?: string;
  readonly fix?: { readonly field: string; readonly value: string };
}

export interface ExplainView {
  /** `live`: evaluated now on the current VMCS; `none`: no current VMCS. */
  readonly source: 'live' | 'none';
  readonly launch: 'vmlaunch' | 'vmresume';
  readonly decision: string;
  /** The failing checks, in SDM order. */
  readonly failing: readonly CheckView[];
  readonly passed: number;
  readonly notApplicable: number;
}

export interface VmErrorView {
  readonly number: number;
  readonly meaning: string;
  readonly sdm: string;
}

/** Everything the panels show after one command. */
export interface LabSnapshot {
  readonly steps: number;
  readonly mode: 'off' | 'root' | 'non-root';
  readonly stopped: string | null;
  readonly stopMessage?: string;
  readonly line?: number;
  readonly rip: string;
  readonly gprs: readonly { readonly name: string; readonly value: string }[];
  readonly rflags: RegisterView;
  readonly segments: readonly SegmentView[];
  readonly crs: readonly RegisterView[];
  readonly cr2: string;
  readonly cr3: string;
  readonly msrs: readonly MsrView[];
  readonly vmcs: VmcsView;
  readonly events: readonly EventView[];
  readonly explain: ExplainView;
  readonly vmError?: VmErrorView;
  readonly profile: string;
  readonly labels: readonly { readonly name: string; readonly phys: string }[];
  /** Memory regions the machine and the processor know: boot structures, stack, image, VMXON region, VMCSes. */
  readonly regions: readonly { readonly name: string; readonly phys: string }[];
  /** The interrupt controller, timer and interrupt pins (devices-view.ts). */
  readonly devices: DevicesView;
}

/** One input of an 8259A and what it holds now. */
export interface PicInputView {
  readonly irq: number;
  /** The vector the chip answers for this input (ICW2 base + level). */
  readonly vector: number;
  readonly requested: boolean;
  readonly inService: boolean;
  readonly masked: boolean;
}

/** One 8259A of the pair. */
export interface PicChipView {
  readonly name: 'master' | 'slave';
  readonly base: number;
  readonly irr: number;
  readonly isr: number;
  readonly imr: number;
  /** Between ICW1 and the last ICW. */
  readonly initialising: boolean;
  readonly inputs: readonly PicInputView[];
}

/** The machine's interrupt sources (src/machine/devices). */
export interface DevicesView {
  readonly pic: readonly [PicChipView, PicChipView];
  readonly pit: { readonly mode: string; readonly reload: number; readonly counting: boolean; readonly counter?: number };
  /** The processor's INTR pin (the master's INT output). */
  readonly intr: boolean;
  /** An NMI is latched and not yet taken. */
  readonly nmi: boolean;
  /** Inputs raised from outside (the panel, a lesson, the CLI) that reach the devices before the next step. */
  readonly pending: readonly string[];
}

/** The answer to a command that edits state (MOV to CR, WRMSR, VMWRITE). */
export interface EditOutcome {
  readonly ok: boolean;
  /** What happened, in plain words (`VMsucceed`, `VMfailValid(12): ...`, `#GP: ...`). */
  readonly message: string;
  readonly snapshot: LabSnapshot;
}

export interface ProfileInfo {
  readonly id: string;
  readonly name: string;
  readonly processor: string;
  readonly isDefault: boolean;
}

export interface LoadOutcome {
  readonly ok: boolean;
  readonly diagnostics: readonly LabDiagnostic[];
  readonly snapshot: LabSnapshot;
}

export interface RunOutcome {
  /** `stopped` (halt, fault...), `breakpoint`, or `interrupted` by Stop. */
  readonly kind: 'stopped' | 'breakpoint' | 'interrupted';
  readonly snapshot: LabSnapshot;
}

/** A lesson or challenge in the list. */
export interface LessonSummaryView {
  readonly id: string;
  readonly kind: 'lesson' | 'challenge';
  readonly title: string;
  readonly summary: string;
}

/** What the Lesson panel shows of a lesson (its Markdown is rendered sanitised by the page). */
export interface LessonView extends LessonSummaryView {
  readonly text: string;
  readonly hints: readonly string[];
  readonly goals: readonly { readonly label: string; readonly kind: string }[];
  readonly start: string;
  /** The profile the lesson starts on. */
  readonly profile: string;
  readonly profiles: readonly string[];
  /** The lesson's firmware MSRs (hex index -> hex value). */
  readonly msrs: Readonly<Record<string, string>>;
  readonly sdm: readonly string[];
}

/** The verdict of "Check goals" (checkLesson of src/lessons, run from a fresh machine). */
export interface LessonCheckView {
  readonly lessonId: string;
  readonly profile: string;
  readonly assembled: boolean;
  readonly diagnostics: readonly { readonly line: number; readonly col: number; readonly message: string }[];
  readonly goals: readonly { readonly label: string; readonly kind: string; readonly passed: boolean; readonly detail: string }[];
  readonly passed: boolean;
  readonly stop?: string;
  readonly steps: number;
}

/** A shared lab state (src/share LabState), as the page uses it. */
export interface SharedStateView {
  readonly lesson: { readonly id: string; readonly step: number } | null;
  readonly program: string;
  readonly profile: string;
  readonly msrs: Readonly<Record<string, string>>;
  readonly regs: Readonly<Record<string, string>>;
  readonly breakpoints: readonly number[];
  readonly editor: { readonly fontSize?: number; readonly wordWrap?: boolean };
}

/** A decoded link or file: the state, or src/share's message. */
export type SharedStateResult =
  | {
    readonly ok: true;
    readonly state: SharedStateView;
    readonly migratedFrom?: number;
    /** The lesson the link carried (an instructor's; plain JSON), registered in the worker: `state.lesson.id` is its `authored:` key. */
    readonly lesson?: unknown;
  }
  | { readonly ok: false; readonly message: string };

/** An encoded state: the `#s=` fragment, whether it fits a link, and the file text otherwise. */
export interface EncodedStateView {
  readonly ok: boolean;
  readonly fragment: string;
  readonly fits: boolean;
  /** The state file (always given, for "Download"). */
  readonly file: string;
  readonly message?: string;
}

/** A walk the Memory panel asks for (`LabApi.walk`): computed from memory, with no side effects. */
export interface WalkRequest {
  /** `linear`: the paging walk (then EPT for each entry when EPT is in use); `guest-physical`: the EPT walk alone. */
  readonly kind: 'linear' | 'guest-physical';
  /** The address as the learner typed it: hex (0x optional, or an h suffix), or decimal after `#`. */
  readonly address: string;
  /** Whose paging: the processor as it is now, or the guest state of the current VMCS. */
  readonly context: 'cpu' | 'vmcs-guest';
  readonly access: 'read' | 'write' | 'execute';
  /** A user-mode (CPL 3) access. */
  readonly user: boolean;
}

/** One bit (or field) of an entry that took part in the decision. */
export interface WalkBitView {
  readonly name: string;
  readonly value: string;
  readonly doc: string;
  /** This bit's value is what decided the outcome (P = 0, PS = 1, U/S = 0 for a user access, X = 0 for a fetch, ...). */
  readonly decisive?: boolean;
}

/** One level of an EPT walk. */
export interface EptLevelView {
  /** `EPT PML4E`, `EPT PDPTE`, ... */
  readonly name: string;
  readonly index: number;
  /** Host-physical address of the entry. */
  readonly entryAddr: string;
  readonly entry: string;
  readonly role: 'table' | 'leaf' | 'not-present' | 'misconfigured';
  /** R, W, X, (UX), memory type and IPAT for a leaf, A, D, PS. */
  readonly bits: readonly WalkBitView[];
  /** The bits that decided the level, in words. */
  readonly decided: string;
}

/** An EPT walk (SDM Vol. 3C §29.3.2), read only. */
export interface EptWalkView {
  readonly gpa: string;
  readonly eptp: string;
  readonly levels: readonly EptLevelView[];
  readonly outcome: 'translated' | 'violation' | 'misconfiguration' | 'unusable';
  readonly hpa?: string;
  readonly pageSize?: string;
  readonly memoryType?: string;
  /** The outcome in words (a violation's or misconfiguration's reason). */
  readonly summary: string;
  readonly sdm: string;
}

/** One level of a paging walk. */
export interface PageLevelView {
  /** `PML5`, `PML4`, `PDPT`, `PD`, `PT`, `PDPTE` (PAE register). */
  readonly name: string;
  readonly index: number;
  /** Physical (guest-physical under EPT) address of the entry. */
  readonly entryAddr: string;
  /** Where the entry really is when EPT translated its address. */
  readonly hostAddr?: string;
  readonly entry: string;
  readonly role: 'table' | 'leaf' | 'not-present' | 'reserved' | 'unreachable';
  /** P, R/W, U/S, PS, A, D, XD (and G for a leaf). */
  readonly bits: readonly WalkBitView[];
  readonly decided: string;
  /** The EPT walk of the entry's guest-physical address (when EPT is in use). */
  readonly ept?: EptWalkView;
}

/** A paging walk of a linear address (SDM Vol. 3A ch. 4), read only: no A/D flag is written. */
export interface PageWalkView {
  readonly linear: string;
  /** `4-level`, `5-level`, `PAE`, `32-bit`, `off` (no paging). */
  readonly paging: string;
  /** Where CR0/CR3/CR4/EFER came from, in words. */
  readonly regs: string;
  readonly cr3: string;
  readonly levels: readonly PageLevelView[];
  readonly outcome: 'translated' | 'page-fault' | 'general-protection' | 'ept';
  /** Physical address (guest-physical under EPT). */
  readonly physical?: string;
  readonly pageSize?: string;
  /** #PF error code for a page fault. */
  readonly errorCode?: string;
  readonly summary: string;
  readonly sdm: string;
  /** The EPT walk of the final guest-physical address (when EPT is in use). */
  readonly ept?: EptWalkView;
}

/** The answer to `LabApi.walk`. */
export interface WalkView {
  readonly ok: boolean;
  /** Why no walk could be made (a bad address, no current VMCS, ...). */
  readonly message?: string;
  readonly page?: PageWalkView;
  /** For a guest-physical request. */
  readonly ept?: EptWalkView;
  /** The notes that framed the walk (EPT off in the controls, ...). */
  readonly notes: readonly string[];
}

/** The EPT walk recorded with the latest EPT violation or misconfiguration VM exit. */
/** What the Memory panel watches, read right after a Step (`LabApi.stepWatching`). */
export interface WatchRequest {
  /** A window of physical memory (at most 4 KiB is read). */
  readonly memory?: { readonly phys: number; readonly length: number };
  /** The EPT walk of the latest EPT violation or misconfiguration exit. */
  readonly latestEpt?: boolean;
}

/** A Step's answer with what was watched: a key is present when it was asked for and could be read. */
export interface SteppedWatching {
  /** False when a step back could not go that far (a Step forward is always true). */
  readonly ok: boolean;
  readonly snapshot: LabSnapshot;
  readonly memory?: Uint8Array;
  readonly latestEpt?: { readonly view: LatestEptWalkView | undefined };
}

export interface LatestEptWalkView {
  readonly step: number;
  readonly line?: number;
  readonly reason: string;
  readonly gpa?: string;
  /** The access that caused it (exit qualification bits 2:0; a misconfiguration records none: read). */
  readonly access: 'read' | 'write' | 'execute';
  /** The walk as the exit recorded it, one line per level (src/vmx/ept/format.ts). */
  readonly lines: readonly string[];
  /** The same walk (address, EPTP, access) made again now, read only. */
  readonly now?: EptWalkView;
  /** Whether `now` reads exactly what the exit's walk read (memory unchanged under it since). */
  readonly same?: boolean;
}
