// The emulator half of the native-CPU tier: runs a sequence's bytes (as NASM assembled them) on
// a lab Machine with the same inputs, and compares every GPR, each defined arithmetic flag and
// the scratch area with what the host CPU produced.

import { PHYS_OFFSET } from '../../arch/lab.ts';
import { BOOT } from '../../machine/boot-layout.ts';
import { Machine } from '../../machine/machine.ts';
import { ARITH_FLAGS } from './flags.ts';
import { SCRATCH_SLOTS, type Sequence } from './gen.ts';
import type { SequenceResult } from './host.ts';

/** Physical address of the scratch area (RSP points at it when the body starts). */
const SCRATCH_PHYS = BOOT.stackTop - 256;
const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const FLAG_NAMES: [number, string][] = [[0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x800, 'OF']];

/** What the emulator did with one body. */
export interface EmulatedRun extends SequenceResult {
  /** 'halted' when the body ran to its final HLT; otherwise what stopped it. */
  readonly stop: string;
  readonly rspStart: bigint;
}

/** Runs `body` followed by HLT on `m` (reused between sequences: `load` resets it). */
export function emulate(m: Machine, body: Uint8Array, seq: Sequence): EmulatedRun {
  const image = new Uint8Array(body.length + 1);
  image.set(body);
  image[body.length] = 0xf4;
  m.load(image);
  const cpu = m.cpu;
  const rsp = PHYS_OFFSET + BigInt(SCRATCH_PHYS);
  for (let i = 0; i < 16; i++) cpu.setGpr64(i, i === 4 ? rsp : seq.regs[i]);
  cpu.rflags = seq.flags | 2;
  for (let k = 0; k < SCRATCH_SLOTS; k++) m.memory.write64(SCRATCH_PHYS + 8 * k, seq.mem[k]);
  const r = m.run({ maxSteps: 10_000 });
  const stopEvent = m.events.find((e) => e.kind === 'stop');
  const stop = r.kind === 'stopped' && r.reason === 'halted' ? 'halted' : stopEvent?.kind === 'stop' ? `${stopEvent.reason}: ${stopEvent.message} (at ${stopEvent.text ?? '?'})` : r.kind;
  return {
    regs: Array.from({ length: 16 }, (_, i) => cpu.getGpr64(i)),
    flags: BigInt(cpu.rflags),
    mem: Array.from({ length: SCRATCH_SLOTS }, (_, k) => m.memory.read64(SCRATCH_PHYS + 8 * k)),
    stop,
    rspStart: rsp,
  };
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** Differences between the host's result and ours, in words; empty when they agree. */
export function compare(seq: Sequence, host: SequenceResult, ours: EmulatedRun): string[] {
  const out: string[] = [];
  if (ours.stop !== 'halted') out.push(`emulator did not reach the final hlt: ${ours.stop}`);
  for (let i = 0; i < 16; i++) {
    if (i === 4) {
      if (ours.regs[4] !== ours.rspStart) out.push(`rsp: ends at ${hex(ours.regs[4])}, started at ${hex(ours.rspStart)}`);
      continue;
    }
    if (host.regs[i] !== ours.regs[i]) out.push(`${REG64[i]}: cpu ${hex(host.regs[i])} ours ${hex(ours.regs[i])}`);
  }
  const defined = ARITH_FLAGS & ~seq.undefinedFlags;
  const diff = Number((host.flags ^ ours.flags) & BigInt(defined));
  for (const [bit, name] of FLAG_NAMES) if (diff & bit) out.push(`${name}: cpu ${Number(host.flags) & bit ? 1 : 0} ours ${Number(ours.flags) & bit ? 1 : 0}`);
  for (let k = 0; k < SCRATCH_SLOTS; k++) {
    if (host.mem[k] !== ours.mem[k]) out.push(`[rsp+${k * 8}]: cpu ${hex(host.mem[k])} ours ${hex(ours.mem[k])}`);
  }
  return out;
}

/** A failing case as the report shows it: the sequence, its inputs, and the differences. */
export function describeCase(seed: number, seq: Sequence, diffs: readonly string[]): string {
  const inputs = seq.regs.map((v, i) => (i === 4 ? null : `${REG64[i]}=${hex(v)}`)).filter(Boolean).join(' ');
  return [
    `seed ${seed}, sequence ${seq.id}:`,
    ...seq.lines.map((l) => `    ${l}`),
    `  inputs: ${inputs} flags=${hex(BigInt(seq.flags))} mem=[${seq.mem.map(hex).join(', ')}]`,
    `  undefined flags at the end: ${hex(BigInt(seq.undefinedFlags))}`,
    ...diffs.map((d) => `  ${d}`),
  ].join('\n');
}
