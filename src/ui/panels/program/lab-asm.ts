// The lab-asm language for Monaco: highlighting of mnemonics, registers, predefined symbols,
// numbers, strings and comments; completion of every mnemonic and predefined symbol; hover docs
// with the symbol's value. The word lists come from the worker (src/arch and the x86 table).

import type { Vocabulary } from '../../../worker/api.ts';
import type { monaco as Monaco } from './monaco-setup.ts';

export const LAB_ASM = 'lab-asm';

const REGISTERS = `rax rbx rcx rdx rsi rdi rsp rbp r8 r9 r10 r11 r12 r13 r14 r15 eax ebx ecx edx esi edi esp ebp
r8d r9d r10d r11d r12d r13d r14d r15d ax bx cx dx si di sp bp r8w r9w r10w r11w r12w r13w r14w r15w al bl cl dl
ah bh ch dh sil dil spl bpl r8b r9b r10b r11b r12b r13b r14b r15b cs ds es fs gs ss cr0 cr2 cr3 cr4 cr8
dr0 dr1 dr2 dr3 dr6 dr7 rip`.split(/\s+/);
const DIRECTIVES = 'db dw dd dq resb resw resd resq times align equ section bits default org byte word dword qword rel ptr'.split(' ');

let registered = false;
/** The current value of a register or VMCS field by name, for hover (set by the editor component). */
let currentValue: (word: string) => string | undefined = () => undefined;

/** Tells the hover where current values come from. */
export function setCurrentValues(lookup: (word: string) => string | undefined): void {
  currentValue = lookup;
}

/** Registers the language once (tokens, completion, hover). */
export function registerLabAsm(monaco: typeof Monaco, vocab: Vocabulary): void {
  if (registered) return;
  registered = true;
  const symbols = new Map(vocab.symbols.map((s) => [s.name, s]));
  monaco.languages.register({ id: LAB_ASM });
  monaco.languages.setMonarchTokensProvider(LAB_ASM, {
    ignoreCase: true,
    mnemonics: vocab.mnemonics,
    registers: REGISTERS,
    directives: DIRECTIVES,
    symbols: vocab.symbols.map((x) => x.name),
    tokenizer: {
      root: [
        [/;.*$/, 'comment'],
        [/%\w+/, 'keyword.directive'],
        [/[.A-Za-z_?][\w.?$#@~]*:/, 'type.identifier'],
        [/[.A-Za-z_?][\w.?$#@~]*/, { cases: { '@mnemonics': 'keyword', '@registers': 'variable.predefined', '@directives': 'keyword.directive', '@symbols': 'constant', '@default': 'identifier' } }],
        [/0x[0-9a-f_]+|[0-9][0-9a-f_]*h\b|0b[01_]+|\d+/, 'number'],
        [/'[^']*'|"[^"]*"|`[^`]*`/, 'string'],
      ],
    },
  } as never);
  monaco.languages.registerCompletionItemProvider(LAB_ASM, {
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const K = monaco.languages.CompletionItemKind;
      return {
        suggestions: [
          ...vocab.mnemonics.map((m) => ({ label: m, kind: K.Keyword, insertText: m, range })),
          ...vocab.symbols.map((s) => ({ label: s.name, kind: K.Constant, insertText: s.name, detail: s.value, documentation: s.doc, range })),
        ],
      };
    },
  });
  monaco.languages.registerHoverProvider(LAB_ASM, {
    provideHover(model, position) {
      const w = model.getWordAtPosition(position);
      if (!w) return null;
      const s = symbols.get(w.word);
      const now = currentValue(w.word);
      if (!s && now === undefined) return null;
      const contents = s ? [{ value: `**${s.name}** = \`${s.value}\`` }, { value: s.doc }] : [{ value: `**${w.word}**` }];
      if (now !== undefined) contents.push({ value: `now: \`${now}\`` });
      return { contents };
    },
  });
}
