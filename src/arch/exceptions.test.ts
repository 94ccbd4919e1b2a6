import { describe, expect, it } from 'vitest';
import { sdmRefProblems } from './check.ts';
import { EXCEPTIONS, PF_ERROR_CODE, VECTOR, exceptionInfo, secondEventOutcome } from './exceptions.ts';

describe('exception table (SDM Vol. 3A §6.15)', () => {
  it('has vectors 0-31 in order, documented and referenced', () => {
    expect(EXCEPTIONS.map((e) => e.vector)).toEqual([...Array(32).keys()]);
    for (const e of EXCEPTIONS) {
      expect(e.doc.length).toBeGreaterThan(3);
      expect(sdmRefProblems(`vector ${e.vector}`, e.sdm)).toEqual([]);
    }
  });
  it('error codes are pushed exactly for #DF #TS #NP #SS #GP #PF #AC #CP', () => {
    expect(EXCEPTIONS.filter((e) => e.errorCode).map((e) => e.vector)).toEqual([8, 10, 11, 12, 13, 14, 17, 21]);
  });
  it('VECTOR agrees with the table', () => {
    for (const [name, v] of Object.entries(VECTOR)) expect(exceptionInfo(v).linux === name || exceptionInfo(v).mnemonic === `#${name}`).toBe(true);
  });
  it('mnemonics are unique', () => {
    const m = EXCEPTIONS.map((e) => e.mnemonic).filter((x) => x !== null);
    expect(new Set(m).size).toBe(m.length);
  });
});

describe('double faults (SDM Vol. 3A §6.15, Interrupt 8)', () => {
  it('contributory after contributory is #DF', () => {
    expect(secondEventOutcome(VECTOR.GP, VECTOR.NP)).toBe('double-fault');
    expect(secondEventOutcome(VECTOR.DE, VECTOR.GP)).toBe('double-fault');
  });
  it('page fault after page fault or contributory is #DF; contributory then #PF is serial', () => {
    expect(secondEventOutcome(VECTOR.PF, VECTOR.PF)).toBe('double-fault');
    expect(secondEventOutcome(VECTOR.PF, VECTOR.GP)).toBe('double-fault');
    expect(secondEventOutcome(VECTOR.GP, VECTOR.PF)).toBe('serial');
  });
  it('benign first events are serial; faults during #DF shut down', () => {
    expect(secondEventOutcome(VECTOR.UD, VECTOR.GP)).toBe('serial');
    expect(secondEventOutcome(0x20, VECTOR.PF)).toBe('serial');
    expect(secondEventOutcome(VECTOR.DF, VECTOR.GP)).toBe('triple-fault');
    expect(secondEventOutcome(VECTOR.DF, VECTOR.PF)).toBe('triple-fault');
  });
  it('#PF error-code bits', () => {
    expect(PF_ERROR_CODE.of('P', 'WR', 'US', 'RSVD', 'ID', 'PK', 'SS')).toBe(0x7fn);
    expect(PF_ERROR_CODE.mask.SGX).toBe(0x8000n);
  });
});
