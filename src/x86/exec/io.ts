// IN and OUT, INS and OUTS (SDM Vol. 2A "IN", "INS/INSB/INSW/INSD", Vol. 2B "OUT",
// "OUTS/OUTSB/OUTSW/OUTSD"; Vol. 1 §19.5 "Protection of I/O Space"): at
// CPL > IOPL (always in virtual-8086 mode) the TSS I/O permission bitmap decides, else #GP(0). Port 0x92 (system control
// port A, a chipset register every PC has) is decoded here: bit 1 is the A20 gate, bit 0 a
// fast reset; every other port goes to `env.io`.

import { TSS64 } from '../../arch/segments.ts';
import { F, IOPL_SHIFT } from '../archbits.ts';
import { readOp, readGpr, regLinear, writeGpr } from '../access.ts';
import type { Cpu } from '../cpu.ts';
import { gp } from '../fault.ts';
import type { Handler, Prepared } from '../operand.ts';
import { protectedMode } from '../segmentation.ts';
import { ACC_READ, ACC_WRITE } from '../paging.ts';
import { SegIndex } from '../state.ts';
import { advance } from './string.ts';

const RAX = 0;
/** System control port A (PS/2 "port 92h"). */
export const PORT_SYSTEM_CONTROL_A = 0x92;
const PORT92_A20 = 2;
const PORT92_RESET = 1;
const IOMAP_BASE_OFFSET = TSS64.find((f) => f.name === 'IOMAP_BASE')!.offset;

/**
 * Why the I/O permission check refuses an access of `size` bytes at `port`, or null when it lets
 * it through (SDM Vol. 1 §19.5.2 "I/O Permission Bit Map"): outside protected mode, and at CPL <=
 * IOPL outside virtual-8086 mode, there is nothing to check; otherwise the TSS bitmap decides.
 * May raise #PF reading the TSS, as the instruction would.
 */
export function ioPermissionDenied(cpu: Cpu, port: number, size: number): string | null {
  const s = cpu.state;
  if (!protectedMode(cpu) && (s.rflags & F.VM) === 0) return null;
  const iopl = (s.rflags & F.IOPL) >>> IOPL_SHIFT;
  // Virtual-8086 mode: I/O is not IOPL-sensitive, the bitmap always decides (SDM Vol. 3B §20.2.8.1 "I/O-Port-Mapped I/O").
  if (s.cpl <= iopl && (s.rflags & F.VM) === 0) return null;
  const trBase = s.segBase[SegIndex.TR]!;
  const trLimit = s.segLimit[SegIndex.TR]!;
  if (IOMAP_BASE_OFFSET + 1 > trLimit) return `port 0x${port.toString(16)} at CPL ${s.cpl} > IOPL ${iopl}, and the TSS has no I/O bitmap`;
  const mapBase = cpu.readLin(trBase + IOMAP_BASE_OFFSET, 2, true);
  const byte = mapBase + (port >>> 3);
  if (byte + 1 > trLimit) return `port 0x${port.toString(16)} lies beyond the TSS I/O bitmap`;
  const bits = cpu.readLin(trBase + byte, 2, true);
  const mask = ((1 << size) - 1) << (port & 7);
  if ((bits & mask) !== 0) return `port 0x${port.toString(16)} denied by the TSS I/O bitmap at CPL ${s.cpl}`;
  return null;
}

/** #GP(0) unless the I/O permission check lets the access through. */
function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  const denied = ioPermissionDenied(cpu, port, size);
  if (denied !== null) throw gp(denied);
}

/** Reads a port (port 0x92 locally). */
export function portIn(cpu: Cpu, port: number, size: 1 | 2 | 4): number {
  if (port === PORT_SYSTEM_CONTROL_A && size === 1) return cpu.env.platform.a20Enabled ? PORT92_A20 : 0;
  return cpu.env.io.in(port, size);
}

/** Writes a port (port 0x92 locally: A20 gate and fast reset). */
export function portOut(cpu: Cpu, port: number, size: 1 | 2 | 4, value: number): void {
  if (port === PORT_SYSTEM_CONTROL_A && size === 1) {
    const on = (value & PORT92_A20) !== 0;
    if (on !== cpu.env.platform.a20Enabled) {
      cpu.env.platform.a20Enabled = on;
      cpu.flushTlb();
    }
    if ((value & PORT92_RESET) !== 0) cpu.env.platform.requestReset();
    return;
  }
  cpu.env.io.out(port, size, value);
}

function execIn(cpu: Cpu, p: Prepared): void {
  const size = p.ops[0]!.size as 1 | 2 | 4;
  const port = readOp(cpu, p.ops[1]!, 2) & 0xffff;
  checkIoPermission(cpu, port, size);
  writeGpr(cpu, RAX, size, portIn(cpu, port, size) >>> 0, 0);
}

function execOut(cpu: Cpu, p: Prepared): void {
  const size = p.ops[1]!.size as 1 | 2 | 4;
  const port = readOp(cpu, p.ops[0]!, 2) & 0xffff;
  checkIoPermission(cpu, port, size);
  portOut(cpu, port, size, readGpr(cpu, RAX, size));
}

const RCX = 1;
const RDX = 2;
const RSI = 6;
const RDI = 7;
/** Iterations of a REP INS/OUTS per step before it re-executes itself (as string.ts). */
const REP_BATCH = 4096;

/**
 * INS (ES:[rDI] from port DX) and OUTS (port DX from seg:[rSI], DS unless overridden), with REP:
 * the pointer and count registers at the address size, DF the direction, the I/O permission
 * check before the first access. Implementation choice (as Bochs): INS translates its memory
 * destination before it reads the port, so a #PF or #GP there causes no I/O.
 */
function stringIo(input: boolean, size: 1 | 2 | 4): Handler {
  return (cpu: Cpu, p: Prepared) => {
    const w = p.insn.addrSize;
    const repeated = p.insn.prefixes.rep !== null;
    const s = cpu.state;
    const delta = (s.rflags & F.DF) !== 0 ? -size : size;
    const port = readGpr(cpu, RDX, 2);
    const srcSeg = p.insn.prefixes.seg === null ? SegIndex.DS : p.insn.prefixes.seg & 31;
    for (let i = 0; ; i++) {
      if (repeated) {
        const c = readGpr(cpu, RCX, w);
        if (c === 0 && (w !== 8 || cpu.hi === 0)) return;
        if (i === REP_BATCH) {
          cpu.next = s.rip;
          return;
        }
      }
      if (i === 0) checkIoPermission(cpu, port, size);
      if (input) {
        cpu.resolve(regLinear(cpu, SegIndex.ES, RDI, w, size, ACC_WRITE), size, ACC_WRITE);
        cpu.writeResolved(size, portIn(cpu, port, size) >>> 0, 0);
        advance(cpu, RDI, w, delta);
      } else {
        const v = cpu.readLin(regLinear(cpu, srcSeg, RSI, w, size, ACC_READ), size);
        portOut(cpu, port, size, v);
        advance(cpu, RSI, w, delta);
      }
      if (!repeated) return;
      advance(cpu, RCX, w, -1);
    }
  };
}

export const IO_HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['in', execIn], ['out', execOut],
  ['insb', stringIo(true, 1)], ['insw', stringIo(true, 2)], ['insd', stringIo(true, 4)],
  ['outsb', stringIo(false, 1)], ['outsw', stringIo(false, 2)], ['outsd', stringIo(false, 4)],
]);
