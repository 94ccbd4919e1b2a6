// Random instruction sequences for the native-CPU tier (issue 2, "Against the processor you are
// running on"): unprivileged arithmetic, logic, shifts, rotates, bit tests, moves, stack, forward
// branches, setcc, cmovcc, flag instructions and guarded mul/div, in NASM syntax. Each sequence
// runs on a 64-byte scratch area at [rsp] (the only memory it touches), keeps RSP balanced, never
// reads RSP as data, and tracks which arithmetic flags are undefined so no instruction consumes one.

import { Rng } from './rng.ts';
import { ARITH_FLAGS, applyEffect, condFlags, shiftClUndef, shiftImmUndef, tableFlags } from './flags.ts';
import { CC_NAMES } from '../../x86/isa/form.ts';

/** GPR names by size, index order (RSP at index 4 is never used). */
const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const HIGH8 = ['ah', 'ch', 'dh', 'bh'];
const USABLE = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const SIZE_KW: Record<number, string> = { 1: 'byte', 2: 'word', 4: 'dword', 8: 'qword' };

/** Number of qword slots in the scratch area. */
export const SCRATCH_SLOTS = 8;

/** One generated test case. */
export interface Sequence {
  /** Index in its batch (labels are made unique with it). */
  readonly id: number;
  /** NASM source lines of the body. */
  readonly lines: readonly string[];
  /** Initial RAX..R15 (RSP ignored). */
  readonly regs: readonly bigint[];
  /** Initial arithmetic flags (a subset of OSZAPC). */
  readonly flags: number;
  /** Initial scratch qwords. */
  readonly mem: readonly bigint[];
  /** Arithmetic flags that are undefined at the end (not compared). */
  readonly undefinedFlags: number;
}

const regName = (i: number, size: number): string => (size === 8 ? R64 : size === 4 ? R32 : size === 2 ? R16 : R8)[i];

class Builder {
  readonly lines: string[] = [];
  /** Undefined arithmetic flags so far. */
  u = 0;
  /** Qwords pushed by the sequence (push/pop balance). */
  depth = 0;
  /** Labels not yet placed: name, instructions left before it, undefined flags on the jump path. */
  pending: { name: string; left: number; u: number }[] = [];
  labels = 0;
  constructor(readonly rng: Rng, readonly id: number) {}

  reg(size: number): string {
    return regName(this.rng.pick(USABLE), size);
  }
  /** A register other than those excluded (by index). */
  regExcept(size: number, ...except: number[]): string {
    return regName(this.rng.pick(USABLE.filter((i) => !except.includes(i))), size);
  }
  mem(size: number): string {
    const slot = this.rng.int(SCRATCH_SLOTS);
    const off = (slot + this.depth) * 8 + (size < 8 ? this.rng.int(9 - size) : 0);
    return `${SIZE_KW[size]} [rsp+${off}]`;
  }
  imm(size: number): string {
    const v = this.rng.u64();
    // 64-bit forms take a sign-extended imm32: write it signed so NASM does not warn.
    if (size === 8) return BigInt.asIntN(32, v).toString();
    return `0x${BigInt.asUintN(size * 8, v).toString(16)}`;
  }
  emit(text: string, e: { written: number; undef: number }): void {
    this.lines.push(text);
    this.u = applyEffect(this.u, e);
  }
  /** Flags effect from the table for `mn`. */
  fx(mn: string) {
    return tableFlags(mn);
  }
  /** A condition code whose flags are all defined, or undefined if none is. */
  cond(): number | undefined {
    const ok = CC_NAMES.map((_, i) => i).filter((cc) => (condFlags(cc) & this.u) === 0);
    return ok.length ? this.rng.pick(ok) : undefined;
  }
  /** Called after each generated group: places labels whose distance ran out. */
  tick(): void {
    for (const p of this.pending) p.left--;
    const due = this.pending.filter((p) => p.left <= 0);
    this.pending = this.pending.filter((p) => p.left > 0);
    for (const p of due) {
      this.lines.push(`.${p.name}:`);
      this.u |= p.u;
    }
  }
  flushLabels(): void {
    for (const p of this.pending) {
      this.lines.push(`.${p.name}:`);
      this.u |= p.u;
    }
    this.pending = [];
  }
}

type Gen = (b: Builder) => boolean;
const SIZES = [1, 2, 4, 8] as const;

/** A register/memory destination and a compatible source for a two-operand ALU form. */
function twoOperands(b: Builder, size: number, immOk: boolean): [string, string] {
  const r = b.rng;
  if (size === 1 && r.chance(0.3)) {
    // Legacy byte registers: AH..BH may pair only with AL..BL.
    const pool = ['al', 'cl', 'dl', 'bl', ...HIGH8];
    return [r.pick(pool), r.pick(pool)];
  }
  switch (r.int(immOk ? 5 : 3)) {
    case 0: return [b.reg(size), b.reg(size)];
    case 1: return [b.reg(size), b.mem(size)];
    case 2: return [b.mem(size), b.reg(size)];
    case 3: return [b.reg(size), b.imm(size)];
    default: return [b.mem(size), b.imm(size)];
  }
}

const alu: Gen = (b) => {
  const mn = b.rng.pick(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'adc', 'sbb', 'test']);
  const fx = b.fx(mn);
  if (fx.read & b.u) return false;
  const size = b.rng.pick(SIZES);
  let [d, s] = twoOperands(b, size, true);
  if (mn === 'test' && s.includes('[')) [d, s] = [s, d];
  if (mn === 'test' && d.startsWith('0x')) return false;
  b.emit(`${mn} ${d}, ${s}`, fx);
  return true;
};

const unary: Gen = (b) => {
  const mn = b.rng.pick(['inc', 'dec', 'neg', 'not']);
  const size = b.rng.pick(SIZES);
  b.emit(`${mn} ${b.rng.chance(0.7) ? b.reg(size) : b.mem(size)}`, b.fx(mn));
  return true;
};

const shift: Gen = (b) => {
  const mn = b.rng.pick(['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'sal']);
  const fx = b.fx(mn === 'sal' ? 'shl' : mn);
  if (mn.startsWith('rc') && b.u & fx.read) return false;
  const size = b.rng.pick(SIZES);
  const dst = b.rng.chance(0.75) ? b.regExcept(size, 1) : b.mem(size);
  const kind = b.rng.int(3);
  if (kind === 0) {
    b.lines.push(`${mn} ${dst}, cl`);
    b.u = shiftClUndef(mn, b.u, size * 8);
  } else {
    const count = kind === 1 ? 1 : b.rng.pick([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, b.rng.int(256)]);
    b.lines.push(`${mn} ${dst}, ${count}`);
    b.u = shiftImmUndef(mn, b.u, count, size * 8);
  }
  return true;
};

const bitTest: Gen = (b) => {
  const mn = b.rng.pick(['bt', 'bts', 'btr', 'btc']);
  const size = b.rng.pick([2, 4, 8]);
  const r = b.rng.int(3);
  if (r === 0) b.emit(`${mn} ${b.reg(size)}, ${b.reg(size)}`, b.fx(mn));
  else if (r === 1) b.emit(`${mn} ${b.reg(size)}, ${b.rng.int(256)}`, b.fx(mn));
  else b.emit(`${mn} ${b.mem(size)}, ${b.rng.int(size * 8)}`, b.fx(mn));
  return true;
};

const bitScan: Gen = (b) => {
  const mn = b.rng.pick(['bsf', 'bsr']);
  const size = b.rng.pick([2, 4, 8]);
  const src = b.reg(size);
  // A zero source leaves the destination undefined (SDM Vol. 2A §3.2 "BSF"): make it non-zero.
  b.emit(`or ${src}, ${1 << b.rng.int(15)}`, b.fx('or'));
  b.emit(`${mn} ${b.reg(size)}, ${src}`, b.fx(mn));
  return true;
};

const move: Gen = (b) => {
  const r = b.rng;
  const none = { written: 0, undef: 0 };
  switch (r.int(7)) {
    case 0: {
      const size = r.pick(SIZES);
      const [d, s] = twoOperands(b, size, true);
      b.emit(`mov ${d}, ${s}`, none);
      return true;
    }
    case 1:
      b.emit(`mov ${b.reg(8)}, 0x${r.u64().toString(16)}`, none);
      return true;
    case 2: {
      const mn = r.pick(['movzx', 'movsx']);
      const ss = r.pick([1, 2]);
      const ds = r.pick(ss === 1 ? [2, 4, 8] : [4, 8]);
      b.emit(`${mn} ${b.reg(ds)}, ${r.chance(0.6) ? b.reg(ss) : b.mem(ss)}`, none);
      return true;
    }
    case 3:
      b.emit(`movsxd ${b.reg(8)}, ${r.chance(0.6) ? b.reg(4) : b.mem(4)}`, none);
      return true;
    case 4: {
      const size = r.pick([4, 8]);
      const scale = r.pick([1, 2, 4, 8]);
      b.emit(`lea ${b.reg(size)}, [${b.reg(8)}+${b.reg(8)}*${scale}+${r.int(4096) - 2048}]`, none);
      return true;
    }
    case 5: {
      const size = r.pick(SIZES);
      b.emit(`xchg ${b.reg(size)}, ${r.chance(0.5) ? b.reg(size) : b.mem(size)}`, none);
      return true;
    }
    default: {
      const mn = r.pick(['cdqe', 'cqo', 'cdq', 'cwde', 'cbw', 'cwd']);
      b.emit(mn, none);
      return true;
    }
  }
};

const condMove: Gen = (b) => {
  const cc = b.cond();
  if (cc === undefined) return false;
  const r = b.rng;
  if (r.chance(0.5)) {
    const size = r.pick([2, 4, 8]);
    b.emit(`cmov${CC_NAMES[cc]} ${b.reg(size)}, ${r.chance(0.6) ? b.reg(size) : b.mem(size)}`, { written: 0, undef: 0 });
  } else {
    b.emit(`set${CC_NAMES[cc]} ${r.chance(0.7) ? b.reg(1) : b.mem(1)}`, { written: 0, undef: 0 });
  }
  return true;
};

const stack: Gen = (b) => {
  if (b.pending.length) return false;
  const r = b.rng;
  const none = { written: 0, undef: 0 };
  if (b.depth > 0 && r.chance(0.5)) {
    b.depth--;
    if (r.chance(0.8)) b.emit(`pop ${b.reg(8)}`, none);
    else {
      // [rsp] is read after RSP is incremented: the slot a pop into memory sees moves by 8.
      b.emit(`pop ${b.mem(8)}`, none);
    }
    return true;
  }
  if (b.depth >= 4) return false;
  if (r.chance(0.15)) {
    // A frame: ENTER-less prologue and LEAVE (RBP holds an RSP value only inside the group).
    b.emit('push rbp', none);
    b.emit('mov rbp, rsp', none);
    b.emit(`push ${b.reg(8)}`, none);
    b.emit('leave', none);
    return true;
  }
  if (r.chance(0.15)) {
    // CALL to a local subroutine and RET (the return address lives below the scratch area).
    const k = `C${b.id}_${b.labels++}`;
    const mn = r.pick(['add', 'sub', 'xor', 'and', 'or', 'cmp']);
    b.lines.push(`call .${k}_f`, `jmp .${k}_a`, `.${k}_f:`);
    b.emit(`${mn} ${b.reg(8)}, ${b.reg(8)}`, b.fx(mn));
    b.lines.push('ret', `.${k}_a:`);
    return true;
  }
  switch (r.int(4)) {
    case 0: b.emit(`push ${b.mem(8)}`, none); break;
    case 1: b.emit(`push ${r.int(65536) - 32768}`, none); break;
    default: b.emit(`push ${b.reg(8)}`, none);
  }
  b.depth++;
  return true;
};

const flagOps: Gen = (b) => {
  if (b.pending.length) return false;
  const r = b.rng;
  switch (r.int(5)) {
    case 0: {
      const mn = r.pick(['clc', 'stc', 'cmc']);
      if (b.fx(mn).read & b.u) return false;
      b.emit(mn, b.fx(mn));
      return true;
    }
    case 1: {
      // PUSHFQ exposes every flag: keep only the defined arithmetic ones (IF differs between user mode and the lab's CPL 0).
      const dst = b.reg(8);
      b.emit('pushfq', { written: 0, undef: 0 });
      b.emit(`pop ${dst}`, { written: 0, undef: 0 });
      b.emit(`and ${dst}, 0x${(ARITH_FLAGS & ~b.u).toString(16)}`, b.fx('and'));
      return true;
    }
    case 2: {
      b.emit(`push ${b.reg(8)}`, { written: 0, undef: 0 });
      b.emit(`and qword [rsp], 0x${ARITH_FLAGS.toString(16)}`, b.fx('and'));
      b.emit('popfq', { written: ARITH_FLAGS, undef: 0 });
      return true;
    }
    case 3: {
      b.emit('lahf', { written: 0, undef: 0 });
      b.emit(`and ah, 0x${(0xd5 & ~b.u).toString(16)}`, b.fx('and'));
      return true;
    }
    default:
      b.emit('sahf', { written: 0xd5, undef: 0 });
      return true;
  }
};

const mul: Gen = (b) => {
  const r = b.rng;
  const size = r.pick(SIZES);
  const src = r.chance(0.7) ? b.reg(size) : b.mem(size);
  switch (r.int(3)) {
    case 0: b.emit(`${r.pick(['mul', 'imul'])} ${src}`, b.fx('mul')); return true;
    case 1: if (size === 1) return false; b.emit(`imul ${b.reg(size)}, ${src}`, b.fx('imul')); return true;
    default: if (size === 1) return false; b.emit(`imul ${b.reg(size)}, ${src}, ${r.int(65536) - 32768}`, b.fx('imul')); return true;
  }
};

/** DIV/IDIV with a divisor and dividend chosen so the quotient fits (no #DE on the host). */
const div: Gen = (b) => {
  const r = b.rng;
  const size = r.pick(SIZES);
  const signed = r.chance(0.5);
  const d = b.regExcept(size, 0, 2, ...(size === 1 ? [4, 5, 6, 7] : []));
  if (signed) {
    b.emit(size === 8 ? 'cqo' : size === 4 ? 'cdq' : size === 2 ? 'cwd' : 'cbw', { written: 0, undef: 0 });
    b.emit(`shr ${d}, 1`, { written: 0, undef: 0 });
    b.u = shiftImmUndef('shr', b.u, 1, size * 8);
    b.emit(`or ${d}, 2`, b.fx('or'));
    b.emit(`idiv ${d}`, b.fx('idiv'));
  } else {
    if (size === 1) b.emit('movzx eax, al', { written: 0, undef: 0 });
    else b.emit(`xor ${regName(2, size === 8 ? 4 : size)}, ${regName(2, size === 8 ? 4 : size)}`, b.fx('xor'));
    b.emit(`or ${d}, 1`, b.fx('or'));
    b.emit(`div ${d}`, b.fx('div'));
  }
  return true;
};

const branch: Gen = (b) => {
  const cc = b.cond();
  const name = `L${b.id}_${b.labels++}`;
  const r = b.rng.int(10);
  // JRCXZ and LOOPcc have only a rel8 form: keep their target one group away (within 127 bytes).
  const short = r <= 2;
  const left = short ? 1 : 1 + b.rng.int(3);
  if (r === 0) b.lines.push(`jrcxz .${name}`);
  else if (r === 1) b.lines.push(`loop .${name}`);
  else if (r === 2 && (b.u & 0x40) === 0) b.lines.push(`${b.rng.pick(['loope', 'loopne'])} .${name}`);
  else if (cc === undefined || r === 3) b.lines.push(`jmp .${name}`);
  else b.lines.push(`j${CC_NAMES[cc]} .${name}`);
  b.pending.push({ name, left, u: b.u });
  return true;
};

/**
 * String instructions on the scratch area: RSI/RDI are pointed into it with LEA, the
 * instruction runs (with REP/REPE/REPNE and either direction), DF is cleared again (the System V
 * ABI wants it clear), CMPS/SCAS flags are captured in RDX (masked to the arithmetic flags), and
 * RSI/RDI are made relative to RSP so host and lab (whose stacks differ) compare equal.
 */
const strings: Gen = (b) => {
  const r = b.rng;
  const size = r.pick([1, 2, 4, 8]);
  const suffix = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' }[size]!;
  const op = r.pick(['movs', 'stos', 'lods', 'cmps', 'scas']);
  const down = r.chance(0.3);
  const n = op === 'lods' ? 1 + r.int(2) : r.int(Math.floor(24 / size) + 1);
  const span = Math.max(n, 1) * size;
  const base = b.depth * 8;
  // Start addresses so [start, start + span) (or its mirror when DF = 1) stays in the scratch area.
  const startIn = (): number => {
    const lo = r.int(SCRATCH_SLOTS * 8 - span + 1);
    return base + (down ? lo + span - size : lo);
  };
  const src = startIn();
  let dst = startIn();
  if (op === 'movs' && !down && dst > src && dst < src + span) dst = src; // no forward overlap
  if (op === 'movs' && down && dst < src && dst > src - span) dst = src;
  b.emit(`lea rsi, [rsp+${src}]`, { written: 0, undef: 0 });
  b.emit(`lea rdi, [rsp+${dst}]`, { written: 0, undef: 0 });
  b.emit(`mov ecx, ${n}`, { written: 0, undef: 0 });
  if (down) b.emit('std', { written: 0, undef: 0 });
  const compares = op === 'cmps' || op === 'scas';
  const prefix = op === 'lods' ? (n > 1 ? 'rep ' : '') : compares ? r.pick(['repe ', 'repne ']) : 'rep ';
  b.lines.push(`${prefix}${op}${suffix}`);
  if (compares && n > 0) b.u = applyEffect(b.u, b.fx('cmp'));
  if (down) b.emit('cld', { written: 0, undef: 0 });
  if (compares) {
    b.emit('pushfq', { written: 0, undef: 0 });
    b.emit('pop rdx', { written: 0, undef: 0 });
    b.emit(`and rdx, 0x${(ARITH_FLAGS & ~b.u).toString(16)}`, b.fx('and'));
  }
  b.emit('sub rsi, rsp', b.fx('sub'));
  b.emit('sub rdi, rsp', b.fx('sub'));
  return true;
};

const GENERATORS: [Gen, number][] = [
  [strings, 2],
  [alu, 8], [unary, 3], [shift, 5], [bitTest, 3], [bitScan, 1], [move, 6], [condMove, 3],
  [stack, 3], [flagOps, 2], [mul, 2], [div, 2], [branch, 2],
];
const TOTAL = GENERATORS.reduce((s, [, w]) => s + w, 0);

function pickGen(rng: Rng): Gen {
  let x = rng.int(TOTAL);
  for (const [g, w] of GENERATORS) {
    if (x < w) return g;
    x -= w;
  }
  return GENERATORS[0][0];
}

/** Generates sequence `id` of a batch from `rng`: `length` instruction groups. */
export function generate(rng: Rng, id: number, length: number): Sequence {
  const b = new Builder(rng, id);
  let groups = 0;
  let attempts = 0;
  while (groups < length && attempts < length * 20) {
    attempts++;
    if (pickGen(rng)(b)) {
      groups++;
      b.tick();
    }
  }
  b.flushLabels();
  while (b.depth > 0) {
    b.lines.push(`pop ${b.reg(8)}`);
    b.depth--;
  }
  const regs = Array.from({ length: 16 }, () => rng.u64());
  const mem = Array.from({ length: SCRATCH_SLOTS }, () => rng.u64());
  return { id, lines: b.lines, regs, flags: rng.u32() & ARITH_FLAGS, mem, undefinedFlags: b.u & ARITH_FLAGS };
}
