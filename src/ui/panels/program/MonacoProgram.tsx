// The Monaco editor for the Program panel (lazy chunk): lab-asm language, diagnostics as
// markers, the current line, breakpoints in the glyph margin (click to toggle).

import Editor, { type OnMount } from '@monaco-editor/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { LabDiagnostic, Vocabulary } from '../../../worker/api.ts';
import { monaco } from './monaco-setup.ts';
import { LAB_ASM, registerLabAsm, setCurrentValues } from './lab-asm.ts';
import { useLabStore } from '../../app/LabContext.tsx';
import { selectLine } from '../../store/selectors.ts';

export interface ProgramEditorProps {
  readonly value: string;
  readonly onChange: (text: string) => void;
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
  const wrap = useRef<HTMLDivElement>(null);
  const sizer = useRef<HTMLDivElement>(null);
  // The current line follows the store directly (a subscription, below): a Step renders nothing here.
  const store = useLabStore();
  const line = useRef<number | undefined>(undefined);
  setCurrentValues(p.valueOf);

  /** Puts the current-line overlay over the current line (after a Step or a layout change). */
  const placeCurrent = useCallback(() => {
    const ed = editorRef.current;
    const el = current.current;
    if (!ed || !el) return;
    const l = line.current;
    const top = l ? ed.getTopForLineNumber(l) - ed.getScrollTop() : -1e6;
    const height = ed.getOption(monaco.editor.EditorOption.lineHeight);
    el.hidden = !l;
    el.style.height = `${height}px`;
    el.style.transform = `translateY(${top}px)`;
  }, []);

  /**
   * Scrolls the wrapper (not the editor: it is as tall as its text) so that `line` is in view:
   * a line just below the view goes to its top (one line of context), one far away to its middle.
   */
  const showLine = useCallback((l: number) => {
    const ed = editorRef.current;
    const w = wrap.current;
    if (!ed || !w) return;
    const top = ed.getTopForLineNumber(l);
    const lh = ed.getOption(monaco.editor.EditorOption.lineHeight);
    const from = w.scrollTop;
    const height = w.clientHeight;
    if (top >= from && top + lh <= from + height) return;
    const below = top + lh > from + height && top < from + 2 * height;
    w.scrollTop = below ? Math.max(0, top - lh) : Math.max(0, top - height / 2 + lh / 2);
  }, []);

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    decorations.current = ed.createDecorationsCollection([]) as never;
    // F9 in the editor: breakpoint on the cursor's line.
    ed.addCommand(monaco.KeyCode.F9, () => {
      const pos = ed.getPosition();
      if (pos) toggle.current(pos.lineNumber);
    });
    // The editor is as tall as its text (all lines rendered once) and the wrapper scrolls it
    // natively: moving the view to another part of the program on a Step (a call, a jump) is then
    // a composited scroll, where Monaco's own scrolling rendered every line that came into view
    // (~10 ms, on about a third of the Steps of a program that calls a subroutine in a loop).
    const fit = (): void => {
      if (sizer.current) sizer.current.style.height = `${ed.getContentHeight()}px`;
    };
    ed.onDidContentSizeChange(fit);
    fit();
    // Typing or moving the cursor keeps it in view (the editor itself never scrolls vertically).
    ed.onDidChangeCursorPosition((e) => {
      if (ed.hasTextFocus()) showLine(e.position.lineNumber);
    });
    ed.onDidScrollChange(placeCurrent);
    ed.onDidLayoutChange(() => follow(line.current));
    ed.onDidChangeConfiguration(placeCurrent);
    ed.onDidChangeModelContent(placeCurrent);
    follow(selectLine(store.getState()));
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
  // moved with a transform, and the wrapper scrolls only when the line is out of view (decision
  // 0088). It follows the store from a subscription, when the Step's snapshot is set and before
  // React renders (the layout read by showLine is still clean then), so this component and the
  // Monaco wrapper do not render on a Step at all.
  const follow = useCallback((l: number | undefined) => {
    line.current = l;
    if (l) showLine(l);
    placeCurrent();
  }, [placeCurrent, showLine]);
  useEffect(() => {
    follow(selectLine(store.getState()));
    return store.subscribe((s, prev) => {
      const l = selectLine(s);
      if (l !== selectLine(prev)) follow(l);
    });
  }, [store, follow]);

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
    // No vertical scrolling of its own (see onMount); a vertical wheel goes to the wrapper.
    scrollbar: { vertical: 'hidden' as const, verticalScrollbarSize: 0, alwaysConsumeMouseWheel: false },
    // Sticky scroll re-renders its widget on every scroll (a Step that scrolls pays for it).
    stickyScroll: { enabled: false },
    // No translate3d layer hints on the lines and the margin: the editor never scrolls itself
    // (the wrapper does), and as composited layers of their own they made every Step's paint
    // about 1 ms longer (docs/performance.md, "Monaco's layers").
    disableLayerHinting: true,
    // The editor renders every line (it is as tall as its text), so each per-line decoration is
    // hundreds of elements the browser walks on every frame: no indentation guides (one painted
    // line per indented line, 290 in the bring-up) and no folding (the margin's fold icons).
    guides: { indentation: false },
    folding: false,
  }), [p.fontSize]);

  // Stable too: a new onChange makes the wrapper drop and re-add its content listener.
  const parentOnChange = p.onChange;
  const onChange = useCallback((v: string | undefined) => parentOnChange(v ?? ''), [parentOnChange]);

  return (
    <div className="monaco-wrap" ref={wrap}>
      <div className="monaco-sizer" ref={sizer}>
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
    </div>
  );
}
