// The host half of the native-CPU tier: turns a batch of sequences into one NASM object (each
// sequence wrapped as a System V function that loads its inputs, runs, and stores every GPR,
// RFLAGS and the scratch area) plus a tiny C driver, builds them with nasm and gcc, runs the
// program once, and parses one result line per sequence. Also assembles the bare bodies with
// `nasm -f bin` so the emulator runs exactly the bytes the host ran.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, arch, platform } from 'node:os';
import { join } from 'node:path';
import { SCRATCH_SLOTS, type Sequence } from './gen.ts';

/** What a sequence left behind: RAX..R15 (RSP as the host saw it), RFLAGS, scratch qwords. */
export interface SequenceResult {
  readonly regs: readonly bigint[];
  readonly flags: bigint;
  readonly mem: readonly bigint[];
}

/** Number of qwords in each half (input / output) of the io block: 16 GPRs, RFLAGS, scratch. */
const IO_QWORDS = 16 + 1 + SCRATCH_SLOTS;
const OUT = IO_QWORDS * 8;
const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** Why the tier cannot run here, or undefined when it can (x86-64 Linux with nasm and gcc). */
export function nativeUnavailable(): string | undefined {
  if (arch() !== 'x64') return `host is ${arch()}, not x86-64`;
  if (platform() !== 'linux') return `host OS is ${platform()}; the driver uses the System V ABI on Linux`;
  for (const tool of ['nasm', 'gcc']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

function wrapper(s: Sequence): string[] {
  const scratch = SCRATCH_SLOTS * 8;
  const out: string[] = [`seq_${s.id}:`];
  for (const r of ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15', 'rdi']) out.push(`  push ${r}`);
  out.push(`  sub rsp, ${scratch}`);
  for (let k = 0; k < SCRATCH_SLOTS; k++) out.push(`  mov rax, [rdi+${(17 + k) * 8}]`, `  mov [rsp+${k * 8}], rax`);
  out.push('  push qword [rdi+128]', '  popfq');
  for (let i = 0; i < 16; i++) if (i !== 4 && i !== 7) out.push(`  mov ${REG64[i]}, [rdi+${i * 8}]`);
  out.push('  mov rdi, [rdi+56]');
  out.push(...s.lines.map((l) => (l.endsWith(':') ? l : `  ${l}`)));
  out.push('  push rax', '  pushfq', `  mov rax, [rsp+${16 + scratch}]`, `  pop qword [rax+${OUT + 128}]`, `  pop qword [rax+${OUT}]`);
  for (let i = 1; i < 16; i++) out.push(`  mov [rax+${OUT + i * 8}], ${REG64[i]}`);
  for (let k = 0; k < SCRATCH_SLOTS; k++) out.push(`  mov rcx, [rsp+${k * 8}]`, `  mov [rax+${OUT + (17 + k) * 8}], rcx`);
  out.push(`  add rsp, ${scratch}`);
  for (const r of ['rdi', 'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx']) out.push(`  pop ${r}`);
  out.push('  ret');
  return out;
}

const hexq = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** NASM source (elf64) of the whole batch. */
export function nativeSource(batch: readonly Sequence[]): string {
  const lines = ['bits 64', 'section .note.GNU-stack noalloc noexec nowrite progbits', 'section .text', 'global seq_table', 'global seq_count', 'global seq_inputs'];
  for (const s of batch) lines.push(...wrapper(s));
  lines.push('section .data', 'align 8', `seq_count: dq ${batch.length}`, 'seq_table:');
  for (const s of batch) lines.push(`  dq seq_${s.id}`);
  lines.push('seq_inputs:');
  for (const s of batch) lines.push(`  dq ${[...s.regs, BigInt(s.flags | 2), ...s.mem].map(hexq).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The C driver: runs every sequence and prints its io output block as hex qwords. */
export const DRIVER_C = `#include <stdint.h>
#include <stdio.h>
#include <string.h>
#define N ${IO_QWORDS}
typedef struct { uint64_t in[N]; uint64_t out[N]; } io_t;
extern void (*seq_table[])(io_t *);
extern uint64_t seq_count;
extern uint64_t seq_inputs[];
int main(void) {
  io_t io;
  for (uint64_t i = 0; i < seq_count; i++) {
    memcpy(io.in, &seq_inputs[i * N], sizeof io.in);
    memset(io.out, 0, sizeof io.out);
    seq_table[i](&io);
    for (int j = 0; j < N; j++) printf("%llx%c", (unsigned long long)io.out[j], j == N - 1 ? '\\n' : ' ');
  }
  return 0;
}
`;

/** Flat-binary source of the bare bodies, preceded by a table of (start, end) offsets. */
export function bodiesSource(batch: readonly Sequence[]): string {
  const lines = ['bits 64', `dd ${batch.length}`];
  for (const s of batch) lines.push(`dd body_${s.id} - $$, body_${s.id}_end - $$`);
  for (const s of batch) {
    lines.push(`body_${s.id}:`);
    lines.push(...s.lines.map((l) => (l.endsWith(':') ? l : `  ${l}`)));
    lines.push(`body_${s.id}_end:`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the batch on the host CPU and assembles the bodies; returns results and body bytes. */
export function runOnHost(batch: readonly Sequence[]): { results: SequenceResult[]; bodies: Uint8Array[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vmxlab-native-'));
  try {
    writeFileSync(join(dir, 'seq.asm'), nativeSource(batch));
    writeFileSync(join(dir, 'driver.c'), DRIVER_C);
    writeFileSync(join(dir, 'bodies.asm'), bodiesSource(batch));
    const quiet = { stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[] };
    execFileSync('nasm', ['-f', 'elf64', '-w-all', '-o', join(dir, 'seq.o'), join(dir, 'seq.asm')], quiet);
    execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', join(dir, 'bodies.bin'), join(dir, 'bodies.asm')], quiet);
    execFileSync('gcc', ['-O1', '-no-pie', '-o', join(dir, 'run'), join(dir, 'driver.c'), join(dir, 'seq.o')], quiet);
    const text = execFileSync(join(dir, 'run'), { encoding: 'utf8', maxBuffer: 1 << 28 });
    const results = text.trim().split('\n').map((line) => {
      const q = line.split(' ').map((h) => BigInt(`0x${h}`));
      return { regs: q.slice(0, 16), flags: q[16], mem: q.slice(17, 17 + SCRATCH_SLOTS) };
    });
    if (results.length !== batch.length) throw new Error(`host run printed ${results.length} results for ${batch.length} sequences`);
    const bin = readFileSync(join(dir, 'bodies.bin'));
    const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
    const bodies = batch.map((_, i) => {
      const start = view.getUint32(4 + i * 8, true);
      const end = view.getUint32(8 + i * 8, true);
      return new Uint8Array(bin.subarray(start, end));
    });
    return { results, bodies };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
