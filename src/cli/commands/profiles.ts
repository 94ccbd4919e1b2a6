// `vmx-lab profiles [--json]`: the CPU profiles (name, processor, source, default).

import { PROFILES } from '../../arch/profiles/index.ts';
import type { CliIo } from '../io.ts';

/** Lists the profiles; always exit code 0. */
export function runProfiles(c: { readonly json: boolean }, io: CliIo): number {
  if (c.json) {
    const rows = PROFILES.map((p) => ({ id: p.id, name: p.name, processor: p.processor, source: p.source, provenance: p.provenance, default: p.isDefault }));
    io.stdout(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const width = Math.max(...PROFILES.map((p) => p.id.length));
  for (const p of PROFILES) {
    io.stdout(`${p.id.padEnd(width)}  ${p.name}${p.isDefault ? ' (default)' : ''}: ${p.processor}\n${' '.repeat(width)}  source: ${p.source}\n`);
  }
  return 0;
}
