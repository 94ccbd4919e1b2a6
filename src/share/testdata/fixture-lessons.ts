// Lessons the URL fixtures are made against. They are frozen test data, independent of the real
// curriculum (whose starting programs may change): never edit them, add new ones.
import { lessonStartState } from '../lesson-start.ts';
import type { LessonStartSource } from '../lesson-start.ts';
import type { LabState } from '../schema.ts';
import type { LessonLookup } from '../payload.ts';
import type { Lesson } from '../../lessons/format.ts';

const VMXON_START = `; Lesson fixture: enter VMX operation
bits 64
section .text
start:
    mov ecx, 0x3a          ; IA32_FEATURE_CONTROL
    rdmsr
    test eax, 1            ; lock bit
    jz .unlocked
    ; TODO: check bit 2 (VMX outside SMX)
.unlocked:
    mov rax, cr4
    or rax, 1 << 13        ; CR4.VMXE
    mov cr4, rax
    ; TODO: write the revision identifier, then VMXON
    hlt
`;

export const FIXTURE_LESSONS: readonly LessonStartSource[] = [
  { id: 'fixture-vmxon', start: VMXON_START, machine: { msrs: { '0x3a': '0' } }, profiles: ['core2-conroe'] },
  { id: 'fixture-empty', start: '', machine: { profile: 'skylake-client', regs: { rbx: '0x1000' } }, profiles: [] },
];

/** An older start of fixture-vmxon (its program before a comment was fixed): links made then still open. */
const OLD_VMXON: LabState = { ...lessonStartState(FIXTURE_LESSONS[0]!, 'core2-conroe'), program: VMXON_START.replace('lock bit', 'lock') };

export const FIXTURE_STARTS: ReadonlyMap<string, LabState> = new Map(FIXTURE_LESSONS.map((l) => [l.id, lessonStartState(l, 'core2-conroe')]));

/** The lookup the fixtures are decoded with. */
export const fixtureLookup: LessonLookup = (id) => {
  const s = FIXTURE_STARTS.get(id);
  if (s === undefined) return undefined;
  return id === 'fixture-vmxon' ? [s, OLD_VMXON] : s;
};

/**
 * An instructor's lesson the lab does not have built in: format-2 fixtures carry it (`L`). Frozen
 * like the others. Its solution is never carried by a link; it is here so the object is a whole lesson.
 */
export const FIXTURE_AUTHORED: Lesson = {
  id: 'fixture-authored',
  kind: 'challenge',
  title: 'Fixture: the unlocked feature control',
  summary: 'A broken machine of an instructor\'s making, carried inside its link.',
  text: '# The unlocked feature control\n\nFirmware left IA32_FEATURE_CONTROL **unlocked**. Lock it with VMX enabled.\n\n- read MSR 0x3a\n- set bits 0 and 2\n',
  start: '; fixture: lock feature control\n    mov ecx, 0x3a\n    rdmsr\n    or eax, 1\n    wrmsr\n    hlt\n',
  solution: '; fixture: lock feature control\n    mov ecx, 0x3a\n    rdmsr\n    or eax, 5\n    wrmsr\n    hlt\n',
  machine: { profile: 'core2-conroe', msrs: { '0x3a': 0 }, regs: { rbx: '0x1000' } },
  profiles: ['core2-conroe', 'arrow-lake'],
  hints: ['Bit 0 locks, bit 2 enables VMX outside SMX.', 'or eax, 5'],
  goals: [
    { kind: 'msr', label: 'IA32_FEATURE_CONTROL = 0x5', msr: '0x3a', equals: '0x5' },
    { kind: 'stop', label: 'the program halts', stop: 'halted' },
  ],
  maxSteps: 1000,
  sdm: ['Vol. 3C §24.7 Enabling and Entering VMX Operation'],
};
