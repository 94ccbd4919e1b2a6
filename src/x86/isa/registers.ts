// Register identities shared by the instruction table, decoder, encoder, assembler
// and executor. A register is a small integer: its kind times 32 plus its index,
// so the hot paths compare numbers, never strings.

/** Register kinds. GPR8H are the legacy high-byte registers AH, CH, DH, BH. */
export const RegKind = {
  GPR64: 0,
  GPR32: 1,
  GPR16: 2,
  GPR8: 3,
  GPR8H: 4,
  SEG: 5,
  CR: 6,
  DR: 7,
  RIP: 8,
} as const;
export type RegKind = (typeof RegKind)[keyof typeof RegKind];

/** A register: `kind * 32 + index`. */
export type Reg = number;

export const makeReg = (kind: RegKind, index: number): Reg => kind * 32 + index;
export const regKind = (r: Reg): RegKind => (r >> 5) as RegKind;
export const regIndex = (r: Reg): number => r & 31;

/** Size in bytes of a general register kind (0 for non-GPR kinds). */
export function regSize(r: Reg): 0 | 1 | 2 | 4 | 8 {
  switch (regKind(r)) {
    case RegKind.GPR64: return 8;
    case RegKind.GPR32: return 4;
    case RegKind.GPR16: return 2;
    case RegKind.GPR8:
    case RegKind.GPR8H: return 1;
    case RegKind.SEG: return 2;
    default: return 0;
  }
}

const GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const GPR8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const GPR8H = ['ah', 'ch', 'dh', 'bh'];
/** Segment registers in their encoding order (Sreg field of ModRM). */
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

const NAMES: [RegKind, readonly string[]][] = [
  [RegKind.GPR64, GPR64],
  [RegKind.GPR32, GPR32],
  [RegKind.GPR16, GPR16],
  [RegKind.GPR8, GPR8],
  [RegKind.GPR8H, GPR8H],
  [RegKind.SEG, SEG_NAMES],
  [RegKind.CR, Array.from({ length: 16 }, (_, i) => `cr${i}`)],
  [RegKind.DR, Array.from({ length: 16 }, (_, i) => `dr${i}`)],
  [RegKind.RIP, ['rip']],
];

const byName = new Map<string, Reg>();
const nameOf = new Map<Reg, string>();
for (const [kind, names] of NAMES) {
  names.forEach((n, i) => {
    byName.set(n, makeReg(kind, i));
    nameOf.set(makeReg(kind, i), n);
  });
}

/** Register by its NASM name (lower case), or undefined. */
export const regByName = (name: string): Reg | undefined => byName.get(name.toLowerCase());
/** NASM name of a register. */
export const regName = (r: Reg): string => nameOf.get(r) ?? `reg${r}`;
/** Every register name the assembler knows. */
export const ALL_REG_NAMES: readonly string[] = [...byName.keys()];

export const RAX = makeReg(RegKind.GPR64, 0);
export const RSP = makeReg(RegKind.GPR64, 4);
export const RBP = makeReg(RegKind.GPR64, 5);
export const RIP = makeReg(RegKind.RIP, 0);
export const SEG = { ES: makeReg(RegKind.SEG, 0), CS: makeReg(RegKind.SEG, 1), SS: makeReg(RegKind.SEG, 2), DS: makeReg(RegKind.SEG, 3), FS: makeReg(RegKind.SEG, 4), GS: makeReg(RegKind.SEG, 5) } as const;
