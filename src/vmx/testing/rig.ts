// A test rig for the VMX instructions: a processor in the lab's 64-bit starting state with an
// identity "linear = physical" memory (no paging, so tests place structures anywhere), the
// model plugged in, and a step function that does what the executor's Cpu does around a VMX
// hook (RIP advance through `next`, X86Fault as the result). Test helper only.

import { CR0, CR4 } from '../../arch/cr.ts';
import { EFER } from '../../arch/efer.ts';
import type { CpuHandle, CpuFeatures, X86Env } from '../../x86/env.ts';
import { X86Fault } from '../../x86/fault.ts';
import type { DecodedInstruction, Prefixes } from '../../x86/isa/decoded.ts';
import type { MemRef, Operand } from '../../x86/isa/operands.ts';
import { makeReg, RegKind } from '../../x86/isa/registers.ts';
import { CpuState, SegIndex } from '../../x86/state.ts';
import { createVmxModel, type VmxModel } from '../index.ts';

/** What a test profile provides (src/arch profiles and the entry tests' reference profiles both fit). */
export interface RigProfile {
  readonly id: string;
  readonly maxPhysAddr: number;
  readonly msrs: Readonly<Record<number, bigint>>;
}

const FEATURES: CpuFeatures = {
  vmx: true, smx: false, pae: true, pse: true, pge: true, nx: true, pcid: false, la57: false, smep: false,
  smap: false, umip: false, fsgsbase: false, xsave: false, rdtscp: true, page1gb: false, pku: false,
};

/** CR0 and CR4 of the lab's 64-bit kernel (DESIGN section 5), CR4.VMXE set. */
export const RIG_CR0 = Number(CR0.of('PE', 'MP', 'ET', 'NE', 'WP', 'PG'));
export const RIG_CR4 = Number(CR4.of('PAE', 'PGE', 'VMXE'));

/** A processor + model under test. */
export interface Rig {
  readonly cpu: CpuHandle & { next: number };
  readonly model: VmxModel;
  readonly env: X86Env;
  /** Executes one instruction through the hooks as the executor does; returns the fault, if any. */
  exec(insn: DecodedInstruction): X86Fault | undefined;
  /** One step in non-root operation: the intercept hook first, then `exec`. */
  step(insn: DecodedInstruction): X86Fault | 'intercepted' | undefined;
  write(addr: number, size: 1 | 2 | 4 | 8, v: bigint): void;
  read(addr: number, size: 1 | 2 | 4 | 8): bigint;
}

/** Builds a rig for a profile; IA32_FEATURE_CONTROL defaults to locked + VMX outside SMX. */
export function makeRig(profile: RigProfile, opts: { featureControl?: bigint } = {}): Rig {
  const bytes = new Map<number, number>();
  const rd = (a: number, size: number): bigint => {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes.get(a + i) ?? 0);
    return v;
  };
  const wr = (a: number, size: number, v: bigint): void => {
    for (let i = 0; i < size; i++) bytes.set(a + i, Number((v >> BigInt(8 * i)) & 0xffn));
  };
  const env: X86Env = {
    memory: {
      read8: (a) => Number(rd(a, 1)), read16: (a) => Number(rd(a, 2)), read32: (a) => Number(rd(a, 4)),
      write8: (a, v) => wr(a, 1, BigInt(v)), write16: (a, v) => wr(a, 2, BigInt(v)), write32: (a, v) => wr(a, 4, BigInt(v)),
    },
    io: { in: () => 0xff, out: () => {} },
    platform: { a20Enabled: true, requestReset: () => {} },
    config: {
      vendor: 'GenuineIntel', signature: 0, brand: 'test', maxPhysAddr: profile.maxPhysAddr, features: FEATURES,
      readOnlyMsrs: new Map(Object.entries(profile.msrs).map(([k, v]) => [Number(k), v])),
    },
    vmx: null,
  };
  const s = new CpuState();
  s.cr0 = RIG_CR0;
  s.cr4 = RIG_CR4;
  s.efer = Number(EFER.of('SCE', 'LME', 'LMA', 'NXE'));
  s.segSel[SegIndex.CS] = 0x08;
  s.segAr[SegIndex.CS] = 0xa09b;
  for (const i of [SegIndex.SS, SegIndex.DS, SegIndex.ES, SegIndex.FS, SegIndex.GS]) {
    s.segSel[i] = 0x10;
    s.segAr[i] = 0xc093;
    s.segLimit[i] = 0xffff_ffff;
  }
  s.rip = 0x10_0000;
  s.msrs.set(0x3a, opts.featureControl ?? 0x5n);
  const cpu = {
    state: s,
    env,
    next: 0,
    readMem: (_seg: number, off: number, size: 1 | 2 | 4 | 8) => rd(off, size),
    writeMem: (_seg: number, off: number, size: 1 | 2 | 4 | 8, v: bigint) => wr(off, size, v),
    readPhys: (a: number, size: 1 | 2 | 4 | 8) => rd(a, size),
    writePhys: (a: number, size: 1 | 2 | 4 | 8, v: bigint) => wr(a, size, v),
    flushTlb: () => {},
    flushDecodeCache: () => {},
    // The rig runs at CPL 0 with IOPL 0 in 64-bit mode: the permission check has nothing to refuse.
    ioPermitted: () => true,
  };
  const model = createVmxModel(env, s);
  env.vmx = model.hooks;
  const exec = (insn: DecodedInstruction): X86Fault | undefined => {
    cpu.next = s.rip + insn.length;
    try {
      model.hooks.execute(cpu, insn);
    } catch (e) {
      if (e instanceof X86Fault) return e;
      throw e;
    }
    s.rip = cpu.next;
    s.icount++;
    return undefined;
  };
  return {
    cpu, model, env, exec,
    step(insn) {
      if (model.hooks.inNonRoot?.() && model.hooks.intercept?.(cpu, insn)) {
        s.icount++;
        return 'intercepted';
      }
      return exec(insn);
    },
    write: (a, size, v) => wr(a, size, v),
    read: (a, size) => rd(a, size),
  };
}

// ---- instruction builders -----------------------------------------------------------------

const NO_PREFIXES: Prefixes = { lock: false, rep: null, seg: null, opsize: false, addrsize: false, rex: 0 };

/** A 64-bit general register operand by index (0 = RAX ... 15 = R15). */
export function r64(i: number): Operand {
  return { kind: 'reg', reg: makeReg(RegKind.GPR64, i) };
}

/** `[base + disp]` with a 64-bit base register index, or `[disp]` when base is null. */
export function mem(base: number | null, disp = 0n, size: MemRef['size'] = 8): MemRef {
  return { kind: 'mem', size, seg: null, base: base === null ? null : makeReg(RegKind.GPR64, base), index: null, scale: 1, disp, addrSize: 8 };
}

/** A decoded instruction as the decoder would hand it over. */
export function insn(mnemonic: string, operands: Operand[] = [], length = 4): DecodedInstruction {
  return { id: mnemonic.toUpperCase(), mnemonic, operands, opSize: 8, addrSize: 8, length, prefixes: NO_PREFIXES };
}

export const RAX = 0, RCX = 1, RDX = 2, RBX = 3;
