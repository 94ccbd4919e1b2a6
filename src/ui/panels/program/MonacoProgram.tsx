// The Monaco editor for the Program panel (lazy chunk): lab-asm language, diagnostics as
// markers, the current line, breakpoints in the glyph margin (click to toggle).

import Editor, { type OnMount } from '@monaco-editor/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { LabDiagnostic, Vocabulary } from '../../../worker/api.ts';
import { monaco } from './monaco-setup.ts';
import { LAB_ASM, registerLabAsm, setCurrentValues } from './lab-asm.ts';

export interface ProgramEditorProps {
  readonly value: string;
  readonly onChange: (text: string) => void;
  readonly line?: number;
  readonly breakpoints: readonly number[];
  readonly diagnostics: readonly LabDiagnostic[];
  readonly onToggleBreakpoint: (line: number) => void;
  readonly vocabulary: () => Promise<Vocabulary>;
  readonly theme: 'light' | 'dark' | 'contrast';
  readonly fontSize: number;
  /** Current value of a register or VMCS field by name (hover). */
  readonly valueOf: (word: string) => string | undefined;
}

type Ed = Parameters<OnMount>[0];

export default function MonacoProgram(p: ProgramEditorProps) {
  const editorRef = useRef<Ed | null>(null);
  const decorations = useRef<{ set(d: unknown[]): void } | null>(null);
  const toggle = useRef(p.onToggleBreakpoint);
  toggle.current = p.onToggleBreakpoint;
  setCurrentValues(p.valueOf);

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    decorations.current = ed.createDecorationsCollection([]) as never;
    // F9 in the editor: breakpoint on the cursor's line.
    ed.addCommand(monaco.KeyCode.F9, () => {
      const pos = ed.getPosition();
      if (pos) toggle.current(pos.lineNumber);
    });
    ed.onMouseDown((e) => {
      const t = e.target;
      if (t.type === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN && t.position) toggle.current(t.position.lineNumber);
    });
    void p.vocabulary().then((v) => {
      registerLabAsm(monaco, v);
      const model = ed.getModel();
      if (model) monaco.editor.setModelLanguage(model, LAB_ASM);
    });
  };

  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || !decorations.current) return;
    const d: unknown[] = p.breakpoints.map((l) => ({ range: new monaco.Range(l, 1, l, 1), options: { glyphMarginClassName: 'bp-glyph', glyphMarginHoverMessage: { value: 'Breakpoint' } } }));
    if (p.line) {
      d.push({ range: new monaco.Range(p.line, 1, p.line, 1), options: { isWholeLine: true, className: 'lab-current-line', glyphMarginClassName: p.breakpoints.includes(p.line) ? 'bp-glyph current' : 'current-glyph' } });
      ed.revealLineInCenterIfOutsideViewport(p.line);
    }
    decorations.current.set(d);
  }, [p.line, p.breakpoints]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(model, 'lab-asm', p.diagnostics.map((x) => ({
      startLineNumber: x.line, startColumn: x.col, endLineNumber: x.line, endColumn: model.getLineMaxColumn(x.line),
      message: x.message, severity: x.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
    })));
  }, [p.diagnostics]);

  // One options object per font size: @monaco-editor/react calls updateOptions whenever the
  // object changes, and this component renders on every Step (the current line moves).
  const options = useMemo(() => ({
    glyphMargin: true, renderLineHighlight: 'none' as const, minimap: { enabled: false }, fontSize: p.fontSize - 1,
    scrollBeyondLastLine: false, automaticLayout: true, ariaLabel: 'Program text',
  }), [p.fontSize]);

  // Stable too: a new onChange makes the wrapper drop and re-add its content listener.
  const parentOnChange = p.onChange;
  const onChange = useCallback((v: string | undefined) => parentOnChange(v ?? ''), [parentOnChange]);

  return (
    <Editor
      height="100%"
      defaultLanguage="plaintext"
      value={p.value}
      theme={p.theme === 'contrast' ? 'hc-black' : p.theme === 'dark' ? 'vs-dark' : 'vs'}
      onChange={onChange}
      onMount={onMount}
      options={options}
    />
  );
}
