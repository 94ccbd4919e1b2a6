// The model plugs the EPT controller (src/vmx/ept) in: VM entry establishes the EPT context, a
// guest-physical access the EPT does not map becomes an EPT-violation VM exit (reason 48) with
// the guest-physical address field (SDM Vol. 3C §29.3.3 "EPT-Induced VM Exits", §28.2.1), and
// after the exit addresses are physical again.
import { describe, expect, it } from 'vitest';
import { VmExitUnwind } from '../../x86/env.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { allows, fieldOf, launchedRig } from '../testing/exits.ts';

const EPT_TABLES = 0x5_0000n;
/** EPTP: write-back (6), 4-level walk (length - 1 = 3 in bits 5:3). */
const EPTP = EPT_TABLES | 6n | (3n << 3n);

describe.each(TEST_PROFILES.filter((p) => allows(p, 'secondary', 'SECONDARY_EXEC_ENABLE_EPT')).map((p) => [p.id, p] as const))('EPT through the model on %s', (_id, p) => {
  it('an access the (empty) EPT does not map exits with reason 48 and the guest-physical address; root operation is physical', () => {
    const rig = launchedRig(p, (f) => {
      f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | (1n << 31n));
      f.set('SECONDARY_VM_EXEC_CONTROL', 1n << 1n);
      f.set('EPT_POINTER', EPTP);
    });
    const translate = rig.model.hooks.translateGuestPhysical!;
    let thrown: unknown;
    try {
      translate(rig.cpu, 0x1234, { read: true });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(VmExitUnwind);
    expect(rig.model.mode()).toBe('root');
    expect([fieldOf(rig, 'VM_EXIT_REASON'), fieldOf(rig, 'GUEST_PHYSICAL_ADDRESS'), fieldOf(rig, 'EXIT_QUALIFICATION') & 0x3fn]).toEqual([48n, 0x1234n, 0x1n]);
    expect(translate(rig.cpu, 0x1234, { read: true })).toBe(0x1234);
  });
});
