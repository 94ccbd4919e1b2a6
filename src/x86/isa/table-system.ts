// Instruction table, system and VMX: flags control, descriptor tables, MSRs, CPUID, I/O,
// caches and TLB, fences, SYSCALL/SYSRET, and the VMX instruction set (SDM Vol. 3C
// Chapter 31 "VMX Instruction Reference"). Rows follow SDM Vol. 2 "Instruction Set
// Reference" unless noted. Notation: see table.ts.

import { row, type FormRow } from './form.ts';

/**
 * LAR/LSL read a selector from any general register; NASM accepts a 16-, 32- or 64-bit
 * source register with every destination size (SDM Vol. 2A §3.2 "LAR": "r32/m16").
 */
function selectorSourceAliases(name: string, op: string): FormRow[] {
  const o = { access: ['w', 'r'] as const, flags: { written: 'Z' }, asmOnly: true };
  return [
    row(`0F ${op} /r`, `${name} r16, r32`, o),
    row(`0F ${op} /r`, `${name} r16, r64`, o),
    row(`0F ${op} /r`, `${name} r32, r16`, o),
    row(`0F ${op} /r`, `${name} r32, r64`, o),
    row(`REX.W 0F ${op} /r`, `${name} r64, r16`, o),
    row(`REX.W 0F ${op} /r`, `${name} r64, r64`, o),
  ];
}

/** RFLAGS written by the VMX instructions' VMsucceed / VMfail outcomes. */
const VMX_FLAGS = { written: 'OSZAPC' } as const;

export const SYSTEM_ROWS: readonly FormRow[] = [
  // NOP, PAUSE, traps and halts: SDM Vol. 2B §4.3 "NOP", "PAUSE"; Vol. 2A §3.2 "INT n/INTO/INT3/INT1", "HLT"; Vol. 2B §4.3 "UD".
  row('90', 'NOP'),
  row('0F 1F /0', 'NOP r/m16', { access: ['n'] }),
  row('0F 1F /0', 'NOP r/m32', { access: ['n'] }),
  row('REX.W 0F 1F /0', 'NOP r/m64', { access: ['n'], asmOnly: true }),
  row('F3 90', 'PAUSE'),
  row('CC', 'INT3'),
  row('CE', 'INTO', { modes: '16/32', flags: { read: 'O' } }),
  row('CD ib', 'INT imm8', { access: ['r'], osz: 'none' }),
  row('F1', 'INT1'),
  row('0F 0B', 'UD2'),
  row('F4', 'HLT'),
  // IRET: SDM Vol. 2A §3.2 "IRET/IRETD/IRETQ".
  row('CF', 'IRETW', { size: 2, flags: { written: '*' } }),
  row('CF', 'IRETD', { size: 4, flags: { written: '*' } }),
  row('REX.W CF', 'IRETQ', { size: 8, flags: { written: '*' } }),

  // Flag control: SDM Vol. 2A §3.2 "CLC", "CLD", "CLI", "CMC", "LAHF"; Vol. 2B §4.3 "SAHF", "STC", "STD", "STI".
  row('F8', 'CLC', { flags: { written: 'C' } }),
  row('F9', 'STC', { flags: { written: 'C' } }),
  row('F5', 'CMC', { flags: { written: 'C', read: 'C' } }),
  row('FC', 'CLD', { flags: { written: 'D' } }),
  row('FD', 'STD', { flags: { written: 'D' } }),
  row('FA', 'CLI', { flags: { written: 'I' } }),
  row('FB', 'STI', { flags: { written: 'I' } }),
  row('9F', 'LAHF', { flags: { read: 'SZAPC' } }),
  row('9E', 'SAHF', { flags: { written: 'SZAPC' } }),

  // Descriptor tables: SDM Vol. 2A §3.2 "LGDT/LIDT", Vol. 2B §4.3 "SGDT", "SIDT", "LLDT", "LTR", "SLDT", "STR", "LAR", "LSL".
  row('0F 01 /0', 'SGDT m16&64', { access: ['w'], osz: 'none', modes: '64' }),
  row('0F 01 /1', 'SIDT m16&64', { access: ['w'], osz: 'none', modes: '64' }),
  row('0F 01 /2', 'LGDT m16&64', { access: ['r'], osz: 'none', modes: '64' }),
  row('0F 01 /3', 'LIDT m16&64', { access: ['r'], osz: 'none', modes: '64' }),
  row('0F 01 /0', 'SGDT m16&32', { access: ['w'], osz: 'none', modes: '16/32' }),
  row('0F 01 /1', 'SIDT m16&32', { access: ['w'], osz: 'none', modes: '16/32' }),
  row('0F 01 /2', 'LGDT m16&32', { access: ['r'], osz: 'none', modes: '16/32' }),
  row('0F 01 /3', 'LIDT m16&32', { access: ['r'], osz: 'none', modes: '16/32' }),
  row('0F 00 /0', 'SLDT m16', { access: ['w'], osz: 'none' }),
  row('0F 00 /0', 'SLDT r16', { access: ['w'] }),
  row('0F 00 /0', 'SLDT r32', { access: ['w'] }),
  row('REX.W 0F 00 /0', 'SLDT r64', { access: ['w'], encode: false }),
  row('0F 00 /0', 'SLDT r64', { id: 'SLDT_r64_norexw', access: ['w'], osz: 'none', asmOnly: true }),
  row('0F 00 /1', 'STR m16', { access: ['w'], osz: 'none' }),
  row('0F 00 /1', 'STR r16', { access: ['w'] }),
  row('0F 00 /1', 'STR r32', { access: ['w'] }),
  row('REX.W 0F 00 /1', 'STR r64', { access: ['w'] }),
  row('0F 00 /2', 'LLDT r/m16', { access: ['r'], osz: 'none' }),
  row('0F 00 /3', 'LTR r/m16', { access: ['r'], osz: 'none' }),
  row('0F 02 /r', 'LAR r16, r16/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  row('0F 02 /r', 'LAR r32, r32/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  row('REX.W 0F 02 /r', 'LAR r64, r32/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  ...selectorSourceAliases('LAR', '02'),
  row('0F 03 /r', 'LSL r16, r16/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  row('0F 03 /r', 'LSL r32, r32/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  row('REX.W 0F 03 /r', 'LSL r64, r32/m16', { access: ['w', 'r'], flags: { written: 'Z' } }),
  ...selectorSourceAliases('LSL', '03'),
  row('0F 06', 'CLTS'),

  // MSRs, CPUID, counters: SDM Vol. 2B §4.3 "RDMSR", "WRMSR", "RDTSC", "RDTSCP", "RDPMC"; Vol. 2A §3.2 "CPUID".
  row('0F 32', 'RDMSR'),
  row('0F 30', 'WRMSR'),
  row('0F A2', 'CPUID'),
  row('0F 31', 'RDTSC'),
  row('0F 01 F9', 'RDTSCP'),
  row('0F 33', 'RDPMC'),
  // Extended control registers: SDM Vol. 2C §6.1 "XGETBV", "XSETBV".
  row('NP 0F 01 D0', 'XGETBV'),
  row('NP 0F 01 D1', 'XSETBV'),

  // I/O ports: SDM Vol. 2A §3.2 "IN", Vol. 2B §4.3 "OUT". The port number is never an operand size.
  row('E4 ib', 'IN AL, imm8', { access: ['w', 'r'] }),
  row('E5 ib', 'IN AX, imm8', { access: ['w', 'r'] }),
  row('E5 ib', 'IN EAX, imm8', { access: ['w', 'r'] }),
  row('EC', 'IN AL, DX', { access: ['w', 'r'] }),
  row('ED', 'IN AX, DX', { access: ['w', 'r'] }),
  row('ED', 'IN EAX, DX', { access: ['w', 'r'] }),
  row('E6 ib', 'OUT imm8, AL', { access: ['r', 'r'] }),
  row('E7 ib', 'OUT imm8, AX', { access: ['r', 'r'] }),
  row('E7 ib', 'OUT imm8, EAX', { access: ['r', 'r'] }),
  row('EE', 'OUT DX, AL', { access: ['r', 'r'] }),
  row('EF', 'OUT DX, AX', { access: ['r', 'r'] }),
  row('EF', 'OUT DX, EAX', { access: ['r', 'r'] }),
  // INS/OUTS: SDM Vol. 2A "INS/INSB/INSW/INSD", Vol. 2B "OUTS/OUTSB/OUTSW/OUTSD". No 64-bit form
  // (REX.W is ignored: the 32-bit row). REP is a prefix, not a row.
  row('6C', 'INSB', { size: 1 }),
  row('6D', 'INSW', { size: 2 }),
  row('6D', 'INSD', { size: 4 }),
  row('6E', 'OUTSB', { size: 1 }),
  row('6F', 'OUTSW', { size: 2 }),
  row('6F', 'OUTSD', { size: 4 }),

  // Caches, TLB, fences: SDM Vol. 2A §3.2 "INVD", "INVLPG", "INVPCID", "LFENCE", "MFENCE"; Vol. 2B §4.3 "SFENCE"; Vol. 2C §6.1 "WBINVD".
  row('0F 08', 'INVD'),
  row('0F 09', 'WBINVD'),
  row('0F 01 /7', 'INVLPG m', { access: ['n'], osz: 'none' }),
  row('66 0F 38 82 /r', 'INVPCID r64, m128', { access: ['r', 'r'], osz: 'd64', encode: false }),
  row('66 REX.W 0F 38 82 /r', 'INVPCID r64, m128', { id: 'INVPCID_r64_m128_rexw', access: ['r', 'r'], asmOnly: true }),
  row('NP 0F AE E8', 'LFENCE'),
  row('NP 0F AE F0', 'MFENCE'),
  row('NP 0F AE F8', 'SFENCE'),
  // MONITOR/MWAIT: SDM Vol. 2B §4.3 "MONITOR", "MWAIT".
  row('0F 01 C8', 'MONITOR'),
  row('0F 01 C9', 'MWAIT'),

  // System calls and mode switches: SDM Vol. 2B §4.3 "SYSCALL", "SYSRET", "SWAPGS"; Vol. 2B §4.3 "RSM"; Vol. 2D §7.x "GETSEC[leaf]".
  row('0F 05', 'SYSCALL', { modes: '64', flags: { read: '*', written: '*' } }),
  row('0F 07', 'SYSRET', { size: 4, flags: { written: '*' } }),
  // NASM has no SYSRETQ mnemonic: it writes `o64 sysret` (the SYSRET row with REX.W).
  row('REX.W 0F 07', 'SYSRETQ', { size: 8, encode: false, flags: { written: '*' } }),
  row('0F 01 F8', 'SWAPGS', { modes: '64' }),
  row('0F AA', 'RSM', { flags: { written: '*' } }),
  row('NP 0F 37', 'GETSEC'),

  // VMX: SDM Vol. 3C §31.3 "VMX Instructions". The memory operands are 64-bit physical
  // addresses or pointers; NASM takes no size keyword on them. Each reports its outcome in
  // RFLAGS (SDM Vol. 3C §31.2 "Conventions": VMsucceed clears CF PF AF ZF SF OF,
  // VMfailInvalid sets CF, VMfailValid sets ZF), hence `VMX_FLAGS`.
  row('F3 0F C7 /6', 'VMXON m64', { flags: VMX_FLAGS, access: ['r'], osz: 'none' }),
  row('66 0F C7 /6', 'VMCLEAR m64', { flags: VMX_FLAGS, access: ['r'], osz: 'none' }),
  row('NP 0F C7 /6', 'VMPTRLD m64', { flags: VMX_FLAGS, access: ['r'], osz: 'none' }),
  row('NP 0F C7 /7', 'VMPTRST m64', { flags: VMX_FLAGS, access: ['w'], osz: 'none' }),
  row('NP 0F 78 /r', 'VMREAD r/m64, r64', { flags: VMX_FLAGS, access: ['w', 'r'], osz: 'd64' }),
  row('NP 0F 79 /r', 'VMWRITE r64, r/m64', { flags: VMX_FLAGS, access: ['r', 'r'], osz: 'd64' }),
  row('NP 0F 78 /r', 'VMREAD r/m32, r32', { flags: VMX_FLAGS, access: ['w', 'r'], modes: '16/32' }),
  row('NP 0F 79 /r', 'VMWRITE r32, r/m32', { flags: VMX_FLAGS, access: ['r', 'r'], modes: '16/32' }),
  row('0F 01 C2', 'VMLAUNCH', { flags: VMX_FLAGS }),
  row('0F 01 C3', 'VMRESUME', { flags: VMX_FLAGS }),
  row('0F 01 C4', 'VMXOFF', { flags: VMX_FLAGS }),
  row('0F 01 C1', 'VMCALL', { flags: VMX_FLAGS }),
  row('NP 0F 01 D4', 'VMFUNC'),
  row('66 0F 38 80 /r', 'INVEPT r64, m128', { flags: VMX_FLAGS, access: ['r', 'r'], osz: 'd64' }),
  row('66 0F 38 81 /r', 'INVVPID r64, m128', { flags: VMX_FLAGS, access: ['r', 'r'], osz: 'd64' }),
  row('66 0F 38 80 /r', 'INVEPT r32, m128', { flags: VMX_FLAGS, access: ['r', 'r'], modes: '16/32' }),
  row('66 0F 38 81 /r', 'INVVPID r32, m128', { flags: VMX_FLAGS, access: ['r', 'r'], modes: '16/32' }),
];
