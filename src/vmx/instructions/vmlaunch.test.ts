// VMLAUNCH/VMRESUME (SDM Vol. 3C §31.3, §27.1-27.8) and the first VM exits (§28), on every
// profile: each VMfail, the entry failures with host state loaded, a successful entry, VM exits
// for VMCALL / CPUID / VMX instructions with their exit information, and VMRESUME back.
import { describe, expect, it } from 'vitest';
import { fieldByName, VMCS } from '../../arch/vmcs/fields.ts';
import { fieldExists } from '../../arch/vmcs/exists.ts';
import { validVmcsFields, VALID_LAYOUT } from '../entry/testing/valid-vmcs.ts';
import { TEST_PROFILES } from '../entry/testing/profiles.ts';
import { instructionError, outcomeOf, rootWithVmcs, vmclear, vmptrld, vmxon } from '../testing/flow.ts';
import { insn, makeRig, mem, r64, type Rig, type RigProfile } from '../testing/rig.ts';
import type { TestProfile } from '../entry/testing/profiles.ts';
import { MSR } from '../../arch/msrs.ts';
import { VMX_MISC } from '../../arch/vmx-msrs.ts';
import { VmxCaps } from '../caps.ts';

function vmwrite(rig: Rig, name: string, v: bigint): void {
  rig.cpu.state.setGpr64(0, BigInt(VMCS[name]!));
  rig.cpu.state.setGpr64(1, v);
  rig.exec(insn('vmwrite', [r64(0), r64(1)]));
  if (outcomeOf(rig) !== 'VMsucceed') throw new Error(`VMWRITE ${name} failed`);
}
function vmread(rig: Rig, name: string): bigint {
  rig.cpu.state.setGpr64(0, BigInt(VMCS[name]!));
  rig.exec(insn('vmread', [r64(2), r64(0)]));
  return rig.cpu.state.getGpr64(2);
}

/** VMXON, VMCLEAR, VMPTRLD, and a valid 64-bit guest and host written by VMWRITE. */
function readyToLaunch(p: TestProfile & RigProfile, edit: (f: Map<string, bigint>) => void = () => {}): Rig {
  const rig = makeRig(p);
  rootWithVmcs(rig, p, VALID_LAYOUT.currentVmcs);
  const fields = validVmcsFields(p);
  edit(fields);
  // Fields the processor lacks (e.g. GUEST_IA32_EFER on Core 2) are not written, as software would not.
  for (const [name, v] of fields) if (fieldExists(fieldByName(name)!, p.msrs)) vmwrite(rig, name, v);
  return rig;
}

const HOST_RIP = Number(BigInt.asIntN(64, VALID_LAYOUT.hostRip));
const GUEST_RIP = Number(VALID_LAYOUT.guestRip);

describe.each(TEST_PROFILES.map((p) => [p.id, p] as const))('VMLAUNCH/VMRESUME on %s', (_id, p) => {
  it('enters the guest: non-root operation at GUEST_RIP with guest state loaded', () => {
    const rig = readyToLaunch(p);
    expect(rig.exec(insn('vmlaunch', [], 3))).toBeUndefined();
    expect(rig.model.mode()).toBe('non-root');
    expect(rig.cpu.state.rip).toBe(GUEST_RIP);
    expect(rig.cpu.state.getGpr64(4)).toBe(VALID_LAYOUT.guestRsp);
    expect(rig.cpu.state.cr3).toBe(Number(VALID_LAYOUT.guestCr3));
    expect(rig.model.vmcses()[0]?.launch).toBe('launched');
    expect(rig.model.lastEntryReport()?.decision.kind).toBe('pass');
    expect(rig.model.takeReports().filter((r) => r.kind !== 'vmx')).toEqual([{ kind: 'vmentry' }]);
  });

  it('VMCALL in the guest exits (reason 18) to HOST_RIP; VMRESUME goes back; CPUID exits (reason 10)', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmlaunch', [], 3));
    rig.model.takeReports();
    rig.cpu.state.setGpr64(3, 0x77n);
    expect(rig.step(insn('vmcall', [], 3))).toBeUndefined();
    expect(rig.model.mode()).toBe('root');
    expect(rig.cpu.state.rip).toBe(HOST_RIP);
    expect(rig.cpu.state.getGpr64(4)).toBe(VALID_LAYOUT.hostRsp);
    expect(rig.cpu.state.getGpr64(3)).toBe(0x77n); // GPRs other than RSP are untouched
    expect(rig.model.takeReports()).toEqual([{ kind: 'vmexit', reason: 18, name: 'VMCALL', entryFailure: false, qualification: 0n, guestRip: VALID_LAYOUT.guestRip, instruction: 'vmcall' }]);
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(18n);
    expect(vmread(rig, 'EXIT_QUALIFICATION')).toBe(0n);
    expect(vmread(rig, 'VM_EXIT_INSTRUCTION_LEN')).toBe(3n);
    expect(vmread(rig, 'GUEST_RIP')).toBe(VALID_LAYOUT.guestRip);
    // The host skips the VMCALL and resumes.
    vmwrite(rig, 'GUEST_RIP', VALID_LAYOUT.guestRip + 3n);
    expect(rig.exec(insn('vmresume', [], 3))).toBeUndefined();
    expect(rig.model.mode()).toBe('non-root');
    expect(rig.cpu.state.rip).toBe(GUEST_RIP + 3);
    expect(rig.step(insn('cpuid', [], 2))).toBe('intercepted');
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(10n);
    expect(vmread(rig, 'VM_EXIT_INSTRUCTION_LEN')).toBe(2n);
  });

  it('a VMX instruction in the guest exits with its displacement and instruction information', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmlaunch', [], 3));
    // vmptrld [rbx + 0x40]: qualification = displacement; info: scaling 0, 64-bit address size,
    // DS, no index, base RBX (Table 28-13).
    rig.step(insn('vmptrld', [mem(3, 0x40n)], 4));
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(21n);
    expect(vmread(rig, 'EXIT_QUALIFICATION')).toBe(0x40n);
    expect(vmread(rig, 'VMX_INSTRUCTION_INFO')).toBe((2n << 7n) | (3n << 15n) | (1n << 22n) | (3n << 23n));
  });

  it('VMfailInvalid without a current VMCS', () => {
    const rig = makeRig(p);
    vmxon(rig, p);
    rig.exec(insn('vmlaunch', [], 3));
    expect(outcomeOf(rig)).toBe('VMfailInvalid');
  });

  it('VMfailValid(26) right after MOV SS, before the launch-state checks', () => {
    const rig = readyToLaunch(p);
    rig.cpu.state.shadowUntil = rig.cpu.state.icount;
    rig.exec(insn('vmresume', [], 3));
    expect(instructionError(rig)).toBe(26n);
  });

  it('VMfailValid(5) for VMRESUME of a clear VMCS; VMfailValid(4) for VMLAUNCH of a launched one', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmresume', [], 3));
    expect(instructionError(rig)).toBe(5n);
    rig.exec(insn('vmlaunch', [], 3));
    rig.step(insn('vmcall', [], 3));
    rig.exec(insn('vmlaunch', [], 3));
    expect(outcomeOf(rig)).toBe('VMfailValid');
    expect(instructionError(rig)).toBe(4n);
  });

  it('VMfailValid(7) for controls the capability MSRs forbid; RIP advances, launch state stays clear', () => {
    const rig = readyToLaunch(p, (f) => f.set('PIN_BASED_VM_EXEC_CONTROL', 0n));
    const rip = rig.cpu.state.rip;
    rig.exec(insn('vmlaunch', [], 3));
    expect(instructionError(rig)).toBe(7n);
    expect(rig.cpu.state.rip).toBe(rip + 3);
    expect(rig.model.mode()).toBe('root');
    expect(rig.model.vmcses()[0]?.launch).toBe('clear');
    expect(rig.model.lastEntryReport()?.decision).toMatchObject({ kind: 'vmfail', error: 7 });
    const pin = rig.model.lastEntryVerdicts().find((v) => v.verdict.kind === 'fail');
    expect(pin).toMatchObject({ area: 'ctrl.exec', sdm: expect.stringContaining('§27.2.1.1') });
    expect(JSON.parse(JSON.stringify(pin, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))).toMatchObject({ id: pin!.id });
  });

  it('VMfailValid(8) for a host CR0 without PE', () => {
    const rig = readyToLaunch(p, (f) => f.set('HOST_CR0', f.get('HOST_CR0')! & ~1n));
    rig.exec(insn('vmlaunch', [], 3));
    expect(instructionError(rig)).toBe(8n);
  });

  it('a guest-state failure exits with reason 33 | 0x80000000 to HOST_RIP, state from the host area', () => {
    const rig = readyToLaunch(p, (f) => f.set('GUEST_RFLAGS', 0n));
    rig.exec(insn('vmlaunch', [], 3));
    expect(rig.model.mode()).toBe('root');
    expect(rig.cpu.state.rip).toBe(HOST_RIP);
    expect(rig.cpu.state.rflags).toBe(2);
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(0x8000_0021n);
    expect(vmread(rig, 'EXIT_QUALIFICATION')).toBe(0n);
    expect(rig.model.vmcses()[0]?.launch).toBe('clear');
    const reps = rig.model.takeReports().filter((r) => r.kind !== 'vmx');
    expect(reps[0]).toEqual({ kind: 'vmentry' });
    expect(reps[1]).toMatchObject({ kind: 'vmexit', reason: 33, name: 'INVALID_GUEST_STATE', entryFailure: true, qualification: 0n });
    expect((reps[1] as { check?: string }).check).toMatch(/^guest\./);
  });

  it('an MSR-load failure exits with reason 34 and the failing entry index', () => {
    const rig = readyToLaunch(p, (f) => {
      f.set('VM_ENTRY_MSR_LOAD_COUNT', 2n);
      f.set('VM_ENTRY_MSR_LOAD_ADDR', 0x9100n);
    });
    rig.write(0x9100, 8, 0x277n); // IA32_PAT, valid
    rig.write(0x9108, 8, 0x0007_0406_0007_0406n);
    rig.write(0x9110, 8, 0xc000_0100n); // IA32_FS_BASE may not be loaded this way
    rig.exec(insn('vmlaunch', [], 3));
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(0x8000_0022n);
    expect(vmread(rig, 'EXIT_QUALIFICATION')).toBe(2n);
  });

  it('a huge MSR-load count fails at the first entry past the recommended maximum, reading no more (bounded work)', () => {
    const rig = readyToLaunch(p, (f) => {
      f.set('VM_ENTRY_MSR_LOAD_COUNT', 0xffff_fff7n);
      f.set('VM_ENTRY_MSR_LOAD_ADDR', 0x9100n);
    });
    const max = 512 * (Number(VMX_MISC.get(p.msrs[MSR.IA32_VMX_MISC] ?? 0n, 'MAX_MSR_LIST')) + 1);
    for (let i = 0; i < max; i++) rig.write(0x9100 + 16 * i, 8, 0x277n); // IA32_PAT, its reset value
    for (let i = 0; i < max; i++) rig.write(0x9108 + 16 * i, 8, 0x0007_0406_0007_0406n);
    rig.exec(insn('vmlaunch', [], 3));
    // Where the area's last byte lies beyond MAXPHYADDR the entry controls already refuse it
    // (VMfailValid(7), §27.2.1.3); elsewhere MSR loading fails at entry max + 1 (§27.4).
    if (0x9100n + 0xffff_fff7n * 16n - 1n >= 1n << BigInt(p.maxPhysAddr)) {
      expect(vmread(rig, 'VM_INSTRUCTION_ERROR')).toBe(7n);
    } else {
      expect(vmread(rig, 'VM_EXIT_REASON')).toBe(0x8000_0022n);
      expect(vmread(rig, 'EXIT_QUALIFICATION')).toBe(BigInt(max + 1));
    }
  });

  it('#UD outside VMX operation; a VMLAUNCH in the guest exits with reason 20', () => {
    const rig = makeRig(p);
    expect(rig.exec(insn('vmlaunch', [], 3))?.shortName).toBe('#UD');
    const g = readyToLaunch(p);
    g.exec(insn('vmlaunch', [], 3));
    g.step(insn('vmlaunch', [], 3));
    expect(vmread(g, 'VM_EXIT_REASON')).toBe(20n);
  });

  it('VMFUNC 0 switches the EPTP from the EPTP list; other cases exit with reason 59 or raise #UD', () => {
    const caps = new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
    if (!caps.vmfunc || !caps.ept) return;
    const eptp = (i: bigint) => (caps.eptCap('EPTP_WB') ? 6n : 0n) | (3n << 3n) | (0x50_0000n + i * 0x1000n);
    const rig = readyToLaunch(p, (f) => {
      f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | (1n << 31n));
      f.set('SECONDARY_VM_EXEC_CONTROL', (1n << 1n) | (1n << 13n)); // enable EPT, enable VM functions
      f.set('EPT_POINTER', eptp(0n));
      f.set('VM_FUNCTION_CONTROL', 1n);
      f.set('EPTP_LIST_ADDRESS', 0x60_0000n);
    });
    rig.write(0x60_0000 + 8 * 3, 8, eptp(3n));
    rig.exec(insn('vmlaunch', [], 3));
    expect(rig.model.mode()).toBe('non-root');
    const vmfunc = (eax: bigint, ecx: bigint) => {
      rig.cpu.state.setGpr64(0, eax);
      rig.cpu.state.setGpr64(1, ecx);
      return rig.step(insn('vmfunc', [], 3));
    };
    expect(vmfunc(0n, 3n)).toBeUndefined();
    expect(rig.model.mode()).toBe('non-root');
    expect(vmfunc(64n, 0n)).toMatchObject({ shortName: '#UD' });
    expect(vmfunc(0n, 512n)).toBeUndefined();
    expect(rig.model.mode()).toBe('root');
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(59n);
    expect(vmread(rig, 'EPT_POINTER')).toBe(eptp(3n));
  });

  it('with VMCS shadowing, guest VMREAD/VMWRITE use the shadow VMCS unless the bitmaps say exit', () => {
    const caps = new VmxCaps((i) => p.msrs[i] ?? 0n, p.maxPhysAddr);
    if (!caps.vmcsShadowing) return;
    const SHADOW = 0x70_0000n;
    const rig = readyToLaunch(p, (f) => {
      f.set('CPU_BASED_VM_EXEC_CONTROL', f.get('CPU_BASED_VM_EXEC_CONTROL')! | (1n << 31n));
      f.set('SECONDARY_VM_EXEC_CONTROL', 1n << 14n); // VMCS shadowing
      f.set('VMREAD_BITMAP', 0x71_0000n);
      f.set('VMWRITE_BITMAP', 0x72_0000n);
      f.set('VMCS_LINK_POINTER', SHADOW);
    });
    // A shadow VMCS: revision with bit 31 set, cleared once so its region holds the lab layout.
    rig.write(Number(SHADOW), 4, (p.msrs[0x480]! & 0x7fff_ffffn) | 0x8000_0000n);
    rig.write(0x72_0000 + (0x681e >> 3), 1, 1n << BigInt(0x681e & 7)); // VMWRITE of GUEST_RIP exits
    rig.exec(insn('vmlaunch', [], 3));
    expect(rig.model.mode()).toBe('non-root');
    rig.cpu.state.setGpr64(0, 0x4002n); // CPU_BASED_VM_EXEC_CONTROL of the shadow VMCS
    rig.cpu.state.setGpr64(1, 0x1234n);
    expect(rig.step(insn('vmwrite', [r64(0), r64(1)], 3))).toBeUndefined();
    expect(rig.model.mode()).toBe('non-root');
    expect(outcomeOf(rig)).toBe('VMsucceed');
    rig.step(insn('vmread', [r64(2), r64(0)], 3));
    expect(rig.cpu.state.getGpr64(2)).toBe(0x1234n);
    rig.cpu.state.setGpr64(0, 0x681en);
    rig.step(insn('vmwrite', [r64(0), r64(1)], 3));
    expect(rig.model.mode()).toBe('root');
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(25n);
    // The ordinary VMCS kept its own primary controls.
    expect(vmread(rig, 'CPU_BASED_VM_EXEC_CONTROL')).not.toBe(0x1234n);
  });

  it('saves blocking by MOV SS in the interruptibility state when the next instruction exits', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmlaunch', [], 3));
    rig.cpu.state.shadowUntil = rig.cpu.state.icount; // the previous guest instruction was MOV SS
    rig.step(insn('cpuid', [], 2));
    expect(vmread(rig, 'GUEST_INTERRUPTIBILITY_INFO')).toBe(2n);
    // Resumed as saved, the blocking covers the guest's first instruction again.
    rig.exec(insn('vmresume', [], 3));
    rig.step(insn('cpuid', [], 2));
    expect(vmread(rig, 'GUEST_INTERRUPTIBILITY_INFO')).toBe(2n);
    // A host that skips the instruction clears the blocking, as software must.
    vmwrite(rig, 'GUEST_INTERRUPTIBILITY_INFO', 0n);
    rig.exec(insn('vmresume', [], 3));
    rig.step(insn('cpuid', [], 2));
    expect(vmread(rig, 'GUEST_INTERRUPTIBILITY_INFO')).toBe(0n);
  });

  it('VMCLEAR of a launched VMCS makes it clear again: VMLAUNCH works, VMRESUME gives error 5', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmlaunch', [], 3));
    rig.step(insn('vmcall', [], 3));
    vmclear(rig, VALID_LAYOUT.currentVmcs);
    vmptrld(rig, p, VALID_LAYOUT.currentVmcs);
    expect(rig.model.vmcses()[0]?.launch).toBe('clear');
    rig.exec(insn('vmresume', [], 3));
    expect(instructionError(rig)).toBe(5n);
    vmwrite(rig, 'GUEST_RIP', VALID_LAYOUT.guestRip);
    rig.exec(insn('vmlaunch', [], 3));
    expect(rig.model.mode()).toBe('non-root');
  });

  it('a triple fault in the guest exits with reason 2', () => {
    const rig = readyToLaunch(p);
    rig.exec(insn('vmlaunch', [], 3));
    expect(rig.model.hooks.interceptEvent?.(rig.cpu, 8, 0, 'triple-fault')).toBe(true);
    expect(rig.model.mode()).toBe('root');
    expect(vmread(rig, 'VM_EXIT_REASON')).toBe(2n);
  });
});
