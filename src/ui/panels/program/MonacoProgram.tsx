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
  const current = useRef<HTMLDivElement>(null);
  const line = useRef(p.line);
  line.current = p.line;
  setCurrentValues(p.valueOf);

  /** Puts the current-line overlay over the current line (after a Step, a scroll or a layout change). */
  const placeCurrent = useCallback(() => {
    const ed = editorRef.current;
    const el = current.current;
    if (!ed || !el) return;
    const l = line.current;
    const top = l ? ed.getTopForLineNumber(l) - ed.getScrollTop() : -1e6;
    const height = ed.getOption(monaco.editor.EditorOption.lineHeight);
    el.hidden = !l || top + height <= 0 || top >= ed.getLayoutInfo().height;
    el.style.height = `${height}px`;
    el.style.transform = `translateY(${top}px)`;
  }, []);

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    decorations.current = ed.createDecorationsCollection([]) as never;
    // F9 in the editor: breakpoint on the cursor's line.
    ed.addCommand(monaco.KeyCode.F9, () => {
      const pos = ed.getPosition();
      if (pos) toggle.current(pos.lineNumber);
    });
    ed.onDidScrollChange(placeCurrent);
    ed.onDidLayoutChange(placeCurrent);
    ed.onDidChangeConfiguration(placeCurrent);
    ed.onDidChangeModelContent(placeCurrent);
    placeCurrent();
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

  // Breakpoints are decorations (they change when the learner toggles one).
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || !decorations.current) return;
    decorations.current.set(p.breakpoints.map((l) => ({ range: new monaco.Range(l, 1, l, 1), options: { glyphMarginClassName: 'bp-glyph', glyphMarginHoverMessage: { value: 'Breakpoint' } } })));
  }, [p.breakpoints]);

  // The current line moves on every Step. As a decoration it made Monaco render every visible
  // line again and measure the DOM (about 4 ms a Step); it is an overlay of our own instead,
  // moved with a transform, and the editor scrolls only when the line is out of view.
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed) return;
    const line = p.line;
    if (line && !ed.getVisibleRanges().some((r) => line > r.startLineNumber && line < r.endLineNumber)) ed.revealLineInCenterIfOutsideViewport(line);
    placeCurrent();
  }, [p.line, placeCurrent]);

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
    <div className="monaco-wrap">
      <Editor
        height="100%"
        defaultLanguage="plaintext"
        value={p.value}
        theme={p.theme === 'contrast' ? 'hc-black' : p.theme === 'dark' ? 'vs-dark' : 'vs'}
        onChange={onChange}
        onMount={onMount}
        options={options}
      />
      <div ref={current} className="lab-current-line" aria-hidden="true" hidden />
    </div>
  );
}
