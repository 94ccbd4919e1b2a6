// The decode cache is keyed by physical address (src/x86/cpu.ts), so it survives CR3 loads and
// VM entries/exits without flushing: these tests pin that a linear address that maps elsewhere
// after a TLB flush executes the bytes it now maps to, and that the machine's `flush` (restore,
// reboot) still drops decodes of memory replaced behind the processor's back.
import { describe, it, expect } from 'vitest';
import { makeRig, testConfig, T } from '../x86/testing.ts';
import { createExecutor } from './executor.ts';

/** A second set of paging structures: linear 0-2 MiB -> physical 4-6 MiB, the rest identity. */
const B = { PML4: 0x30_0000, PDPT: 0x30_1000, PD: 0x30_2000 } as const;
const ALIAS = 0x40_0000;

function twoAddressSpaces() {
  const rig = makeRig(testConfig(), 8 << 20);
  rig.mem.write64(B.PML4, BigInt(B.PDPT) | 7n);
  rig.mem.write64(B.PDPT, BigInt(B.PD) | 7n);
  for (let i = 0; i < 512; i++) rig.mem.write64(B.PD + i * 8, (BigInt(i === 0 ? ALIAS : i << 21) ) | 0x87n);
  // mov eax, 1 at the code page as CR3 A maps it; mov eax, 2 where CR3 B maps the same linear address.
  [0xb8, 1, 0, 0, 0].forEach((b, i) => rig.mem.write8(T.CODE + i, b));
  [0xb8, 2, 0, 0, 0].forEach((b, i) => rig.mem.write8(ALIAS + T.CODE + i, b));
  return rig;
}

function stepAt(rig: ReturnType<typeof makeRig>, step: () => unknown): bigint {
  rig.cpu.state.rip = T.CODE;
  step();
  return rig.cpu.state.getGpr64(0);
}

describe('decode cache keyed by physical address', () => {
  it('after a CR3 load (TLB flush) the same linear address executes the bytes it now maps to', () => {
    const rig = twoAddressSpaces();
    const cpu = rig.cpu;
    expect(stepAt(rig, () => cpu.step())).toBe(1n);
    cpu.state.cr3 = B.PML4;
    cpu.flushTlb();
    expect(stepAt(rig, () => cpu.step())).toBe(2n);
    cpu.state.cr3 = T.PML4;
    cpu.flushTlb();
    expect(stepAt(rig, () => cpu.step())).toBe(1n);
  });

  it('a state switch as at VM entry/exit (stateChanged) keeps decodes but translates again', () => {
    const rig = twoAddressSpaces();
    const cpu = rig.cpu;
    expect(stepAt(rig, () => cpu.step())).toBe(1n);
    cpu.state.cr3 = B.PML4;
    cpu.stateChanged();
    expect(stepAt(rig, () => cpu.step())).toBe(2n);
    cpu.state.cr3 = T.PML4;
    cpu.stateChanged();
    expect(stepAt(rig, () => cpu.step())).toBe(1n);
  });

  it("the executor's flush drops decodes of memory replaced without the processor (restore, reboot)", () => {
    const rig = twoAddressSpaces();
    const exec = createExecutor(rig.cpu.state, rig.env);
    expect(stepAt(rig, () => exec.step())).toBe(1n);
    rig.mem.write8(T.CODE + 1, 7);
    exec.flush();
    expect(stepAt(rig, () => exec.step())).toBe(7n);
  });

  it('a write through the processor to a code page is seen by the next fetch', () => {
    const rig = twoAddressSpaces();
    const cpu = rig.cpu;
    expect(stepAt(rig, () => cpu.step())).toBe(1n);
    cpu.writeLin(T.CODE + 1, 1, 9, 0);
    expect(stepAt(rig, () => cpu.step())).toBe(9n);
  });
});
