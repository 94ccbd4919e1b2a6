// The feature matrix of the CPU profiles, computed from their capability MSRs (SDM Vol. 3D
// Appendix A "VMX Capability Reporting Facility"), and its Markdown rendering for
// docs/profiles.md (a test keeps the document in sync).

import { PRIMARY, SECONDARY } from '../controls/index.ts';
import { VMX_BASIC, VMX_EPT_VPID_CAP } from '../vmx-msrs.ts';
import type { Profile } from './types.ts';

/** The VMX features the lab's lessons turn on, as a profile's capability MSRs allow them. */
export interface ProfileFeatures {
  /** IA32_VMX_BASIC[30:0]. */
  readonly revision: number;
  /** IA32_VMX_PROCBASED_CTLS allowed-1 bit 31 (A.3.2): secondary controls exist. */
  readonly secondaryControls: boolean;
  /** IA32_VMX_BASIC[55] (A.1): the TRUE capability MSRs 48DH-490H exist. */
  readonly trueMsrs: boolean;
  /** Secondary control 1 may be 1 (A.3.3). */
  readonly ept: boolean;
  /** IA32_VMX_EPT_VPID_CAP[21] (A.10). */
  readonly eptAccessedDirty: boolean;
  /** IA32_VMX_EPT_VPID_CAP[7] (A.10). */
  readonly ept5Level: boolean;
  /** Secondary control 5. */
  readonly vpid: boolean;
  /** Secondary control 7. */
  readonly unrestrictedGuest: boolean;
  /** Secondary control 14. */
  readonly vmcsShadowing: boolean;
  /** Secondary control 13. */
  readonly vmFunctions: boolean;
}

/** What a profile's capability MSRs allow (absent MSRs allow nothing). */
export function profileFeatures(p: Profile): ProfileFeatures {
  const m = (i: number) => p.msrs[i] ?? 0n;
  const secondaryControls = PRIMARY.has(m(0x482) >> 32n, 'CPU_BASED_ACTIVATE_SECONDARY_CONTROLS');
  const sec = secondaryControls ? m(0x48b) >> 32n : 0n;
  const ept = SECONDARY.has(sec, 'SECONDARY_EXEC_ENABLE_EPT');
  const cap = ept ? m(0x48c) : 0n;
  return {
    revision: Number(VMX_BASIC.get(m(0x480), 'REVISION_ID')),
    secondaryControls,
    trueMsrs: VMX_BASIC.has(m(0x480), 'TRUE_CTLS'),
    ept,
    eptAccessedDirty: VMX_EPT_VPID_CAP.has(cap, 'AD'),
    ept5Level: VMX_EPT_VPID_CAP.has(cap, 'PAGE_WALK_5'),
    vpid: SECONDARY.has(sec, 'SECONDARY_EXEC_ENABLE_VPID'),
    unrestrictedGuest: SECONDARY.has(sec, 'SECONDARY_EXEC_UNRESTRICTED_GUEST'),
    vmcsShadowing: SECONDARY.has(sec, 'SECONDARY_EXEC_SHADOW_VMCS'),
    vmFunctions: SECONDARY.has(sec, 'SECONDARY_EXEC_ENABLE_VMFUNC'),
  };
}

const COLUMNS: readonly [keyof ProfileFeatures, string][] = [
  ['secondaryControls', 'secondary controls'], ['trueMsrs', 'TRUE MSRs'], ['ept', 'EPT'], ['eptAccessedDirty', 'EPT A/D'],
  ['ept5Level', '5-level EPT'], ['vpid', 'VPID'], ['unrestrictedGuest', 'unrestricted guest'], ['vmcsShadowing', 'VMCS shadowing'],
  ['vmFunctions', 'VMFUNC'],
];

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

/** The Markdown tables docs/profiles.md embeds: identity and widths, then the feature matrix. */
export function renderProfileTables(profiles: readonly Profile[]): string {
  const lines = [
    '| id | processor | values | default | VMCS revision | MAXPHYADDR | linear bits | assumed MSRs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...profiles.map((p) => `| \`${p.id}\` | ${p.processor} | ${p.provenance} | ${p.isDefault ? 'yes' : ''} | ${hex(profileFeatures(p).revision)} | ${p.maxPhysAddr} | ${p.linearAddressBits} | ${p.assumedMsrs.map(hex).join(', ') || 'none'} |`),
    '',
    `| id | ${COLUMNS.map(([, t]) => t).join(' | ')} |`,
    `| --- |${COLUMNS.map(() => ' --- |').join('')}`,
    ...profiles.map((p) => {
      const f = profileFeatures(p);
      return `| \`${p.id}\` | ${COLUMNS.map(([k]) => (f[k] ? 'yes' : '-')).join(' | ')} |`;
    }),
  ];
  return lines.join('\n') + '\n';
}
