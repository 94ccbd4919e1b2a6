// Parser for the profile source dumps in sources/*.txt (our own line format), so a
// test can check each typed profile against the dump it was transcribed from.

import type { CpuidLeaf } from './types.ts';

export interface SourceDump {
  /** MSR values by index (includes 0x3A, feature control, when the dump has it). */
  readonly msrs: Map<number, bigint>;
  /** MSRs the dump does not contain, whose values the profile assumes (marked `assumed`). */
  readonly assumed: number[];
  readonly cpuid: CpuidLeaf[];
}

/** Parses `msr <index> <value> [assumed]` and `cpuid <leaf> <subleaf> <eax> <ebx> <ecx> <edx>` lines; `#` starts a comment. */
export function parseSourceDump(text: string): SourceDump {
  const msrs = new Map<number, bigint>();
  const assumed: number[] = [];
  const cpuid: CpuidLeaf[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [kind, ...rest] = line.split(/\s+/);
    if (kind === 'msr' && (rest.length === 2 || (rest.length === 3 && rest[2] === 'assumed'))) {
      msrs.set(Number(rest[0]), BigInt(rest[1]!));
      if (rest.length === 3) assumed.push(Number(rest[0]));
    } else if (kind === 'cpuid' && rest.length === 6) {
      const [leaf, subleaf, eax, ebx, ecx, edx] = rest.map((x) => Number(x)) as [number, number, number, number, number, number];
      cpuid.push({ leaf, subleaf, eax, ebx, ecx, edx });
    } else {
      throw new Error(`line ${i + 1}: cannot parse "${raw}"`);
    }
  }
  return { msrs, assumed, cpuid };
}
