import { describe, it, expect } from 'vitest';
import { DEFAULT_MAX_STEPS, parseArgs, parseMsrAssignment, parseUnsigned } from './args.ts';

describe('parseArgs', () => {
  it('parses run with every option', () => {
    const r = parseArgs(['run', 'a.asm', '--profile', 'skylake', '--msr', '0x3a=0x4', '--msr=0x480=5', '--max-steps', '100', '--json', 'b.asm']);
    expect(r.ok).toBe(true);
    if (!r.ok || r.command.cmd !== 'run') throw new Error('not run');
    expect(r.command.files).toEqual(['a.asm', 'b.asm']);
    expect(r.command.profile).toBe('skylake');
    expect([...r.command.msrs]).toEqual([[0x3a, 4n], [0x480, 5n]]);
    expect(r.command.maxSteps).toBe(100);
    expect(r.command.json).toBe(true);
  });

  it('defaults --max-steps', () => {
    const r = parseArgs(['run', 'a.asm']);
    expect(r.ok && r.command.cmd === 'run' && r.command.maxSteps).toBe(DEFAULT_MAX_STEPS);
  });

  it.each([
    [['run'], 'at least one FILE'],
    [['run', 'a.asm', '--msr', '0x3a'], 'INDEX=VALUE'],
    [['run', 'a.asm', '--msr', 'x=1'], 'not an MSR index'],
    [['run', 'a.asm', '--msr', '0x3a=0x10000000000000000'], 'not a 64-bit value'],
    [['run', 'a.asm', '--max-steps', '0'], 'positive whole number'],
    [['run', 'a.asm', '--max-steps', 'lots'], 'positive whole number'],
    [['run', 'a.asm', '--profile'], 'profile name'],
    [['run', 'a.asm', '--fast'], "unknown option '--fast'"],
    [['asm', 'a.asm'], '-o OUT.bin'],
    [['asm', '-o', 'x.bin'], 'wants a FILE'],
    [['asm', 'a.asm', 'b.asm', '-o', 'x'], 'one FILE'],
    [['inc', 'x'], 'no arguments'],
    [['profiles', '--yaml'], "unknown argument '--yaml'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('refuses %j', (argv, message) => {
    const r = parseArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('recognises help, asm, inc and profiles', () => {
    expect(parseArgs([])).toEqual({ ok: true, command: { cmd: 'help' } });
    expect(parseArgs(['run', '--help'])).toEqual({ ok: true, command: { cmd: 'help' } });
    expect(parseArgs(['asm', 'a.asm', '-o', 'a.bin', '--listing'])).toEqual({ ok: true, command: { cmd: 'asm', file: 'a.asm', out: 'a.bin', listing: true } });
    expect(parseArgs(['inc'])).toEqual({ ok: true, command: { cmd: 'inc' } });
    expect(parseArgs(['profiles', '--json'])).toEqual({ ok: true, command: { cmd: 'profiles', json: true } });
  });
});

describe('numbers', () => {
  it('reads decimal, 0x and h-suffix hex', () => {
    expect(parseUnsigned('42')).toBe(42n);
    expect(parseUnsigned('0x3A')).toBe(0x3an);
    expect(parseUnsigned('3ah')).toBe(0x3an);
    expect(parseUnsigned('0xffff_ffff')).toBe(0xffffffffn);
    expect(parseUnsigned('-1')).toBeUndefined();
    expect(parseUnsigned('')).toBeUndefined();
  });
  it('splits INDEX=VALUE', () => {
    expect(parseMsrAssignment('0x3a=0x4')).toEqual({ index: 0x3a, value: 4n });
    expect(parseMsrAssignment('0x100000000=1')).toContain('not an MSR index');
  });
});
