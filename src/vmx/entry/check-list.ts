// Renders the table of VM-entry checks as Markdown for docs/vmx-checks.md. The document
// is generated from the check table (and a test fails when it drifts), so the list of
// ids, SDM sections and titles is never written twice.

import type { Check } from './check.ts';
import { failureKindOf } from './check.ts';
import { ENTRY_CHECKS } from './checks/index.ts';
import { ENTRY_PREREQUISITES } from './prerequisites.ts';

const AREA_TITLES: Record<Check['area'], string> = {
  'ctrl.exec': 'VM-execution control fields',
  'ctrl.exit': 'VM-exit control fields',
  'ctrl.entry': 'VM-entry control fields (including event injection)',
  'host.regs': 'Host control registers and MSRs',
  'host.segs': 'Host segment and descriptor-table registers',
  'host.addr-space': 'Address-space size',
  'guest.regs': 'Guest control registers, debug registers and MSRs',
  'guest.segs': 'Guest segment registers',
  'guest.dtrs': 'Guest descriptor-table registers',
  'guest.rip-rflags': 'Guest RIP and RFLAGS',
  'guest.non-reg': 'Guest non-register state',
  'guest.pdpte': 'Guest PDPTEs',
  'msr-load': 'VM-entry MSR loading',
};

function consequence(c: Check): string {
  const k = failureKindOf(c.area);
  if (k.kind === 'vmfail') return `VMfailValid(${k.error})`;
  if (k.reason === 34) return 'exit 34, qual. = entry index';
  return `exit 33, qual. ${c.qualification ?? 0}`;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown of docs/vmx-checks.md for `checks` (default: every check, in evaluation order). */
export function renderCheckList(checks: readonly Check[] = ENTRY_CHECKS): string {
  const out: string[] = [
    '# VM-entry checks',
    '',
    '<!-- Generated from src/vmx/entry/checks by src/vmx/entry/check-list.ts; do not edit.',
    '     Regenerate: VMXLAB_UPDATE_DOCS=1 npx vitest run src/vmx/entry/check-list.test.ts -->',
    '',
    `Every check of Intel SDM Vol. 3C chapter 27 "VM Entries" (chapter 26 in the June 2016 edition) that`,
    'the lab implements, in the order it evaluates them. The runner evaluates all of them on every',
    'VMLAUNCH/VMRESUME and explains each failure; the architectural result is the first failure in this',
    'order (MSR-load checks: the lowest failing entry index). The id is what `vmx-lab run --json` reports',
    'as `"check"`. Ordering and other implementation choices: `docs/decisions/0002`-`0006`.',
    '',
    `${checks.length} checks.`,
    '',
    '## Before these checks (SDM §27.1 Basic VM-Entry Checks, in order)',
    '',
    '| # | condition | result |',
    '| --- | --- | --- |',
    ...ENTRY_PREREQUISITES.map((p, i) => `| ${i + 1} | ${p.step} | ${p.outcome} |`),
  ];
  let area: string | undefined;
  let n = 0;
  for (const c of checks) {
    if (c.area !== area) {
      area = c.area;
      out.push('', `## ${AREA_TITLES[c.area]} (SDM §${c.sdm.section} ${c.sdm.title})`, '', '| # | id | rule | fields | on failure |', '| --- | --- | --- | --- | --- |');
    }
    n++;
    out.push(`| ${n} | \`${c.id}\` | ${esc(c.title)} | ${c.fields.map((f) => `\`${f}\``).join(', ')} | ${consequence(c)} |`);
  }
  out.push('');
  return out.join('\n');
}
