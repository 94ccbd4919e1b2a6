// Command-line parsing for `vmx-lab` (DESIGN section 6). Parsing never throws: it returns the
// command or a usage error, which main.ts prints with exit code 2.

import type { LessonCommand } from './commands/lesson.ts';

/** Default step budget of `run` when --max-steps is not given (docs/cli.md). */
export const DEFAULT_MAX_STEPS = 1_000_000;

export type Command =
  | { readonly cmd: 'help' }
  | {
      readonly cmd: 'run';
      readonly files: readonly string[];
      readonly profile?: string;
      readonly msrs: ReadonlyMap<number, bigint>;
      readonly maxSteps: number;
      readonly json: boolean;
      /** Device inputs (`--irq STEP:LINE`, `--nmi STEP`), in step order. */
      readonly raise?: readonly DeviceRaise[];
    }
  | { readonly cmd: 'asm'; readonly file: string; readonly out: string; readonly listing: boolean }
  | { readonly cmd: 'inc' }
  | { readonly cmd: 'profiles'; readonly json: boolean }
  | ({ readonly cmd: 'lesson' } & LessonCommand);

/** An interrupt line raised from the command line before step `step + 1`: IRQ 0-15, or 'nmi'. */
export interface DeviceRaise {
  readonly step: number;
  readonly line: number | 'nmi';
}

export type ParseResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly error: string };

const fail = (error: string): ParseResult => ({ ok: false, error });

/** Parses an unsigned integer written as decimal, 0x hex, or NASM-style h-suffixed hex. */
export function parseUnsigned(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^[0-9][0-9a-fA-F]*[hH]$/.test(t)) v = BigInt(`0x${t.slice(0, -1)}`);
  else if (/^[0-9]+$/.test(t)) v = BigInt(t);
  else return undefined;
  return v;
}

/** Parses `INDEX=VALUE` of `--msr`: INDEX a 32-bit MSR index, VALUE a 64-bit value. */
export function parseMsrAssignment(text: string): { index: number; value: bigint } | string {
  const eq = text.indexOf('=');
  if (eq < 0) return `--msr wants INDEX=VALUE, not '${text}'`;
  const index = parseUnsigned(text.slice(0, eq));
  const value = parseUnsigned(text.slice(eq + 1));
  if (index === undefined || index > 0xffffffffn) return `--msr: '${text.slice(0, eq)}' is not an MSR index (0 to 0xffffffff)`;
  if (value === undefined || value > 0xffffffffffffffffn) return `--msr: '${text.slice(eq + 1)}' is not a 64-bit value`;
  return { index: Number(index), value };
}

function parseRun(args: readonly string[]): ParseResult {
  const files: string[] = [];
  const msrs = new Map<number, bigint>();
  let profile: string | undefined;
  let maxSteps = DEFAULT_MAX_STEPS;
  let json = false;
  const raise: DeviceRaise[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--json') json = true;
    else if (flag === '--profile') {
      const v = value();
      if (!v) return fail('--profile wants a profile name (see `vmx-lab profiles`)');
      profile = v;
    } else if (flag === '--msr') {
      const v = value();
      if (!v) return fail('--msr wants INDEX=VALUE');
      const m = parseMsrAssignment(v);
      if (typeof m === 'string') return fail(m);
      msrs.set(m.index, m.value);
    } else if (flag === '--max-steps') {
      const v = value();
      const n = v === undefined ? undefined : parseUnsigned(v);
      if (n === undefined || n < 1n || n > BigInt(Number.MAX_SAFE_INTEGER)) return fail('--max-steps wants a positive whole number');
      maxSteps = Number(n);
    } else if (flag === '--nmi') {
      const v = value();
      const n = v === undefined ? undefined : parseUnsigned(v);
      if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER)) return fail('--nmi wants a step number (the NMI arrives after that many steps)');
      raise.push({ step: Number(n), line: 'nmi' });
    } else if (flag === '--irq') {
      const v = value() ?? '';
      const colon = v.indexOf(':');
      const n = colon < 0 ? undefined : parseUnsigned(v.slice(0, colon));
      const line = colon < 0 ? undefined : parseUnsigned(v.slice(colon + 1));
      if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER) || line === undefined || line > 15n) return fail('--irq wants STEP:LINE (LINE 0-15)');
      raise.push({ step: Number(n), line: Number(line) });
    } else if (a.startsWith('-') && a !== '-') return fail(`run: unknown option '${a}'`);
    else files.push(a);
  }
  if (files.length === 0) return fail('run wants at least one FILE');
  raise.sort((x, y) => x.step - y.step);
  return { ok: true, command: raise.length === 0 ? { cmd: 'run', files, profile, msrs, maxSteps, json } : { cmd: 'run', files, profile, msrs, maxSteps, json, raise } };
}

function parseAsm(args: readonly string[]): ParseResult {
  let file: string | undefined;
  let out: string | undefined;
  let listing = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-o') {
      out = args[++i];
      if (!out) return fail('-o wants an output file name');
    } else if (a === '--listing') listing = true;
    else if (a.startsWith('-')) return fail(`asm: unknown option '${a}'`);
    else if (file) return fail('asm takes one FILE');
    else file = a;
  }
  if (!file) return fail('asm wants a FILE');
  if (!out) return fail('asm wants -o OUT.bin');
  return { ok: true, command: { cmd: 'asm', file, out, listing } };
}

function parseLesson(args: readonly string[]): ParseResult {
  const [action, ...rest] = args;
  if (action === 'list') {
    const bad = rest.find((a) => a !== '--json');
    return bad ? fail(`lesson list: unknown argument '${bad}'`) : { ok: true, command: { cmd: 'lesson', action: 'list', json: rest.includes('--json') } };
  }
  if (action !== 'check' && action !== 'program') return fail("lesson wants 'list', 'check ID' or 'program ID'");
  let id: string | undefined;
  let file: string | undefined;
  let program: string | undefined;
  let profile: string | undefined;
  let json = false;
  let solution = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? rest[++i];
    if (flag === '--solution') solution = true;
    else if (flag === '--file') {
      file = value();
      if (!file) return fail('--file wants a LESSON.json (a lesson file exported from Author mode)');
    } else if (action === 'check' && flag === '--json') json = true;
    else if (action === 'check' && flag === '--program') {
      program = value();
      if (!program) return fail('--program wants a FILE');
    } else if (action === 'check' && flag === '--profile') {
      profile = value();
      if (!profile) return fail('--profile wants a profile name (see `vmx-lab profiles`)');
    } else if (a.startsWith('-')) return fail(`lesson ${action}: unknown option '${a}'`);
    else if (id) return fail(`lesson ${action} takes one lesson ID`);
    else id = a;
  }
  if (id !== undefined && file !== undefined) return fail(`lesson ${action} takes a lesson ID or --file LESSON.json, not both`);
  if (id === undefined && file === undefined) return fail(`lesson ${action} wants a lesson ID (see 'vmx-lab lesson list') or --file LESSON.json`);
  const lesson = file !== undefined ? { file } : { id: id! };
  if (program !== undefined && solution) return fail('lesson check takes --program FILE or --solution, not both');
  if (action === 'program') return { ok: true, command: { cmd: 'lesson', action, ...lesson, solution } };
  return { ok: true, command: { cmd: 'lesson', action, ...lesson, program, profile, json, solution } };
}

/** Parses the arguments after `vmx-lab`. */
export function parseArgs(argv: readonly string[]): ParseResult {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return { ok: true, command: { cmd: 'help' } };
  if (rest.includes('--help') || rest.includes('-h')) return { ok: true, command: { cmd: 'help' } };
  switch (cmd) {
    case 'run':
      return parseRun(rest);
    case 'asm':
      return parseAsm(rest);
    case 'inc':
      return rest.length ? fail(`inc takes no arguments, not '${rest[0]}'`) : { ok: true, command: { cmd: 'inc' } };
    case 'profiles': {
      const bad = rest.find((a) => a !== '--json');
      return bad ? fail(`profiles: unknown argument '${bad}'`) : { ok: true, command: { cmd: 'profiles', json: rest.includes('--json') } };
    }
    case 'lesson':
      return parseLesson(rest);
    default:
      return fail(`unknown command '${cmd}'`);
  }
}

/** The text of `vmx-lab --help`. */
export const HELP = `vmx-lab: the VMX Lab command line (docs/cli.md)

usage:
  vmx-lab run FILE... [--profile NAME] [--msr INDEX=VALUE]... [--max-steps N] [--json]
             [--irq STEP:LINE]... [--nmi STEP]...
      assemble and run each program on a fresh machine; --msr sets an MSR as firmware
      would have left it (e.g. --msr 0x3a=0x4); default --max-steps ${DEFAULT_MAX_STEPS};
      --irq / --nmi raise an 8259A input (0-15) / an NMI after STEP steps
  vmx-lab asm FILE -o OUT.bin [--listing]
      assemble to a flat binary (the bytes nasm -f bin makes with vmx.inc); --listing
      prints the listing on standard output
  vmx-lab inc
      print vmx.inc (every predefined symbol) for use with real NASM
  vmx-lab profiles [--json]
      list the CPU profiles
  vmx-lab lesson list [--json]
      list the lessons and broken-machine challenges
  vmx-lab lesson check (ID | --file LESSON.json) [--program FILE | --solution] [--profile NAME] [--json]
      check a program (default: the lesson's starting program) against the lesson's goals;
      exit code 0 when every goal passes, 1 when one fails, 2 when it does not assemble
  vmx-lab lesson program (ID | --file LESSON.json) [--solution]
      print the lesson's starting program (or its reference solution)

exit codes: 0 when every program ran (whatever it did); 1 when a lesson goal failed
(lesson check); 2 when a program did not assemble, a file could not be read, or the
command line was wrong.
`;
