import { describe, it, expect } from 'vitest';
import { main } from './main.ts';
import { memoryIo } from './testing.ts';
import { PROFILES } from '../arch/profiles/index.ts';

describe('vmx-lab (in process)', () => {
  it('--help prints usage and exits 0', () => {
    const io = memoryIo();
    expect(main(['--help'], io)).toBe(0);
    expect(io.out).toContain('vmx-lab run FILE...');
  });

  it('a usage error exits 2 with a message on stderr', () => {
    const io = memoryIo();
    expect(main(['run'], io)).toBe(2);
    expect(io.err).toContain('run wants at least one FILE');
    expect(io.out).toBe('');
  });

  it('an unknown profile exits 2 and names the known ones', () => {
    const io = memoryIo({ 'a.asm': 'hlt\n' });
    expect(main(['run', 'a.asm', '--profile', 'pentium'], io)).toBe(2);
    expect(io.err).toContain("unknown profile 'pentium'");
    expect(io.err).toContain(PROFILES[0].id);
  });

  it('profiles lists every profile and marks the default', () => {
    const io = memoryIo();
    expect(main(['profiles'], io)).toBe(0);
    for (const p of PROFILES) expect(io.out).toContain(p.id);
    expect(io.out).toContain('(default)');
    const j = memoryIo();
    expect(main(['profiles', '--json'], j)).toBe(0);
    const rows = JSON.parse(j.out) as { id: string; default: boolean }[];
    expect(rows.map((r) => r.id)).toEqual(PROFILES.map((p) => p.id));
    expect(rows.filter((r) => r.default)).toHaveLength(1);
  });

  it('inc prints vmx.inc starting with the implied header', () => {
    const io = memoryIo();
    expect(main(['inc'], io)).toBe(0);
    expect(io.out.startsWith('bits 64\ndefault rel\n')).toBe(true);
    expect(io.out).toContain('LAB_BASE');
  });

  it('asm writes the flat binary and can print a listing', () => {
    const io = memoryIo({ 'p.asm': 'mov eax, 1\nhlt\n' });
    expect(main(['asm', 'p.asm', '-o', 'p.bin', '--listing'], io)).toBe(0);
    expect([...io.written.get('p.bin')!]).toEqual([0xb8, 1, 0, 0, 0, 0xf4]);
    expect(io.out).toMatch(/1 FFFF888000100000 B801000000\s+mov eax, 1/);
  });

  it('asm reports diagnostics as file:line:col and exits 2', () => {
    const io = memoryIo({ 'bad.asm': 'nop\nfrobnicate eax\n' });
    expect(main(['asm', 'bad.asm', '-o', 'x.bin'], io)).toBe(2);
    expect(io.err).toMatch(/^bad\.asm:2:\d+: error: /m);
    expect(io.written.size).toBe(0);
  });

  it('asm on a missing file exits 2', () => {
    const io = memoryIo();
    expect(main(['asm', 'nope.asm', '-o', 'x.bin'], io)).toBe(2);
    expect(io.err).toContain('cannot read nope.asm');
  });
});
