// Which cached guest-physical mappings no longer match the EPT in memory: what seed 003 warns
// about, made visible. Each cached mapping is compared with a dry-run walk (no A/D writes) of
// the same guest-physical page. SDM Vol. 3C §29.4.3.4 "Guidelines for Use of the INVEPT Instruction".

import type { GuestPhysicalMapping, EptTranslationCache } from './tlb.ts';
import type { EptMemory, EptWalkOptions } from './types.ts';
import { ep4ta, eptWalk } from './walk.ts';

/** A cached mapping that differs from what the EPT in memory now says. */
export interface StaleMapping {
  readonly mapping: GuestPhysicalMapping;
  /** What a walk gives now: a host-physical page, or why there is none. */
  readonly now: { readonly hpaPage: number; readonly perms: GuestPhysicalMapping['perms'] } | { readonly problem: string };
  /** In words, for the Explain panel. */
  readonly explain: string;
}

/**
 * The cached guest-physical mappings of `eptp`'s EP4TA that a fresh walk would not give: a
 * different host page, a lost permission, or no translation at all. Gained permissions are not
 * stale (the lab re-walks when a cached mapping refuses an access: decision 0030).
 */
export function staleMappings(cache: EptTranslationCache, eptp: bigint, mem: EptMemory, opts: Omit<EptWalkOptions, 'dryRun'>): StaleMapping[] {
  const tag = ep4ta(eptp);
  const out: StaleMapping[] = [];
  for (const m of cache.guestPhysicalMappings()) {
    if (m.ep4ta !== tag) continue;
    const gpa = m.gpaPage * 4096;
    const r = eptWalk(eptp, gpa, {}, mem, { ...opts, dryRun: true });
    const at = `guest-physical 0x${gpa.toString(16)}`;
    if (!r.ok) {
      out.push({ mapping: m, now: { problem: r.reason }, explain: `${at} is cached -> 0x${(m.hpaPage * 4096).toString(16)}, but the EPT now gives an EPT ${r.kind}: ${r.reason}; INVEPT removes the cached mapping` });
      continue;
    }
    const hpaPage = Math.floor(r.hpa / 4096);
    const lost = (['read', 'write', 'execute', 'userExecute'] as const).filter((k) => m.perms[k] && !r.perms[k]);
    if (hpaPage === m.hpaPage && lost.length === 0) continue;
    const what = hpaPage !== m.hpaPage
      ? `the EPT now maps it to 0x${(hpaPage * 4096).toString(16)}`
      : `the EPT no longer allows ${lost.join(', ')}`;
    out.push({ mapping: m, now: { hpaPage, perms: r.perms }, explain: `${at} is cached -> 0x${(m.hpaPage * 4096).toString(16)}, but ${what}; the guest keeps the cached mapping until INVEPT` });
  }
  return out;
}
