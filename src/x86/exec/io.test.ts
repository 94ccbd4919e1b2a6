// INS and OUTS (SDM Vol. 2A "INS/INSB/INSW/INSD", Vol. 2B "OUTS/OUTSB/OUTSW/OUTSD"): port DX,
// ES:[rDI] / seg:[rSI], REP with the count at the address size, DF, the I/O permission check.
import { describe, expect, it } from 'vitest';
import { F, IOPL_SHIFT } from '../archbits.ts';
import type { X86Fault } from '../fault.ts';
import { makeRig, reg, run1, setReg, T, type TestRig } from '../testing.ts';

const RCX = 1, RDX = 2, RSI = 6, RDI = 7;

function fault(rig: TestRig, bytes: string): X86Fault | null {
  try { run1(rig, bytes); } catch (e) { return e as X86Fault; }
  return null;
}

describe('INS/OUTS', () => {
  it('REP OUTSB writes RCX bytes from [RSI] to port DX and advances RSI', () => {
    const rig = makeRig();
    [0x11, 0x22, 0x33].forEach((b, i) => rig.mem.write8(0x9000 + i, b));
    setReg(rig, RSI, 0x9000n);
    setReg(rig, RDX, 0x3f8n);
    setReg(rig, RCX, 3n);
    run1(rig, 'f3 6e');
    expect(rig.io.outs).toEqual([[0x3f8, 1, 0x11], [0x3f8, 1, 0x22], [0x3f8, 1, 0x33]]);
    expect([reg(rig, RSI), reg(rig, RCX)]).toEqual([0x9003n, 0n]);
  });
  it('INSW stores the port\'s word at ES:[RDI]; DF = 1 walks down', () => {
    const rig = makeRig();
    rig.io.inValue = 0xbeef;
    setReg(rig, RDI, 0x9100n);
    setReg(rig, RDX, 0x60n);
    rig.cpu.state.rflags |= F.DF;
    run1(rig, '66 6d');
    expect(rig.mem.read16(0x9100)).toBe(0xbeef);
    expect(reg(rig, RDI)).toBe(0x90fen);
  });
  it('at CPL 3 with IOPL 0 the TSS bitmap decides: a denied port is #GP(0) and nothing moves', () => {
    const rig = makeRig();
    const s = rig.cpu.state;
    s.segSel[1] = T.CS3;
    s.segAr[1] = s.segAr[1]! | (3 << 5);
    rig.cpu.stateChanged();
    s.rflags = (F.FIXED | (0 << IOPL_SHIFT)) >>> 0;
    rig.mem.write16(T.TSS + 0x66, 0x68);
    rig.mem.write8(T.TSS + 0x68 + (0x80 >> 3), 0x01); // port 80h denied
    setReg(rig, RDX, 0x80n);
    setReg(rig, RSI, 0x9000n);
    expect(fault(rig, '6e')).toMatchObject({ vector: 13, errorCode: 0 });
    expect(rig.io.outs).toEqual([]);
    expect(reg(rig, RSI)).toBe(0x9000n);
  });
  it('INS whose destination faults performs no port read', () => {
    const rig = makeRig();
    let reads = 0;
    rig.io.in = () => { reads++; return 0; };
    setReg(rig, RDI, 0x8000_0000_0000n); // not canonical
    setReg(rig, RDX, 0x60n);
    expect(fault(rig, '6c')?.vector).toBe(13);
    expect(reads).toBe(0);
  });
});
