// Writes URL fixtures: `<name>.url` (the fragment as the lab produced it) and
// `<name>.normalized.json` (what it must open as). Existing fixtures are never overwritten or
// deleted: they are links handed out (and files saved), which must keep opening.
// State files are `<name>.vmxlab.json` beside their `<name>.normalized.json`. Run:
//   VMXLAB_NEW_FIXTURES=1 npx vitest run src/share/testdata/make-fixtures.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateFromFile, stateToFile } from '../file.ts';
import { decodeState, encodePayloadText, encodeState } from '../url.ts';
import type { LabState } from '../schema.ts';
import { lessonStartState } from '../lesson-start.ts';
import { fixtureLookup, FIXTURE_AUTHORED, FIXTURE_STARTS } from './fixture-lessons.ts';

const HERE = __dirname;
const vmxon = FIXTURE_STARTS.get('fixture-vmxon')!;
const empty = FIXTURE_STARTS.get('fixture-empty')!;
const oldVmxon = (fixtureLookup('fixture-vmxon') as readonly LabState[])[1]!;
const authored = lessonStartState(FIXTURE_AUTHORED, 'core2-conroe');
const bringup = readFileSync(join(HERE, '../../machine/conformance/bringup.asm'), 'utf8');

const FIXTURES: Record<string, () => string> = {
  'v0-program-only': () => `#s=${encodePayloadText({ code: 'bits 64\nvmxon [rel region]\nhlt\n' }, 0)}`,
  'v0-program-and-cpu': () => `#s=${encodePayloadText({ code: 'mov ecx, 0x480\nrdmsr\n', cpu: 'skylake-client' }, 0)}`,
  'v1-whole-state': () => encodeState({
    lesson: null, program: 'mov ecx, 0x3a\nrdmsr\n\tor eax, 5\nwrmsr\n', profile: 'ivy-bridge',
    msrs: { '0x3a': '0x0', '0x480': '0xda040000000012' }, regs: { rax: '0xffffffffffffffff', rbx: '0x1000', cr4: '0x2020' },
    breakpoints: [2, 4], editor: { fontSize: 16, wordWrap: true },
  }),
  'v1-lesson-start': () => encodeState(vmxon, vmxon),
  'v1-lesson-edited': () => encodeState({
    ...vmxon, lesson: { id: 'fixture-vmxon', step: 2 },
    program: vmxon.program.replace('    ; TODO: check bit 2 (VMX outside SMX)', '    test eax, 4\n    jz .no_vmx'),
    breakpoints: [9],
  }, vmxon),
  'v1-lesson-old-start': () => encodeState({ ...oldVmxon, program: `${oldVmxon.program}; done\n`, profile: 'arrow-lake' }, oldVmxon),
  'v1-lesson-regs': () => encodeState({ ...empty, regs: { rbx: '0x2000', rip: '0x7c00' }, msrs: { '0x3a': '0x5' } }, empty),
  'v1-unicode-program': () => encodeState({ ...empty, lesson: null, program: '; λ → VMX ✓ 😀\n\tnop\n' }),
  'v1-conformance-bringup': () => encodeState({ lesson: null, program: bringup, profile: 'core2-conroe', msrs: {}, regs: {}, breakpoints: [], editor: {} }),
  'v2-lesson-edited': () => encodeState({ ...vmxon, lesson: { id: 'fixture-vmxon', step: 1 }, program: `${vmxon.program}; v2\n`, breakpoints: [4] }, vmxon),
  'v2-whole-state': () => encodeState({ lesson: null, program: 'vmxoff\n', profile: 'westmere-arrandale', msrs: { '0x3a': '0x5' }, regs: { rcx: '0x3a' }, breakpoints: [1], editor: { fontSize: 20 } }),
  'v2-authored-start': () => encodeState(authored, undefined, FIXTURE_AUTHORED),
  'v2-authored-edited': () => encodeState({
    ...authored, lesson: { id: 'fixture-authored', step: 2 }, program: authored.program.replace('or eax, 1', 'or eax, 5'),
    profile: 'arrow-lake', msrs: { '0x3a': '0x0', '0x48b': '0x1ffffff00000000' }, breakpoints: [5], editor: { wordWrap: true },
  }, undefined, FIXTURE_AUTHORED),
};

const FILE_FIXTURES: Record<string, () => string> = {
  'v1-file-lesson': () => stateToFile({ ...vmxon, lesson: { id: 'fixture-vmxon', step: 1 }, breakpoints: [3, 12], editor: { wordWrap: false } }),
  'v2-file-authored': () => stateToFile({ ...authored, lesson: { id: 'fixture-authored', step: 1 }, program: `${authored.program}; saved\n` }, FIXTURE_AUTHORED),
};

/** Writes the fixtures that do not exist yet; returns what it wrote. */
function writeNew(): string[] {
  const made: string[] = [];
  for (const [name, make] of Object.entries(FIXTURES)) {
    const urlFile = join(HERE, `${name}.url`);
    if (existsSync(urlFile)) continue;
    const fragment = make();
    const r = decodeState(fragment, fixtureLookup);
    if (!r.ok) throw new Error(`${name}: ${r.message}`);
    writeFileSync(urlFile, `${fragment}\n`);
    writeFileSync(join(HERE, `${name}.normalized.json`), `${JSON.stringify(r, null, 2)}\n`);
    made.push(`${name}: ${fragment.length} characters`);
  }
  for (const [name, make] of Object.entries(FILE_FIXTURES)) {
    const file = join(HERE, `${name}.vmxlab.json`);
    if (existsSync(file)) continue;
    const text = make();
    const r = stateFromFile(text, fixtureLookup);
    if (!r.ok) throw new Error(`${name}: ${r.message}`);
    writeFileSync(file, text);
    writeFileSync(join(HERE, `${name}.normalized.json`), `${JSON.stringify(r, null, 2)}\n`);
    made.push(`${name}: ${text.length} characters`);
  }
  return made;
}

describe.runIf(process.env.VMXLAB_NEW_FIXTURES === '1')('new fixtures', () => {
  it('writes the fixtures that do not exist yet', () => {
    const made = writeNew();
    console.log(made.join('\n') || 'no new fixtures');
    expect(made.every((m) => m.length > 0)).toBe(true);
  });
});
