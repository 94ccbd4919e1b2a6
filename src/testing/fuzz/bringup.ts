// A machine paused in front of a VMLAUNCH with a valid VMCS: the conformance bring-up program
// (src/machine/conformance/bringup.asm) with two edits — a loop that performs the VMWRITEs of a
// table just before the VMLAUNCH, and a guest code area that the fuzz suites fill with random
// bytes. Test helper only (SDM Vol. 3C §24 "Virtual Machine Control Structures", §27 "VM Entries").

import { readFileSync } from 'node:fs';
import { assemble } from '../../asm/index.ts';
import { virtToPhys } from '../../arch/lab.ts';
import { Machine, type MachineSnapshot } from '../../machine/machine.ts';
import { createVmxModel, type VmxModel } from '../../vmx/index.ts';

/** How many (field, value) pairs the VMWRITE table holds. */
export const TABLE_PAIRS = 32;
/** Bytes of the guest code area. */
export const GUEST_AREA = 64;

const BRINGUP = new URL('../../machine/conformance/bringup.asm', import.meta.url);

const LAUNCH = '    vmlaunch\n    jmp fail                            ; VMLAUNCH fell through: VMfail\n';
const PREP = `fuzz_prep:
    lea rsi, [fuzz_table]
    mov ecx, [fuzz_count]
.next:
    test ecx, ecx
    jz fuzz_launch
    mov rax, [rsi]
    mov rbx, [rsi + 8]
    vmwrite rax, rbx
    add rsi, 16
    dec ecx
    jmp .next
fuzz_launch:
    vmlaunch
    jmp fail
`;
const GUEST = 'guest_code:\n    mov eax, 1\n    vmcall\n    mov eax, 2\n    vmcall\n    jmp guest_code\n';
const DATA = `
fuzz_count: dd 0
align 16
fuzz_table: times ${TABLE_PAIRS * 16} db 0
`;

/** The edited bring-up source. */
export function fuzzBringupSource(): string {
  const text = readFileSync(BRINGUP, 'utf8');
  if (!text.includes(LAUNCH) || !text.includes(GUEST)) throw new Error('bringup.asm changed: update src/testing/fuzz/bringup.ts');
  return text.replace(LAUNCH, PREP).replace(GUEST, `guest_code:\n    times ${GUEST_AREA} db 0x90\n    vmcall\n    jmp guest_code\n`) + DATA;
}

/** A machine stopped at `fuzz_prep` (every VMWRITE of the bring-up done), and where things are. */
export interface BringupRig {
  readonly machine: Machine;
  readonly model: VmxModel;
  /** The paused state; restore it before each input. */
  readonly paused: MachineSnapshot;
  /** Physical addresses. */
  readonly tablePhys: number;
  readonly countPhys: number;
  readonly guestPhys: number;
  /** Linear address of the VMLAUNCH. */
  readonly launch: bigint;
}

/** Assembles the edited bring-up, runs it to `fuzz_prep` on `profile` and snapshots it there. */
export function makeBringupRig(profile: string): BringupRig {
  const asm = assemble(fuzzBringupSource());
  if (!asm.ok) throw new Error(`bring-up does not assemble: ${asm.diagnostics.map((d) => d.message).join('; ')}`);
  const sym = (name: string): bigint => {
    const v = asm.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v;
  };
  const machine = new Machine({ profile, vmx: createVmxModel, history: false });
  machine.load(asm);
  machine.breakpoints.add(sym('fuzz_prep'));
  const r = machine.run({ maxSteps: 100_000 });
  if (r.kind !== 'breakpoint') throw new Error(`bring-up did not reach fuzz_prep on ${profile}: ${JSON.stringify(r)}`);
  machine.breakpoints.clear();
  return {
    machine,
    model: machine.vmx as VmxModel,
    paused: machine.snapshot(),
    tablePhys: Number(virtToPhys(sym('fuzz_table'))),
    countPhys: Number(virtToPhys(sym('fuzz_count'))),
    guestPhys: Number(virtToPhys(sym('guest_code'))),
    launch: sym('fuzz_launch'),
  };
}

/** Writes bytes into memory behind the processor's back, then drops stale decodes (decision 0041). */
export function poke(machine: Machine, phys: number, bytes: Uint8Array): void {
  machine.memory.writeBytes(phys, bytes);
  machine.restore(machine.snapshot());
}

/** Fills the VMWRITE table: (encoding, value) pairs, at most TABLE_PAIRS. */
export function setWrites(rig: BringupRig, pairs: readonly (readonly [bigint, bigint])[]): void {
  if (pairs.length > TABLE_PAIRS) throw new RangeError('too many pairs');
  const buf = new Uint8Array(4 + pairs.length * 16);
  const dv = new DataView(buf.buffer);
  pairs.forEach(([f, v], i) => {
    dv.setBigUint64(4 + i * 16, BigInt.asUintN(64, f), true);
    dv.setBigUint64(4 + i * 16 + 8, BigInt.asUintN(64, v), true);
  });
  rig.machine.memory.writeBytes(rig.tablePhys, buf.subarray(4));
  dv.setUint32(0, pairs.length, true);
  rig.machine.memory.writeBytes(rig.countPhys, buf.subarray(0, 4));
  rig.machine.restore(rig.machine.snapshot());
}
