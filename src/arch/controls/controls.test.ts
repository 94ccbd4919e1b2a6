import { describe, expect, it } from 'vitest';
import { bitfieldProblems, duplicates, sdmRefProblems } from '../check.ts';
import { PROFILES } from '../profiles/index.ts';
import { NASM_IDENTIFIER } from '../symbols.ts';
import {
  ALL_CONTROLS, CONTROL_WORDS, ENTRY, EXIT, EXIT2, PIN_BASED, PRIMARY, SECONDARY, TERTIARY, VMFUNC,
  allowedSettings, controlMask, findControl,
} from './index.ts';

describe('control tables (SDM Vol. 3C §25.6-25.8)', () => {
  it('names and aliases are unique NASM identifiers', () => {
    const names = ALL_CONTROLS.flatMap((b) => [b.name, ...b.aliases]);
    expect(duplicates(names)).toEqual([]);
    for (const n of names) expect(n).toMatch(NASM_IDENTIFIER);
  });

  it.each(CONTROL_WORDS.map((w) => [w.info.word, w] as const))('%s: bits unique, in range, documented, referenced', (_w, { info, bits }) => {
    expect(duplicates(bits.map((b) => b.bit))).toEqual([]);
    for (const b of bits) {
      expect(b.word).toBe(info.word);
      expect(b.bit).toBeLessThan(info.width);
      expect(b.doc.length).toBeGreaterThan(5);
      expect(sdmRefProblems(b.name, b.sdm)).toEqual([]);
    }
    expect(sdmRefProblems(info.title, info.sdm)).toEqual([]);
  });

  it('bitfield views are sound', () => {
    for (const bf of [PIN_BASED, PRIMARY, SECONDARY, TERTIARY, EXIT, EXIT2, ENTRY, VMFUNC]) expect(bitfieldProblems(bf)).toEqual([]);
  });

  it('default1 classes (Appendix A.2): only the TRUE-relaxable bits are named controls', () => {
    const named = (word: string) => controlMask(ALL_CONTROLS.filter((b) => b.word === word));
    const d1 = Object.fromEntries(CONTROL_WORDS.map((w) => [w.info.word, w.info.default1]));
    expect(named('pin') & d1.pin!).toBe(0n);
    expect(named('primary') & d1.primary!).toBe((1n << 15n) | (1n << 16n));
    expect(named('exit') & d1.exit!).toBe(1n << 2n);
    expect(named('entry') & d1.entry!).toBe(1n << 2n);
  });

  it('Linux names and seed aliases have the SDM values', () => {
    const v = (n: string) => 1n << BigInt(findControl(n)!.bit);
    expect(v('CPU_BASED_HLT_EXITING')).toBe(0x80n);
    expect(v('CPU_BASED_ACTIVATE_SECONDARY_CONTROLS')).toBe(0x8000_0000n);
    expect(v('CPU_BASED_CTL2_ENABLE_EPT')).toBe(0x2n);
    expect(v('CPU_BASED_CTL2_RDTSCP')).toBe(0x8n);
    expect(v('CPU_BASED_CTL2_ENABLE_VPID')).toBe(0x20n);
    expect(v('CPU_BASED_CTL2_UNRESTRICTED_GUEST')).toBe(0x80n);
    expect(v('CPU_BASED_CTL2_ENABLE_VMFUNC')).toBe(0x2000n);
    expect(v('VM_EXIT_HOST_ADDR_SPACE_SIZE')).toBe(0x200n);
    expect(v('VM_EXIT_IA32E_MODE')).toBe(0x200n);
    expect(v('VM_ENTRY_IA32E_MODE')).toBe(0x200n);
    expect(v('VM_ENTRY_LOAD_GUEST_PAT')).toBe(0x4000n);
    // The seed's PIN_BASED_VM_EXECUTION_CONTROLS_* #defines are one bit off; the SDM places NMI exiting at bit 3.
    expect(v('PIN_BASED_VM_EXECUTION_CONTROLS_NMI_EXITING')).toBe(0x8n);
    expect(v('PIN_BASED_POSTED_INTR')).toBe(0x80n);
  });

  it('allowed settings split the capability MSR', () => {
    const primary = CONTROL_WORDS[1]!.info;
    expect(allowedSettings(primary, 0xfff9_fffe_0401_e172n)).toEqual({ allowed0: 0x0401_e172n, allowed1: 0xfff9_fffen });
    const tertiary = CONTROL_WORDS[3]!.info;
    expect(allowedSettings(tertiary, 0x10n)).toEqual({ allowed0: 0n, allowed1: 0x10n });
  });

  it('no profile allows a control bit the tables do not know', () => {
    for (const p of PROFILES) {
      for (const { info, bits } of CONTROL_WORDS) {
        const msr = p.msrs[info.capabilityMsr];
        if (msr === undefined) continue;
        const { allowed1 } = allowedSettings(info, msr);
        const unknown = allowed1 & ~controlMask(bits) & ~info.default1;
        expect(unknown, `${p.id} ${info.word}`).toBe(0n);
      }
    }
  });
});
