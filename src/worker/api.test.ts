// The worker API over a real comlink channel (Node's MessageChannel), no browser: load, step,
// step back, run with Stop, edits executed as real instructions, crash and restart.

import { readFileSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expose, wrap, type Remote } from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLabApi, type LabApi, type LabSettings } from './api.ts';
import { createLabClient, type WorkerLike } from './client.ts';

const BRINGUP = readFileSync(new URL('../ui/programs/bringup.asm', import.meta.url), 'utf8');
const SETTINGS: LabSettings = { profile: 'skylake-client', msrEdits: {}, breakpoints: [] };
const ports: MessagePort[] = [];

/** A comlink endpoint over a Node MessagePort: only `message` listeners, as a Worker has. */
function nodeEndpoint(port: MessagePort) {
  const map = new Map<unknown, (data: unknown) => void>();
  return {
    postMessage: (m: unknown, t?: readonly unknown[]) => port.postMessage(m, t as never),
    addEventListener(type: string, l: (ev: { data: unknown }) => void) {
      if (type !== 'message') return;
      const h = (data: unknown) => l({ data });
      map.set(l, h);
      port.on('message', h);
    },
    removeEventListener(type: string, l: unknown) {
      const h = map.get(l);
      if (type === 'message' && h) port.off('message', h);
    },
  };
}

function connect(): Remote<LabApi> {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  expose(createLabApi(), nodeEndpoint(port1) as never);
  return wrap<LabApi>(nodeEndpoint(port2) as never);
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Steps until `pred` holds or `limit` steps ran; returns the last snapshot. */
async function stepUntil(api: Remote<LabApi>, pred: (s: Awaited<ReturnType<LabApi['snapshot']>>) => boolean, limit = 2000) {
  let s = await api.snapshot();
  for (let i = 0; i < limit && !pred(s) && !s.stopped; i++) s = await api.step();
  return s;
}

describe('LabApi over comlink', () => {
  it('reports diagnostics for a program that does not assemble', async () => {
    const api = connect();
    const r = await api.load('mov rax,\nfrobnicate', SETTINGS);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]!.line).toBeGreaterThanOrEqual(1);
  });

  it('lists the editor vocabulary: mnemonics and predefined symbols', async () => {
    const v = await connect().vocabulary();
    expect(v.mnemonics).toContain('vmlaunch');
    expect(v.mnemonics).toEqual(expect.arrayContaining(['jnc', 'jz', 'setne', 'cmovae']));
    expect(v.symbols.find((x) => x.name === 'GUEST_RIP')?.value).toBe('0x681e');
  });

  it('steps, changes registers, and steps back to the same state', async () => {
    const api = connect();
    const r = await api.load('mov eax, 1\nmov ebx, 2\nhlt', SETTINGS);
    expect(r.ok).toBe(true);
    expect(r.snapshot.line).toBe(1);
    const s1 = await api.step();
    expect(s1.gprs.find((g) => g.name === 'RAX')!.value).toBe('0x1');
    expect(s1.line).toBe(2);
    const s2 = await api.step();
    expect(s2.gprs.find((g) => g.name === 'RBX')!.value).toBe('0x2');
    const back = await api.stepBack();
    expect(back.ok).toBe(true);
    expect(back.snapshot.steps).toBe(1);
    expect(back.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe(s1.gprs.find((g) => g.name === 'RBX')!.value);
    const halted = await api.step(5);
    expect(halted.stopped).toBe('halted');
  });

  it('runs the bring-up to the guest VMCALL exit and explains a passing VMCS', async () => {
    const api = connect();
    await api.load(BRINGUP, SETTINGS);
    const end = await api.run();
    expect(end.kind).toBe('stopped');
    expect(end.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe('0x600d');
    const exits = end.snapshot.events.filter((e) => e.kind === 'vmexit');
    expect(exits[0]!.summary).toContain('VMCALL');
    expect(exits[0]!.line).toBeUndefined();
    expect(end.snapshot.vmcs.vmcses).toHaveLength(1);
    expect(end.snapshot.vmcs.vmcses[0]!.launch).toBe('launched');
    const catalog = await api.catalog();
    expect(catalog.vmcsFields.map((f) => f.name)).toEqual(end.snapshot.vmcs.fields.map((f) => f.name));
    expect([...new Set(catalog.vmcsFields.map((f) => f.group))].sort()).toEqual(['entry', 'exec', 'exit', 'exit-info', 'guest', 'host']);
    expect(catalog.checks.length).toBe(end.snapshot.explain.passed + end.snapshot.explain.notApplicable);
    expect(end.snapshot.explain.source).toBe('live');
    expect(end.snapshot.explain.failing).toEqual([]);
  });

  it('Stop interrupts an endless loop', async () => {
    const api = connect();
    await api.load('top: jmp top', SETTINGS);
    const running = api.run();
    await api.stop();
    const r = await running;
    expect(r.kind).toBe('interrupted');
    expect(r.snapshot.stopped).toBeNull();
  });

  it('a breakpoint on a label line breaks at the next instruction', async () => {
    const api = connect();
    await api.load('mov eax, 1\n; note\nthere:\n    mov ecx, 3\nhlt', { ...SETTINGS, breakpoints: [2] });
    const r = await api.run();
    expect(r.kind).toBe('breakpoint');
    expect(r.snapshot.line).toBe(4);
  });

  it('pauses at a breakpoint line', async () => {
    const api = connect();
    await api.load('mov eax, 1\nmov ebx, 2\nmov ecx, 3\nhlt', { ...SETTINGS, breakpoints: [3] });
    const r = await api.run();
    expect(r.kind).toBe('breakpoint');
    expect(r.snapshot.line).toBe(3);
  });

  it('clearing CR4.VMXE with a real MOV to CR4 makes VMXON raise #UD', async () => {
    const api = connect();
    await api.load(BRINGUP, SETTINGS);
    const before = await stepUntil(api, (s) => s.crs[1]!.bits.find((b) => b.name === 'VMXE')!.value === '1');
    const vmxe = before.crs[1]!.bits.find((b) => b.name === 'VMXE')!;
    expect(vmxe.bit).toBe(13);
    const out = await api.setCrBit('CR4', 13, false);
    expect(out.ok).toBe(true);
    expect(out.snapshot.crs[1]!.bits.find((b) => b.name === 'VMXE')!.value).toBe('0');
    expect(out.snapshot.rip).toBe(before.rip);
    const end = await api.run();
    const fault = end.snapshot.events.find((e) => e.kind === 'fault');
    expect(fault?.summary).toMatch(/^#UD/);
    expect(fault?.text).toContain('vmxon');
  });

  it('a MOV to CR0 that breaks a VMX fixed bit in VMX operation is refused with #GP and rolled back', async () => {
    const api = connect();
    await api.load(BRINGUP, SETTINGS);
    const s = await stepUntil(api, (x) => x.mode === 'root');
    const ne = s.crs[0]!.bits.find((b) => b.name === 'NE')!;
    expect(ne.mustBe).toBe(1);
    const out = await api.setCrBit('CR0', ne.bit, false);
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(/^#GP/);
    expect(out.snapshot.stopped).toBeNull();
    expect(out.snapshot.steps).toBe(s.steps);
    expect(out.snapshot.crs[0]!.value).toBe(s.crs[0]!.value);
  });

  it('a WRMSR to a locked IA32_FEATURE_CONTROL faults; a firmware value without the lock stops VMXON', async () => {
    const api = connect();
    await api.load(BRINGUP, SETTINGS);
    const wr = await api.editMsr(0x3a, '0x0');
    expect(wr.ok).toBe(false);
    expect(wr.message).toMatch(/^#GP/);
    const r = await api.load(BRINGUP, { ...SETTINGS, msrEdits: { '0x3a': '0x0' } });
    expect(r.snapshot.msrs.find((m) => m.index === '0x3a')!.value).toBe('0x0');
    const end = await api.run();
    expect(end.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe('0xbad');
  });

  it('the Core 2 profile reports its own VMCS revision identifier', async () => {
    const api = connect();
    const sky = await api.load(BRINGUP, SETTINGS);
    const core2 = await api.load(BRINGUP, { ...SETTINGS, profile: 'core2-conroe' });
    const rev = (s: typeof sky.snapshot) => s.msrs.find((m) => m.index === '0x480')!.lines.find((l) => l.label.startsWith('VMCS revision'))!.value;
    expect(rev(core2.snapshot)).toBe('7');
    expect(rev(sky.snapshot)).not.toBe('7');
    const ctl = core2.snapshot.msrs.find((m) => m.index === '0x482')!;
    expect(new Set(ctl.lines.map((l) => l.value))).toEqual(new Set(['no', 'forced', 'yes']));
  });

  it('VMWRITE from the panel: success, error 12 for a missing field, and a live Explain fix', async () => {
    const api = connect();
    const launchLine = BRINGUP.split('\n').findIndex((l) => /^\s*vmlaunch/.test(l)) + 1;
    await api.load(BRINGUP, { ...SETTINGS, breakpoints: [launchLine] });
    const s = (await api.run()).snapshot;
    expect(s.line).toBe(launchLine);
    expect(s.explain.failing).toEqual([]);
    const hostRip = s.vmcs.fields.find((f) => f.name === 'HOST_RIP')!;
    expect(hostRip.written?.line).toBeGreaterThan(0);
    expect(BRINGUP.split('\n')[hostRip.written!.line! - 1]).toMatch(/vmwrite/);
    const bad = await api.vmwrite('HOST_RIP', '0x8000000000000000');
    expect(bad.snapshot.vmcs.fields.find((f) => f.name === 'HOST_RIP')!.written).toEqual({ step: bad.snapshot.steps, line: undefined });
    expect(bad.ok).toBe(true);
    const failing = bad.snapshot.explain.failing;
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0]!.values.some((v) => v.name === 'HOST_RIP')).toBe(true);
    expect(bad.snapshot.explain.decision).toContain('VMfailValid(8)');
    const good = await api.vmwrite('HOST_RIP', s.vmcs.fields.find((f) => f.name === 'HOST_RIP')!.value);
    expect(good.snapshot.explain.failing).toEqual([]);
    // Skylake has no tertiary controls: the field does not exist there (error 12).
    expect(s.vmcs.fields.find((f) => f.name === 'LAST_PID_POINTER_INDEX')!.exists).toBe(false);
    const missing = await api.vmwrite('LAST_PID_POINTER_INDEX', '1');
    expect(missing.ok).toBe(false);
    expect(missing.message).toContain('VMfailValid(12)');
    expect(missing.snapshot.vmError?.number).toBe(12);
    expect(missing.snapshot.vmError?.meaning).toMatch(/unsupported VMCS component/i);
    // The edits are steps in time: stepping back over them and forward again stays consistent.
    const back = await api.stepBack(3);
    expect(back.ok).toBe(true);
  });

  it('register edits are instructions in time: they survive stepping back past them and forward', async () => {
    const api = connect();
    await api.load('mov eax, 1\nmov ebx, 2\nadd eax, ebx\nhlt', SETTINGS);
    await api.step(2);
    const e = await api.setRegister('rbx', '0x40');
    expect(e.ok).toBe(true);
    expect(e.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe('0x40');
    expect(e.snapshot.gprs.find((g) => g.name === 'RAX')!.value).toBe('0x1');
    expect(e.snapshot.line).toBe(3);
    const sum = await api.step();
    expect(sum.gprs.find((g) => g.name === 'RAX')!.value).toBe('0x41');
    const back = await api.stepBack(1);
    expect(back.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe('0x40');
    expect(back.snapshot.gprs.find((g) => g.name === 'RAX')!.value).toBe('0x1');
    const again = await api.step();
    expect(again.gprs.find((g) => g.name === 'RAX')!.value).toBe('0x41');
    const rip = await api.setRegister('rip', again.rip);
    expect(rip.ok).toBe(true);
    expect((await api.setRegister('rcx', 'zz')).ok).toBe(false);
  });

  it('writes memory bytes as instructions and reads them back', async () => {
    const api = connect();
    await api.load('mov eax, 1\nhlt', SETTINGS);
    const w = await api.writeMemory(0x200000, '12 ab 0x7f');
    expect(w.ok).toBe(true);
    expect([...(await api.readMemory(0x200000, 4))]).toEqual([0x12, 0xab, 0x7f, 0]);
    expect((await api.writeMemory(0x200000, 'xyz')).ok).toBe(false);
    expect(w.snapshot.line).toBe(1);
  });

  it('time travel across an edit replays the edit', async () => {
    const api = connect();
    await api.load('mov eax, 1\nmov ebx, 2\nmov ecx, 3\nmov edx, 4\nhlt', SETTINGS);
    await api.step();
    const edit = await api.setCrBit('CR0', 30, true); // CR0.CD outside VMX operation: allowed
    expect(edit.ok).toBe(true);
    await api.step(2);
    const back = await api.stepBack(1);
    expect(back.ok).toBe(true);
    expect(back.snapshot.crs[0]!.bits.find((b) => b.name === 'CD')!.value).toBe('1');
    expect(back.snapshot.gprs.find((g) => g.name === 'RBX')!.value).toBe('0x2');
    expect(back.snapshot.line).toBe(3);
    const start = await api.jumpTo(0);
    expect(start.snapshot.crs[0]!.bits.find((b) => b.name === 'CD')!.value).toBe('0');
  });
});

describe('LabClient', () => {
  it('restarts a crashed worker and tells its listeners', async () => {
    const made: MessagePort[] = [];
    const client = createLabClient(() => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1, port2);
      made.push(port2);
      expose(createLabApi(), nodeEndpoint(port1) as never);
      return { ...nodeEndpoint(port2), terminate: () => port2.close() } as unknown as WorkerLike;
    });
    let restarted = 0;
    client.onRestart(() => restarted++);
    expect(await client.api().version()).toBe(1);
    client.restart();
    expect(restarted).toBe(1);
    expect(made).toHaveLength(2);
    expect(await client.api().version()).toBe(1);
    client.dispose();
  });

  it('restarts a worker that stopped answering (killed or hung)', async () => {
    vi.useFakeTimers();
    try {
      let made = 0;
      // A worker that never answers: messages go nowhere.
      const client = createLabClient(() => {
        made++;
        return { postMessage() {}, addEventListener() {}, removeEventListener() {}, terminate() {} };
      });
      let restarted = 0;
      client.onRestart(() => restarted++);
      void client.api().version();
      const unwatch = client.watch(100, 500);
      await vi.advanceTimersByTimeAsync(100 + 500);
      expect(restarted).toBe(1);
      expect(made).toBe(2);
      unwatch();
      await vi.advanceTimersByTimeAsync(5000);
      expect(restarted).toBe(1);
      client.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
