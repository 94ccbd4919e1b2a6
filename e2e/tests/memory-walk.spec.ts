// The Memory panel's walks (a page walk and an EPT walk drawn level by level, computed by the
// worker without side effects; each entry links to its bytes in the hex view) and the VMCS
// panel's "Run back to last write of FIELD" (issue 5). Located by role and accessible name only.
import type { Locator } from '@playwright/test';
import { test, expect } from '../fixtures.ts';
import type { LabPage } from '../pages/LabPage.ts';

/** The walk controls of the Memory region. */
class Walks {
  readonly root: Locator;
  constructor(lab: LabPage) {
    this.root = lab.region('Memory');
  }

  async walk(opts: { address?: string; kind?: 'linear' | 'guest-physical'; paging?: 'cpu' | 'vmcs-guest'; access?: 'read' | 'write' | 'execute'; user?: boolean } = {}): Promise<void> {
    await this.root.getByRole('textbox', { name: 'Address to walk' }).fill(opts.address ?? '');
    await this.root.getByRole('combobox', { name: 'Address kind' }).selectOption(opts.kind ?? 'linear');
    if ((opts.kind ?? 'linear') === 'linear') await this.root.getByRole('combobox', { name: 'Paging of' }).selectOption(opts.paging ?? 'cpu');
    await this.root.getByRole('combobox', { name: 'Access' }).selectOption(opts.access ?? 'read');
    await this.root.getByRole('checkbox', { name: 'user mode' }).setChecked(opts.user ?? false);
    await this.root.getByRole('button', { name: 'Walk', exact: true }).click();
  }

  figure(name: string | RegExp): Locator {
    return this.root.getByRole('figure', { name });
  }

  levels(figure: Locator): Locator {
    return figure.getByRole('list').first().locator(':scope > li');
  }
}

/** An 8-byte little-endian entry value as the hex view prints it ("23 10 01 00 00 00 00 00"). */
function leBytes(value: string): string {
  let v = BigInt(value);
  const out: string[] = [];
  for (let i = 0; i < 8; i++, v >>= 8n) out.push((v & 0xffn).toString(16).padStart(2, '0'));
  return out.join(' ');
}

test('a page walk of RIP, level by level; an entry links to its bytes in the hex view', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.step(3);
  const walks = new Walks(lab);
  await walks.walk({ access: 'execute' });
  const fig = walks.figure(/^Page walk of 0xffff8880001/);
  await expect(fig).toContainText('4-level paging');
  await expect(walks.levels(fig)).toHaveCount(3);
  await expect(walks.levels(fig).nth(0)).toContainText('PML4');
  await expect(walks.levels(fig).nth(2)).toContainText('PS = 1: maps a 2 MiB page');
  await expect(walks.levels(fig).nth(2)).toContainText('PS=1');
  await expect(fig).toContainText(/-> 0x1[0-9a-f]+ \(supervisor, read\/write, executable\)/);
  // The PML4 entry's link shows its 8 bytes, marked, in the hex view.
  const pml4 = walks.levels(fig).nth(0);
  const value = (await pml4.getByRole('code').first().textContent()) ?? '';
  const link = pml4.getByRole('button', { name: /^Show the PML4 entry at 0x[0-9a-f]+ in the hex view$/ });
  const at = (await link.textContent()) ?? '';
  await link.click();
  await expect(walks.root.getByRole('combobox', { name: 'Go to address or label' })).toHaveValue(at);
  await expect(walks.root.getByLabel(`Marked bytes at ${at}`)).toHaveText(leBytes(value));
  await lab.region('Memory').screenshot({ path: 'e2e/.artifacts/shots/memory-walk-light.png' });
  await fig.screenshot({ path: 'e2e/.artifacts/shots/memory-page-walk-light.png' });
});

test('an unmapped address: the walk stops at the not-present entry with the #PF error code', async ({ lab }) => {
  await lab.step(3);
  const walks = new Walks(lab);
  await walks.walk({ address: '0x00007f0000000000', access: 'write', user: true });
  const fig = walks.figure('Page walk of 0x7f0000000000');
  await expect(walks.levels(fig).last()).toContainText('P = 0: not present');
  await expect(walks.levels(fig).last().getByTitle(/^This value decided the outcome/)).toHaveText('P=0 ◆');
  await expect(fig).toContainText('#PF: page not present');
  await expect(fig).toContainText('(error code 0x6)');
  await lab.page.getByRole('button', { name: 'High contrast' }).click();
  await fig.screenshot({ path: 'e2e/.artifacts/shots/memory-page-fault-contrast.png' });
  await walks.walk({ address: '0x0000800000000000' });
  await expect(walks.figure('Page walk of 0x800000000000')).toContainText('not canonical');
  await walks.walk({ address: 'rip+4' });
  await expect(walks.root.getByRole('alert')).toContainText('is not an address');
});

test("EPT: the latest violation's walk, the guest-physical walk now, and a guest linear walk through EPT", async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.setTheme(true);
  await lab.open('?editor=plain&lesson=ept');
  await lab.runToPause();
  const walks = new Walks(lab);
  const latest = walks.root.getByRole('region', { name: 'Latest EPT walk' });
  await expect(latest).toContainText('EPT_VIOLATION');
  await expect(latest).toContainText('bit 2 (execute) is clear in an entry used');
  await latest.getByRole('button', { name: 'Walk guest-physical 0x10a000 (execute) now' }).click();
  const ept = walks.figure('EPT walk of 0x10a000');
  await expect(walks.levels(ept)).toHaveCount(4);
  const pte = walks.levels(ept).nth(3);
  await expect(pte).toContainText('EPT PTE');
  for (const bit of ['R=1', 'W=1', 'X=1', 'MT=6 WB']) await expect(pte).toContainText(bit);
  await expect(ept).toContainText('-> host-physical 0x10a000 (4 KiB page, memory type WB)');
  await walks.root.screenshot({ path: 'e2e/.artifacts/shots/memory-ept-walk-dark.png' });
  await ept.screenshot({ path: 'e2e/.artifacts/shots/memory-ept-figure-dark.png' });
  await latest.screenshot({ path: 'e2e/.artifacts/shots/memory-latest-ept-dark.png' });

  // The guest's RIP through the guest's own paging, each table's address through EPT first.
  const rip = await (await lab.vmcsField('GUEST_RIP')).inputValue();
  await walks.walk({ address: rip, paging: 'vmcs-guest', access: 'execute' });
  const page = walks.figure(`Page walk of ${rip}`);
  await expect(walks.root).toContainText('EPT is on (EPTP 0x10405e)');
  await expect(walks.levels(page)).toHaveCount(3);
  await walks.levels(page).nth(0).getByText("EPT walk of this entry's guest-physical address").click();
  await expect(walks.figure("EPT walk of the PML4 entry's address")).toContainText('-> host-physical');
  await expect(walks.figure('EPT walk of the final guest-physical address')).toBeVisible();
  await page.screenshot({ path: 'e2e/.artifacts/shots/memory-guest-walk-dark.png' });

  // Back to just before the violation (the timeline), one Step: the exit's walk drawn level by level.
  await lab.events().filter({ hasText: 'EPT_VIOLATION' }).last().getByRole('button').click();
  await lab.button('Step').click();
  const drawn = latest.getByRole('figure', { name: /^EPT walk of the EPT_VIOLATION at step \d+$/ });
  await expect(walks.levels(drawn)).toHaveCount(4);
  // The bit that decided it is marked, and says so.
  await expect(walks.levels(drawn).nth(3).getByTitle(/^This value decided the outcome/)).toHaveText('X=0 ◆');
  await expect(drawn).toContainText('EPT violation: instruction fetch, but bit 2 (execute) is clear in an entry used');
  await latest.screenshot({ path: 'e2e/.artifacts/shots/memory-latest-ept-drawn-dark.png' });
});

test('Run back to last write of GUEST_RIP: the VM exit, then the VMWRITE, and forward again', async ({ lab }) => {
  await lab.page.setViewportSize({ width: 1600, height: 1000 });
  await lab.button('Run').click();
  await expect(lab.machineState).toContainText('Stopped (halted)');
  const end = await lab.steps();
  await lab.vmcsField('GUEST_RIP');
  const vmcs = lab.region('VMCS');
  const runBack = vmcs.getByRole('button', { name: 'Run back to last write of GUEST_RIP', exact: true });
  const lastWrite = vmcs.getByLabel('Last write of GUEST_RIP', { exact: true });
  await expect(lastWrite).toContainText(/written by the VM exit at step \d+/);
  const exitStep = Number(/step (\d+)/.exec((await lastWrite.textContent()) ?? '')![1]);
  await vmcs.screenshot({ path: 'e2e/.artifacts/shots/vmcs-run-back-light.png' });

  await runBack.click();
  await expect(lab.machineState).toContainText(`step ${exitStep - 1} `);
  await expect(lab.currentLine).toContainText('vmcall');
  // Before that exit, the host's VMWRITE (skipping the first VMCALL) wrote it last.
  await expect(lastWrite).toContainText(/written at line \d+, step \d+/);
  await runBack.click();
  await expect(lab.currentLine).toContainText('vmwrite rax, rbx');
  await lab.button('Step').click();
  await expect(lab.events().last()).toContainText('vmwrite rax, rbx');
  // Forward again: the same VM exit writes it at the same step.
  await lab.button('Run').click();
  await expect(lab.machineState).toContainText(`step ${end} `);
  await expect(lastWrite).toContainText(`written by the VM exit at step ${exitStep}`);
});
