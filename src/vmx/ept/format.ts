// Plain-text rendering of an EPT walk, one line per level, for the CLI's events and the
// Explain panel (the UI draws the same EptWalkRecord graphically). SDM Vol. 3C §29.3.2.

import { formatSdm } from '../../arch/sdm.ts';
import { SDM_EPT_MISCONFIG, SDM_EPT_VIOLATION } from './refs.ts';
import type { EptWalkResult } from './types.ts';

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

/**
 * Renders a walk: a heading with the guest-physical address and the outcome, then each level
 * with its entry address, entry value and the bits that decided it, then the reason and the
 * SDM section for a violation or misconfiguration.
 */
export function formatEptWalk(r: EptWalkResult): string[] {
  const w = r.walk;
  const outcome = r.ok ? `-> ${hex(r.hpa)} (${r.pageSize === 4096 ? '4 KiB' : r.pageSize === 2 ** 21 ? '2 MiB' : '1 GiB'} page)`
    : r.kind === 'violation' ? '-> EPT violation' : '-> EPT misconfiguration';
  const lines = [`EPT walk of guest-physical ${hex(w.gpa)} with EPTP ${hex(w.eptp)} ${outcome}`];
  for (const l of w.levels) {
    lines.push(`  ${l.name.padEnd(9)} [${String(l.index).padStart(3)}] at ${hex(l.entryAddr)} = ${hex(l.entry)}: ${l.decided}`);
  }
  if (!r.ok) lines.push(`  ${r.reason} (${formatSdm(r.kind === 'violation' ? SDM_EPT_VIOLATION : SDM_EPT_MISCONFIG)})`);
  return lines;
}
