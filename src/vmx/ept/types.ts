// The values an EPT walk produces: the access it was asked for, the record of every level it
// read (what the UI draws and the CLI prints), and the outcome (a translation, an EPT
// violation, or an EPT misconfiguration). SDM Vol. 3C §29.3.2 "EPT Translation Mechanism",
// §29.3.3 "EPT-Induced VM Exits".

/** A guest-physical access, as the walk needs to know it. */
export interface EptAccess {
  /** Data read (a read-modify-write sets both read and write). */
  readonly read?: boolean;
  /** Data write (including the processor's writes of guest paging A/D flags). */
  readonly write?: boolean;
  /** Instruction fetch. */
  readonly fetch?: boolean;
  /**
   * The access reads or writes a guest paging-structure entry (a guest page walk or its A/D
   * update). With EPTP[6] = 1 such accesses count as writes, for violations and for the EPT
   * dirty flag (§29.3.3.2, §29.3.4).
   */
  readonly guestPaging?: boolean;
  /** A load of the PAE PDPTEs (MOV to CR0/CR3/CR4, VM entry): a read even with EPTP[6] = 1 (§29.3.3.2). */
  readonly pdpteLoad?: boolean;
  /** With mode-based execute control: the linear address is user-mode (U/S = 1 at every guest level). */
  readonly userMode?: boolean;
}

/** Permissions: the AND of each bit over the entries used so far. */
export interface EptPerms {
  readonly read: boolean;
  readonly write: boolean;
  /** Bit 2: execute (supervisor-mode execute with mode-based execute control). */
  readonly execute: boolean;
  /** Bit 10: user-mode execute (meaningful only with mode-based execute control). */
  readonly userExecute: boolean;
}

/** How an entry was used. */
export type EptEntryRole = 'table' | 'leaf' | 'not-present' | 'misconfigured';

/** One level of a walk. */
export interface EptWalkLevel {
  /** 5 = PML5E, 4 = PML4E, 3 = PDPTE, 2 = PDE, 1 = PTE. */
  readonly level: number;
  readonly name: 'EPT PML5E' | 'EPT PML4E' | 'EPT PDPTE' | 'EPT PDE' | 'EPT PTE';
  /** Index into the table (9 bits of the guest-physical address). */
  readonly index: number;
  /** Host-physical address of the entry. */
  readonly entryAddr: number;
  /** The entry as read (before any A/D update). */
  readonly entry: bigint;
  readonly role: EptEntryRole;
  /** The bits that decided the role, in words ("R W X = 101b; bit 7 = 1: maps a 2 MiB page"). */
  readonly decided: string;
  /** Permissions accumulated down to and including this entry. */
  readonly perms: EptPerms;
}

/** Everything a walk read, in order from the root. */
export interface EptWalkRecord {
  readonly eptp: bigint;
  readonly gpa: number;
  readonly levels: readonly EptWalkLevel[];
  /** Whether the walk wrote accessed/dirty flags back to memory. */
  readonly adWritten: boolean;
}

/** A successful translation. */
export interface EptTranslation {
  readonly ok: true;
  readonly hpa: number;
  /** 4096, 2 MiB or 1 GiB. */
  readonly pageSize: number;
  /** EPT memory type of the leaf (bits 5:3): 0 UC, 1 WC, 4 WT, 5 WP, 6 WB. */
  readonly memType: number;
  /** Ignore-PAT bit of the leaf. */
  readonly ipat: boolean;
  readonly perms: EptPerms;
  /** Leaf dirty flag after the walk (true when A/D flags are disabled: nothing to set). */
  readonly dirty: boolean;
  readonly walk: EptWalkRecord;
}

/** An EPT violation (exit reason 48). */
export interface EptViolation {
  readonly ok: false;
  readonly kind: 'violation';
  readonly gpa: number;
  /** Qualification bits 0-2: the access (after the A/D rule for guest paging accesses). */
  readonly access: { readonly read: boolean; readonly write: boolean; readonly fetch: boolean };
  /** Qualification bits 3-6: what the entries allowed (all false when an entry was not present). */
  readonly allowed: EptPerms;
  /** In words, for the Explain panel. */
  readonly reason: string;
  readonly walk: EptWalkRecord;
}

/** An EPT misconfiguration (exit reason 49; no qualification). */
export interface EptMisconfig {
  readonly ok: false;
  readonly kind: 'misconfig';
  readonly gpa: number;
  readonly reason: string;
  readonly walk: EptWalkRecord;
}

export type EptWalkResult = EptTranslation | EptViolation | EptMisconfig;

/** Physical memory as the walk sees it: 8-byte little-endian entries. */
export interface EptMemory {
  readPhys64(addr: number): bigint;
  writePhys64(addr: number, value: bigint): void;
}

/** Options of a walk. */
export interface EptWalkOptions {
  /** IA32_VMX_EPT_VPID_CAP of the processor. */
  readonly caps: bigint;
  /** MAXPHYADDR: entry bits 51:MAXPHYADDR are reserved. */
  readonly maxPhysAddr: number;
  /** "Mode-based execute control for EPT" (secondary control 22): bit 10 becomes user-mode execute. */
  readonly mbec?: boolean;
  /** Read only: do not write accessed/dirty flags (for the UI's "what would a walk give now"). */
  readonly dryRun?: boolean;
}
