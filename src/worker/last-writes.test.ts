// "Run back to last write of FIELD" in the worker: each field's `written` names the latest
// write, by the program's VMWRITE or by the processor (VM exit, VM-entry failure, VMfailValid),
// and stays right as the learner travels back write by write and runs forward again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLabApi, type LabApi, type LabSnapshot } from './api.ts';
import { fieldByName } from '../arch/vmcs/fields.ts';
import { ENTRY_FAILURE_WRITES, EXIT_WRITES, EXIT_WRITES_IF, VMFAIL_WRITES } from './last-writes.ts';

const BRINGUP = readFileSync(new URL('../ui/programs/bringup.asm', import.meta.url), 'utf8');
const lines = BRINGUP.split('\n');
/** 1-based line of the first source line matching `re` after line `after`. */
const lineOf = (re: RegExp, after = 0): number => lines.findIndex((l, i) => i >= after && re.test(l)) + 1;

const written = (s: LabSnapshot, field: string) => s.vmcs.fields.find((f) => f.name === field)?.written;
/** What the run-back action does: back to just before the writing instruction. */
function runBack(api: LabApi, field: string): LabSnapshot {
  const w = written(api.snapshot(), field);
  if (!w) throw new Error(`${field} has no known write`);
  const r = api.jumpTo(w.step - 1);
  expect(r.ok).toBe(true);
  return r.snapshot;
}

async function ranToHalt(): Promise<{ api: LabApi; s: LabSnapshot }> {
  const api = createLabApi();
  api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [] });
  const s = (await api.run()).snapshot;
  expect(s.stopped).toBe('halted');
  return { api, s };
}

describe('the SDM lists of processor writes', () => {
  it('name real VMCS fields', () => {
    for (const n of [...EXIT_WRITES, ...EXIT_WRITES_IF.flatMap((c) => c.fields), ...ENTRY_FAILURE_WRITES, ...VMFAIL_WRITES]) expect(fieldByName(n), n).toBeDefined();
  });
});

describe('last writes of VMCS fields', () => {
  const vmcall1 = lineOf(/^\s*vmcall/, lineOf(/^guest_code:/));
  const vmcall2 = lineOf(/^\s*vmcall/, vmcall1);
  const resumeWrite = lineOf(/^\s*vmwrite rax, rbx/, lineOf(/skip the VMCALL/));
  const vmwLine = lineOf(/^\s*vmwrite rax, rbx/, lineOf(/^vmw:/));

  it('after the second VM exit: guest state and exit information were written by that exit', async () => {
    const { s } = await ranToHalt();
    const exits = s.events.filter((e) => e.kind === 'vmexit');
    expect(exits).toHaveLength(2);
    const last = exits[1]!;
    // A VM exit's event carries its step only (src/machine/event-log.ts): no line.
    for (const f of ['GUEST_RIP', 'GUEST_RSP', 'GUEST_CS_SELECTOR', 'VM_EXIT_REASON', 'EXIT_QUALIFICATION', 'VM_EXIT_INSTRUCTION_LEN']) {
      expect(written(s, f), f).toEqual({ step: last.step, by: 'vm-exit' });
    }
    // Host state is only ever written by the program.
    expect(written(s, 'HOST_RIP')).toMatchObject({ line: vmwLine });
    expect(written(s, 'HOST_RIP')?.by).toBeUndefined();
    // Written by no one: the guest-physical address of a VMCALL exit.
    expect(written(s, 'GUEST_PHYSICAL_ADDRESS')).toBeUndefined();
  });

  it('runs back write by write: exit 2, the handler\'s VMWRITE, exit 1, the setup VMWRITE; then forward again', async () => {
    const { api, s: end } = await ranToHalt();
    const exits = end.events.filter((e) => e.kind === 'vmexit');
    let s = runBack(api, 'GUEST_RIP');
    expect(s.steps).toBe(exits[1]!.step - 1);
    expect(s.line).toBe(vmcall2);
    expect(written(s, 'GUEST_RIP')).toMatchObject({ line: resumeWrite });
    expect(written(s, 'GUEST_RIP')?.by).toBeUndefined();
    s = runBack(api, 'GUEST_RIP');
    expect(s.line).toBe(resumeWrite);
    expect(written(s, 'GUEST_RIP')).toEqual({ step: exits[0]!.step, by: 'vm-exit' });
    s = runBack(api, 'GUEST_RIP');
    expect(s.line).toBe(vmcall1);
    expect(s.mode).toBe('non-root');
    expect(written(s, 'GUEST_RIP')).toMatchObject({ line: vmwLine });
    s = runBack(api, 'GUEST_RIP');
    expect(s.line).toBe(vmwLine);
    expect(s.vmcs.fields.find((f) => f.name === 'GUEST_RIP')?.value).toBe('0x0');
    // Forward again: the same writes come back, at the same steps.
    const again = (await api.run()).snapshot;
    expect(again.steps).toBe(end.steps);
    expect(written(again, 'GUEST_RIP')).toEqual(written(end, 'GUEST_RIP'));
    expect(written(again, 'EXIT_QUALIFICATION')).toEqual(written(end, 'EXIT_QUALIFICATION'));
  });

  it('GUEST_IA32_EFER is the VM exit\'s only when "save IA32_EFER" is 1 (SDM Vol. 3C §28.3.1)', async () => {
    for (const save of [false, true]) {
      const api = createLabApi();
      api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [lineOf(/^\s*vmlaunch/)] });
      const at = (await api.run()).snapshot;
      const ctl = at.vmcs.fields.find((f) => f.name === 'VM_EXIT_CONTROLS')!;
      const bit = 1n << BigInt(ctl.controls!.find((c) => c.name === 'VM_EXIT_SAVE_IA32_EFER')!.bit);
      const value = save ? BigInt(ctl.value) | bit : BigInt(ctl.value) & ~bit;
      expect(api.vmwrite('VM_EXIT_CONTROLS', `0x${value.toString(16)}`).ok).toBe(true);
      const end = (await api.run()).snapshot;
      expect(end.stopped).toBe('halted');
      const exitStep = end.events.filter((e) => e.kind === 'vmexit').at(-1)!.step;
      expect(written(end, 'GUEST_IA32_EFER')?.step === exitStep, `save = ${save}`).toBe(save);
    }
  });

  it('VMfailValid writes the VM-instruction error field', async () => {
    const api = createLabApi();
    api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [lineOf(/^\s*vmlaunch/)] });
    const s = (await api.run()).snapshot;
    expect(written(s, 'VM_INSTRUCTION_ERROR')).toBeUndefined();
    const o = api.vmwrite('LAST_PID_POINTER_INDEX', '0x1');
    expect(o.ok).toBe(false);
    expect(o.message).toMatch(/VMfailValid\(12\)/);
    const w = written(o.snapshot, 'VM_INSTRUCTION_ERROR');
    expect(w?.by).toBe('vmfail');
    expect(w!.step).toBeGreaterThan(s.steps);
    expect(w!.line).toBeUndefined();
  });

  it('a VM-entry failure writes the exit reason but not the guest state', async () => {
    const api = createLabApi();
    const launch = lineOf(/^\s*vmlaunch/);
    api.load(BRINGUP, { profile: 'skylake-client', msrEdits: {}, breakpoints: [launch] });
    expect((await api.run()).kind).toBe('breakpoint');
    // RFLAGS bit 1 is reserved as 1: the guest-state checks fail after VMLAUNCH's VMfail checks (SDM Vol. 3C §27.3.1.4).
    expect(api.vmwrite('GUEST_RFLAGS', '0x0').ok).toBe(true);
    const before = written(api.snapshot(), 'GUEST_RFLAGS');
    const s = api.step();
    const failure = s.events.at(-1)!;
    expect(failure.kind).toBe('vmexit');
    expect(written(s, 'VM_EXIT_REASON')).toEqual({ step: failure.step, by: 'entry-failure' });
    expect(s.line).not.toBe(launch);
    expect(api.jumpTo(failure.step - 1).snapshot.line).toBe(launch);
    expect(written(s, 'GUEST_RFLAGS')).toEqual(before);
  });
});
