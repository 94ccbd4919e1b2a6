// GNU objdump as a reference disassembler for tests (binutils 2.40, `-M intel`).
// Runs it on a flat binary and reads its listing back; and puts both its text and ours
// into one canonical form so the comparison ignores spelling, not meaning.
//
// Normalisations (each is a difference of notation, never of operands):
//  - case, and whitespace after commas and between mnemonic and operands;
//  - objdump's `BYTE/WORD/DWORD/QWORD/TBYTE/OWORD/XMMWORD/FWORD PTR` and NASM's size
//    keywords (`byte qword ...`) are dropped: the operand size is implied by the
//    instruction, and the decoder tests check sizes separately;
//  - segment overrides: objdump's `fs:[rax]` and `fs:0x10` become `[fs:rax]` and `[fs:0x10]`
//    (NASM's placement); `ds:`/`es:`/`cs:`/`ss:` are dropped (ignored in 64-bit mode, and
//    objdump prints the defaults of string instructions);
//  - objdump's `# 0x...` comment after a RIP-relative operand, and our `; ...` comments;
//  - mnemonic spellings: `movabs` is `mov`, `repz`/`repnz` are `repe`/`repne`, and
//    objdump's string forms `movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]` are `movsq`;
//  - a shift count written `1` and `0x1` are the same.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One instruction of objdump's listing. */
export interface ObjdumpLine {
  readonly address: bigint;
  readonly bytes: readonly number[];
  /** Mnemonic and operands as objdump printed them (comment included). */
  readonly text: string;
}

/** True when `objdump` runs on this machine. */
export function hasObjdump(): boolean {
  try {
    execFileSync('objdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Disassembles a flat x86-64 image placed at `vma` with `objdump -D -b binary -m i386:x86-64 -M intel`. */
export function objdump(bytes: Uint8Array, vma: bigint, arch: 'i386:x86-64' | 'i386' | 'i8086' = 'i386:x86-64'): ObjdumpLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'vmxlab-objdump-'));
  try {
    const file = join(dir, 'code.bin');
    writeFileSync(file, bytes);
    const out = execFileSync(
      'objdump',
      ['-D', '-b', 'binary', '-m', arch, '-M', 'intel', '-w', `--adjust-vma=0x${vma.toString(16)}`, file],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    return parseListing(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses `-w` (wide) listing lines `addr:\tbytes \ttext`. */
export function parseListing(out: string): ObjdumpLine[] {
  const lines: ObjdumpLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$/.exec(line);
    if (!m) continue;
    lines.push({
      address: BigInt(`0x${m[1]}`),
      bytes: m[2]!.split(' ').filter(Boolean).map((h) => parseInt(h, 16)),
      text: (m[3] ?? '').trim(),
    });
  }
  return lines;
}

const STRING_OPS = new Set(['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']);
const SIZE_SUFFIX: Record<string, string> = { byte: 'b', word: 'w', dword: 'd', qword: 'q' };

/** Canonical form of an Intel-syntax instruction text, ours or objdump's (see the file header). */
export function canonical(text: string): string {
  let t = text.toLowerCase();
  t = t.replace(/\s+[#;].*$/, '').trim();
  // String instructions: objdump spells the implicit operands out; fold them into the suffix.
  const sm = /^((?:rep[a-z]*\s+)?)(movs|cmps|stos|lods|scas|ins|outs)\s+(byte|word|dword|qword)\s+ptr\b.*$/.exec(t);
  if (sm && STRING_OPS.has(sm[2]!)) t = `${sm[1]}${sm[2]}${SIZE_SUFFIX[sm[3]!]}`;
  t = t.replace(/\b(?:byte|word|dword|qword|tbyte|tword|oword|xmmword|fword)(?:\s+ptr)?\s+(?=[\[a-z]+:|\[)/g, '');
  t = t.replace(/\b(?:byte|word|dword|qword|tbyte|tword|oword|xmmword|fword)\s+ptr\s+/g, '');
  // seg:[x] -> [seg:x]; seg:0x10 -> [seg:0x10]
  t = t.replace(/\b([cdefgs]s):\[/g, '[$1:');
  t = t.replace(/(^|[\s,])([cdefgs]s):(-?0x[0-9a-f]+)/g, '$1[$2:$3]');
  t = t.replace(/\[(?:cs|ds|es|ss):/g, '[');
  t = t.replace(/^movabs\b/, 'mov').replace(/^repz\b/, 'repe').replace(/^repnz\b/, 'repne');
  t = t.replace(/\s*,\s*/g, ',').replace(/\s+/g, ' ');
  t = t.replace(/,1$/, ',0x1');
  return t;
}
