import { describe, it, expect } from 'vitest';
import { PROFILES, defaultProfile } from '../arch/profiles/index.ts';
import { machineProfile, resolveProfile, DEFAULT_MEMORY_SIZE } from './profile.ts';

describe('machine profiles', () => {
  it('resolves the default profile when none is named, and refuses an unknown id', () => {
    expect(resolveProfile().id).toBe(defaultProfile().id);
    expect(() => resolveProfile('pentium-pro')).toThrow(/unknown profile 'pentium-pro'/);
  });

  it.each(PROFILES.map((p) => [p.id, p] as const))('%s: CPU config follows the profile', (_id, p) => {
    const mp = machineProfile(p);
    expect(mp.cpu.maxPhysAddr).toBe(p.maxPhysAddr);
    expect(mp.cpu.features.vmx).toBe(true);
    expect(mp.cpu.features.pae).toBe(true);
    expect(mp.cpu.features.nx).toBe(true);
    expect(mp.featureControl).toBe(p.featureControl);
    expect(mp.memorySize).toBe(DEFAULT_MEMORY_SIZE);
    for (const [k, v] of Object.entries(p.msrs)) expect(mp.cpu.readOnlyMsrs.get(Number(k))).toBe(v);
  });

  it('gives each machine its own copy of the capability MSRs', () => {
    const a = resolveProfile();
    const b = resolveProfile();
    a.cpu.readOnlyMsrs.set(0x480, 0n);
    expect(b.cpu.readOnlyMsrs.get(0x480)).not.toBe(0n);
  });
});
