// The processor: state + environment + TLB + decode cache, and `step()` (fetch, decode,
// VMX interception, execute, advance RIP). An instruction either completes, or throws an
// X86Fault before changing RIP (SDM Vol. 3A §6.5 "Exception Classifications": faults are
// restartable), which the machine catches (STYLE rule 9).

import { ARB, C0, C4, EF, F } from './archbits.ts';
import { decode } from './decode.ts';
import { checkV8086 } from './v8086.ts';
import { NO_VMX_MODEL_MESSAGE, type CpuHandle, type X86Env } from './env.ts';
import { X86Fault, Vector, gp } from './fault.ts';
import type { DecodedInstruction } from './isa/decoded.ts';
import { prepareOperand, type Handler, type Prepared } from './operand.ts';
import { ACC_EXEC, ACC_READ, ACC_WRITE, Tlb, a20, translate, type AccessKind, type EptTranslate } from './paging.ts';
import { SegIndex, CpuState } from './state.ts';
import { FORM_HANDLERS, HANDLERS } from './exec/handlers.ts';
import { ioPermissionDenied } from './exec/io.ts';
import { specialize } from './exec/fast.ts';
import { segLinear } from './access.ts';
import { acceptExternal } from './external.ts';

import { STEP_HALTED, STEP_OK, type StepResult } from './step.ts';

export { STEP_HALTED, STEP_OK, type StepResult };

const TWO32 = 4294967296;
/** DR6.BS, single-step (SDM Vol. 3B §18.2.3 "Debug Status Register (DR6)"). */
const DR6_BS = 1n << 14n;
const DECODE_CACHE_LIMIT = 65536;
/** The fetch path's decode array while no fetch page is verified (shared; never written to). */
const NO_DECODES: (Prepared | undefined)[] = [];

/** One logical processor. */
export class Cpu implements CpuHandle {
  readonly state: CpuState;
  readonly env: X86Env;
  readonly tlb = new Tlb();
  /** Code size of the current mode: 64 (64-bit mode), 32 or 16 (CS.D), recomputed by `refreshMode`. */
  mode: 16 | 32 | 64 = 64;
  /** Linear-address width for canonical checks: 48, or 57 with CR4.LA57. */
  linearBits = 48;
  /** High half of the last 64-bit value read by `readLin`/`readPa`/operand reads. */
  hi = 0;
  /** RIP after the executing instruction; branches overwrite it. */
  next = 0;
  /** Set by a handler to end the step with something other than 'ok'. */
  stop: StepResult | null = null;
  /** The instruction being executed (for handlers that need its prefixes or id). */
  current: Prepared | null = null;

  // Physical pages that hold cached decodes (self-modifying code invalidates them).
  private readonly codePages = new Set<number>();
  // Decode cache: per mode (64, 32, 16), physical page number -> per-offset array of prepared
  // instructions (each also checked against the RIP it was decoded at). Keyed by where the bytes
  // are, so it stays valid across CR3 loads, TLB flushes and VM entries/exits, which change only
  // which linear page maps where: the fetch path translates again on every page change. Only
  // instructions that lie within one page are cached.
  private readonly dcache: Map<number, (Prepared | undefined)[]>[] = [new Map(), new Map(), new Map()];
  // Linear page whose fetch permission was last verified (NaN if none), its base and its
  // decode-cache array: the fast path of every step.
  private fetchPage = Number.NaN;
  private fetchBase = 0;
  private fetchArr: (Prepared | undefined)[] = NO_DECODES;
  // Scratch for resolved memory accesses: physical address of the first part, of the part in
  // the next page (-1 when the access stays in one page), and bytes in the first page.
  pa0 = 0;
  pa1 = -1;
  split = 0;
  private cachedCount = 0;
  // One-entry data TLBs for the last page read and written (NaN when invalid), valid for the
  // RFLAGS.AC value they were filled under; dropped with the fetch page on any mode, CPL,
  // paging or A20 change.
  private readPage = Number.NaN;
  private readBase = 0;
  private writePage = Number.NaN;
  private writeBase = 0;
  private cacheAc = 0;

  constructor(env: X86Env, state = new CpuState()) {
    this.env = env;
    this.state = state;
    // The walker's A/D-flag writes are the processor's writes too: decodes of that page go (decision 0074).
    this.tlb.onEntryWrite = (pa) => {
      if (this.codePages.size !== 0 && this.codePages.has(Math.floor(pa / 4096))) this.flushDecodeCache();
    };
    this.refreshMode();
  }

  /** CPL 3? */
  get user(): boolean {
    return this.state.cpl === 3;
  }

  /**
   * Recomputes the mode after CS, CR0, CR4 or EFER changed (also what the VMX layer calls after
   * loading guest or host state). SDM Vol. 3A §2.2 "Modes of Operation", §5.2.1 "Code-Segment
   * Descriptor in 64-bit Mode".
   */
  refreshMode(): void {
    this.computeMode();
    this.updateEpt();
    this.invalidateFetch();
  }

  private computeMode(): void {
    const s = this.state;
    const ar = s.segAr[SegIndex.CS];
    if ((s.efer & EF.LMA) !== 0 && (ar & ARB.L) !== 0) this.mode = 64;
    else if ((s.cr0 & C0.PE) !== 0 && (ar & ARB.DB) !== 0) this.mode = 32;
    else this.mode = 16;
    this.linearBits = (s.cr4 & C4.LA57) !== 0 && (s.efer & EF.LMA) !== 0 ? 57 : 48;
  }

  /**
   * EPT: in VMX non-root operation with the VMX layer's `translateGuestPhysical` hook, every
   * guest-physical address (final translations, guest paging-structure accesses, PDPTE loads)
   * goes through it. Recomputed at every mode refresh (VM entries and exits call `stateChanged`).
   */
  ept: EptTranslate | null = null;

  // The last hook wrapped (and its wrapper): a VM entry under EPT reuses the wrapper instead of a new closure.
  private eptHookVmx: unknown = null;
  private eptHook: unknown = null;
  private eptWrapped: EptTranslate | null = null;

  private updateEpt(): void {
    const vmx = this.env.vmx;
    const hook = vmx?.translateGuestPhysical;
    if (!vmx || hook === undefined || vmx.inNonRoot?.() !== true) {
      this.ept = null;
      return;
    }
    if (this.eptWrapped === null || hook !== this.eptHook || vmx !== this.eptHookVmx) {
      this.eptHook = hook;
      this.eptHookVmx = vmx;
      this.eptWrapped = (gpa, access) => hook.call(vmx, this, gpa, access);
    }
    this.ept = this.eptWrapped;
  }

  /**
   * Drops every cached translation (and the verified fetch page). The decode cache, keyed by
   * physical address, stays: memory writes through the processor invalidate it.
   */
  flushTlb(): void {
    this.tlb.flush();
    this.updateEpt();
    this.invalidateFetch();
  }

  /** Drops every cached decode. */
  ioPermitted(port: number, size: number): boolean {
    return ioPermissionDenied(this, port, size) === null;
  }

  flushDecodeCache(): void {
    for (const m of this.dcache) m.clear();
    this.codePages.clear();
    this.cachedCount = 0;
    this.invalidateFetch();
  }

  private invalidateFetch(): void {
    this.fetchPage = Number.NaN;
    this.fetchBase = Number.NaN;
    // Never written through while fetchPage is NaN (decodeAt stores only on a verified page).
    this.fetchArr = NO_DECODES;
    this.readPage = Number.NaN;
    this.writePage = Number.NaN;
  }

  /** Times the state was replaced (VM entry or exit, snapshot restore): a step that saw one ends without a single-step trap. */
  private stateReplacements = 0;

  /** Mode and translations may be stale (after a snapshot restore or a VM entry/exit); decodes of unchanged memory are not. */
  stateChanged(): void {
    this.stateReplacements++;
    // refreshMode then flushTlb, with the EPT hook and the fetch page refreshed once.
    this.computeMode();
    this.tlb.flush();
    this.updateEpt();
    this.invalidateFetch();
  }

  // ---- stepping -------------------------------------------------------------------------

  /** Executes one instruction. Throws X86Fault when it faults (RIP still at the instruction). */
  step(): StepResult {
    const s = this.state;
    // External events at the instruction boundary (NMI, INTR): src/x86/external.ts.
    if (this.env.platform.interrupts?.attention === true && acceptExternal(this, this.env.platform.interrupts)) return STEP_OK;
    if (s.activity !== 'active') {
      return s.activity === 'halted' ? STEP_HALTED : { kind: 'shutdown', message: 'processor is in the shutdown state' };
    }
    const p = this.fetchPrepared();
    const vmx = this.env.vmx;
    if (vmx !== null && vmx.intercept !== undefined && vmx.inNonRoot !== undefined && vmx.inNonRoot() && vmx.intercept(this, p.insn)) {
      s.icount++;
      return STEP_OK;
    }
    return this.run(p);
  }

  /** Executes an already decoded instruction at the current RIP (tests, and VMX hooks that re-dispatch). */
  execute(insn: DecodedInstruction): StepResult {
    return this.run(prepare(insn));
  }

  private run(p: Prepared): StepResult {
    const s = this.state;
    this.stop = null;
    this.current = p;
    const n = s.rip + p.length;
    this.next = this.mode === 64 ? n : this.mode === 32 ? n % TWO32 : n % 65536;
    const singleStep = (s.rflags & F.TF) !== 0;
    const replacementsBefore = this.stateReplacements;
    const shadowBefore = s.shadowUntil;
    // In virtual-8086 mode with CR4.VME the virtual-interrupt forms run inside checkV8086 (vme.ts).
    if ((s.rflags & F.VM) === 0 || !checkV8086(this, p)) p.exec(this, p);
    s.rip = this.next;
    // RF is cleared when an instruction completes, except by the IRET that loaded it (SDM Vol. 3A
    // §18.3.1.1 "Instruction-Breakpoint Exception Condition"; Vol. 1 §3.4.3.3 "System Flags and IOPL Field").
    if ((s.rflags & F.RF) !== 0 && !p.insn.mnemonic.startsWith('iret')) s.rflags = (s.rflags & ~F.RF) >>> 0;
    // A 'stop' means the instruction did not retire (a VMX instruction with no VT-x model).
    const stop = this.stop as StepResult | null;
    if (stop === null || stop.kind !== 'stop') s.icount++;
    // An STI shadow ends once the instruction after the STI has retired (see `shadowUntil`).
    if (shadowBefore === s.icount && s.shadowUntil === shadowBefore) s.shadowUntil = -1;
    // An instruction that ended in a VM transition (a VM exit it caused, or a VM entry) has no
    // single-step trap in the context it left: the state it set TF in is gone (SDM Vol. 3C §26.1.1
    // "Relative Priority of Faults and VM Exits": an instruction that causes a VM exit does not
    // execute; §27.6.3 for VM entry: pending debug exceptions come from the guest-state area).
    if (singleStep && this.stop === null && this.stateReplacements === replacementsBefore) {
      // TF set before the instruction: a single-step #DB trap after it (SDM Vol. 3B §18.3.1.4
      // "Single-Step Exception Condition"), with DR6.BS set.
      s.dr[6] = s.dr[6]! | DR6_BS;
      throw new X86Fault(Vector.DB, undefined, 'single-step trap (RFLAGS.TF = 1)', 'trap', s.rip);
    }
    return this.stop ?? STEP_OK;
  }

  private fetchPrepared(): Prepared {
    const s = this.state;
    const rip = s.rip;
    let lin: number;
    if (this.mode === 64) {
      if (!this.isCanonical(rip)) throw gp(`RIP ${hex(rip)} is not canonical`);
      if (rip >= 2 ** 53 || rip < -(2 ** 53)) throw gp('RIP lies beyond 2^53, which the lab\'s processor cannot represent');
      lin = rip;
    } else {
      lin = segLinear(this, SegIndex.CS, rip, 1, ACC_EXEC);
    }
    const off = lin - this.fetchBase;
    if (off >= 0 && off < 4096) {
      const hit = this.fetchArr[off];
      if (hit !== undefined && hit.at === rip) return hit;
    } else {
      const lp = Math.floor(lin / 4096);
      const pp = Math.floor(translate(s, this.env, this.tlb, lin, ACC_EXEC, this.user, false, this.ept) / 4096);
      const pages = this.dcache[this.mode === 64 ? 0 : this.mode === 32 ? 1 : 2]!;
      let arr = pages.get(pp);
      if (arr === undefined) {
        // One slot per byte of the page, allocated whole: an empty array written at a large
        // index becomes a dictionary (every later hit a hash lookup), a holey one stays fast.
        arr = new Array<Prepared | undefined>(4096);
        pages.set(pp, arr);
      }
      this.fetchPage = lp;
      this.fetchBase = lp * 4096;
      this.fetchArr = arr;
      const hit = arr[lin - this.fetchBase];
      if (hit !== undefined && hit.at === rip) return hit;
    }
    return this.decodeAt(lin);
  }

  private decodeAt(lin: number): Prepared {
    const s = this.state;
    let lastPage = Number.NaN;
    let lastPa = 0;
    let crossed = false;
    const firstPage = Math.floor(lin / 4096);
    const fetch = (i: number): number => {
      const a = lin + i;
      const pg = Math.floor(a / 4096);
      if (pg !== lastPage) {
        lastPa = translate(s, this.env, this.tlb, pg * 4096, ACC_EXEC, this.user, false, this.ept);
        lastPage = pg;
        if (pg !== firstPage) crossed = true;
      }
      return this.env.memory.read8(lastPa + (a - pg * 4096));
    };
    const r = decode(fetch, this.mode, BigInt.asUintN(64, BigInt(this.state.rip)));
    if (!r.ok) {
      if (r.reason === 'too-long') throw gp('instruction longer than 15 bytes');
      throw new X86Fault(6, undefined, `invalid opcode: ${r.message}`);
    }
    const p = prepare(r.insn, this.state.rip);
    if (!crossed && this.fetchPage === firstPage) {
      if (++this.cachedCount >= DECODE_CACHE_LIMIT) this.flushDecodeCache();
      else {
        this.fetchArr[lin - this.fetchBase] = p;
        this.codePages.add(Math.floor(translate(s, this.env, this.tlb, lin, ACC_EXEC, this.user, false, this.ept) / 4096));
      }
    }
    return p;
  }

  // ---- linear and physical memory ---------------------------------------------------------

  /** Whether a linear address (signed number) is canonical for the current paging mode. */
  isCanonical(lin: number): boolean {
    const half = this.linearBits === 57 ? 72057594037927936 : 140737488355328;
    return lin >= -half && lin < half;
  }

  /**
   * Translates [lin, lin+size) for `acc` and leaves the result in pa0/pa1/split. Both pages
   * are translated before anything is accessed, so a fault leaves memory untouched.
   */
  resolve(lin: number, size: number, acc: AccessKind, implicitSupervisor = false): void {
    const s = this.state;
    const lp = Math.floor(lin / 4096);
    const off = lin - lp * 4096;
    const ac = s.rflags & F.AC;
    // Fast path: the last page read or written, checked under the same CPL, WP and RFLAGS.AC.
    if (off + size <= 4096 && !implicitSupervisor && ac === this.cacheAc) {
      if (acc === ACC_READ && lp === this.readPage) {
        this.pa0 = this.readBase + off;
        this.pa1 = -1;
        this.split = size;
        if (ac !== 0) this.alignmentCheck(off, size);
        return;
      }
      if (acc === ACC_WRITE && lp === this.writePage) {
        this.pa0 = this.writeBase + off;
        this.pa1 = -1;
        this.split = size;
        if (ac !== 0) this.alignmentCheck(off, size);
        return;
      }
    }
    const user = implicitSupervisor ? false : this.user;
    this.pa0 = translate(s, this.env, this.tlb, lin, acc, user, implicitSupervisor, this.ept);
    if (off + size <= 4096) {
      this.pa1 = -1;
      this.split = size;
      if (!implicitSupervisor && acc !== ACC_EXEC) {
        this.cacheAc = ac;
        if (acc === ACC_READ) {
          this.readPage = lp;
          this.readBase = this.pa0 - off;
        } else {
          this.writePage = lp;
          this.writeBase = this.pa0 - off;
        }
      }
    } else {
      this.split = 4096 - off;
      this.pa1 = translate(s, this.env, this.tlb, lin + this.split, acc, user, implicitSupervisor, this.ept);
    }
    if (user && ac !== 0) this.alignmentCheck(off, size);
  }

  /**
   * Alignment check: CPL 3 data accesses with CR0.AM and RFLAGS.AC (SDM Vol. 3A §6.15
   * "Interrupt 17—Alignment Check Exception"); it ranks below #PF (§6.9, Table 6-2).
   */
  private alignmentCheck(off: number, size: number): void {
    const s = this.state;
    if ((off & (size - 1)) !== 0 && (s.cr0 & C0.AM) !== 0 && (s.rflags & F.AC) !== 0 && s.cpl === 3) {
      throw new X86Fault(Vector.AC, 0, `unaligned ${size}-byte access at CPL 3 with CR0.AM and RFLAGS.AC set`);
    }
  }

  /** Reads the resolved location (`resolve` first). Returns bits 31:0; bits 63:32 in `hi`. */
  readResolved(size: number): number {
    const mem = this.env.memory;
    if (this.pa1 < 0) {
      const pa = this.pa0;
      switch (size) {
        case 1: return mem.read8(pa);
        case 2: return mem.read16(pa);
        case 4: return mem.read32(pa);
        default:
          this.hi = mem.read32(pa + 4);
          return mem.read32(pa);
      }
    }
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < size; i++) {
      const b = mem.read8(i < this.split ? this.pa0 + i : this.pa1 + (i - this.split));
      if (i < 4) lo |= b << (8 * i);
      else hi |= b << (8 * (i - 4));
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Writes the resolved location (`resolve` first with ACC_WRITE). */
  writeResolved(size: number, lo: number, hi: number): void {
    const mem = this.env.memory;
    if (this.pa1 < 0) {
      const pa = this.pa0;
      switch (size) {
        case 1: mem.write8(pa, lo & 0xff); break;
        case 2: mem.write16(pa, lo & 0xffff); break;
        case 4: mem.write32(pa, lo >>> 0); break;
        default:
          mem.write32(pa, lo >>> 0);
          mem.write32(pa + 4, hi >>> 0);
      }
      if (this.codePages.size !== 0 && this.codePages.has(Math.floor(pa / 4096))) this.flushDecodeCache();
      return;
    }
    for (let i = 0; i < size; i++) {
      const b = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
      mem.write8(i < this.split ? this.pa0 + i : this.pa1 + (i - this.split), b);
    }
    if (this.codePages.size !== 0 && (this.codePages.has(Math.floor(this.pa0 / 4096)) || this.codePages.has(Math.floor(this.pa1 / 4096)))) {
      this.flushDecodeCache();
    }
  }

  /** Reads `size` bytes at a linear address. Bits 63:32 of an 8-byte read land in `hi`. */
  readLin(lin: number, size: number, implicitSupervisor = false): number {
    this.resolve(lin, size, ACC_READ, implicitSupervisor);
    return this.readResolved(size);
  }

  /** Writes `size` bytes at a linear address. */
  writeLin(lin: number, size: number, lo: number, hi: number, implicitSupervisor = false): void {
    this.resolve(lin, size, ACC_WRITE, implicitSupervisor);
    this.writeResolved(size, lo, hi);
  }

  // ---- CpuHandle ------------------------------------------------------------------------

  readMem(seg: number, offset: number, size: 1 | 2 | 4 | 8): bigint {
    const lin = segLinear(this, seg, offset, size, ACC_READ);
    const lo = this.readLin(lin, size);
    return size === 8 ? (BigInt(this.hi) << 32n) | BigInt(lo) : BigInt(lo);
  }

  writeMem(seg: number, offset: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    const lin = segLinear(this, seg, offset, size, ACC_WRITE);
    const v = BigInt.asUintN(64, value);
    this.writeLin(lin, size, Number(v & 0xffffffffn), Number(v >> 32n));
  }

  readPhys(addr: number, size: 1 | 2 | 4 | 8): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.env.memory.read8(a20(this.env, addr + i)));
    return v;
  }

  writePhys(addr: number, size: 1 | 2 | 4 | 8, value: bigint): void {
    let v = BigInt.asUintN(64, value);
    for (let i = 0; i < size; i++) {
      this.env.memory.write8(a20(this.env, addr + i), Number(v & 0xffn));
      v >>= 8n;
    }
    if (this.codePages.has(Math.floor(addr / 4096)) || this.codePages.has(Math.floor((addr + size - 1) / 4096))) this.flushDecodeCache();
  }
}

/** Prepares a decoded instruction (decoded at RIP `at`): operands as numbers, handler chosen by form id (far JMP/CALL), else by mnemonic. */
export function prepare(insn: DecodedInstruction, at = Number.NaN): Prepared {
  const ops = insn.operands.map(prepareOperand);
  const generic: Handler = FORM_HANDLERS.get(insn.id) ?? HANDLERS.get(insn.mnemonic) ?? (VMX_MNEMONICS.has(insn.mnemonic) ? executeVmx : notImplemented);
  const p: Prepared = { insn, ops, opSize: insn.opSize, length: insn.length, cond: insn.cond ?? -1, exec: generic, at };
  const fast = specialize(p);
  return fast === undefined ? p : { ...p, exec: fast };
}

const VMX_MNEMONICS = new Set(['vmxon', 'vmxoff', 'vmclear', 'vmptrld', 'vmptrst', 'vmread', 'vmwrite', 'vmlaunch', 'vmresume', 'vmcall', 'vmfunc', 'invept', 'invvpid']);

/** A VMX instruction (chosen when it is prepared, not looked up at each execution): the VT-x model executes it. */
function executeVmx(cpu: Cpu, p: Prepared): void {
  const vmx = cpu.env.vmx;
  if (vmx === null) {
    cpu.stop = { kind: 'stop', message: NO_VMX_MODEL_MESSAGE };
    cpu.next = cpu.state.rip;
    return;
  }
  const r = vmx.execute(cpu, p.insn);
  if (r) cpu.stop = r;
}

function notImplemented(cpu: Cpu, p: Prepared): void {
  throw new X86Fault(6, undefined, `${p.insn.mnemonic} is decoded but not executed by the lab's processor`);
}

function hex(n: number): string {
  return `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;
}

