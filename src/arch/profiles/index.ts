// The registry of CPU profiles, in the order the picker shows them (oldest first).
// Exactly one is the default (DESIGN.md section 5: a recent processor).

import { arrowLake } from './arrow-lake.ts';
import { core2Conroe } from './core2-conroe.ts';
import { ivyBridge } from './ivy-bridge.ts';
import { sapphireRapids } from './sapphire-rapids.ts';
import { skylakeClient } from './skylake-client.ts';
import { westmereArrandale } from './westmere-arrandale.ts';
import type { Profile } from './types.ts';

export type { CpuidLeaf, Profile } from './types.ts';
export { profileCpuid, profileMsr } from './types.ts';

/** Every profile, oldest processor first (by launch: Sapphire Rapids, January 2023, before Arrow Lake). */
export const PROFILES: readonly Profile[] = [core2Conroe, westmereArrandale, ivyBridge, skylakeClient, sapphireRapids, arrowLake];

/** The profile a fresh machine uses. */
export function defaultProfile(): Profile {
  return PROFILES.find((p) => p.isDefault) ?? PROFILES[PROFILES.length - 1]!;
}

/** A profile by id, or undefined. */
export function findProfile(id: string): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}
