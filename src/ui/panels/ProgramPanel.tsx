// The Program panel: Monaco, lazy-loaded (the plain text shows until it arrives), or a plain
// textarea with `?editor=plain`; diagnostics, the current line and breakpoints.

import { lazy, Suspense, useCallback, useEffect, useRef, type RefObject } from 'react';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab, useLabStore } from '../app/LabContext.tsx';
import { selectBreakpoints, selectDiagnostics, selectLine, selectSource, selectTheme } from '../store/selectors.ts';
import type { Vocabulary } from '../../worker/api.ts';

const MonacoProgram = lazy(() => import('./program/MonacoProgram.tsx'));

/** Whether the page asked for the plain editor (`?editor=plain`, for tests). */
export function plainEditorRequested(search: string): boolean {
  return new URLSearchParams(search).get('editor') === 'plain';
}

/** The current line under the editor: with the plain editor's follow, the only part of the panel that renders on a Step. */
function CurrentLine({ area }: { area: RefObject<HTMLTextAreaElement | null> }) {
  const source = useLab(selectSource);
  const line = useLab(selectLine);
  // The plain editor keeps the current line in view (Monaco's follows the store itself).
  useEffect(() => {
    const t = area.current;
    if (!t || !line) return;
    const lh = Number.parseFloat(getComputedStyle(t).lineHeight) || 18;
    const top = (line - 1) * lh;
    if (top < t.scrollTop || top > t.scrollTop + t.clientHeight - 2 * lh) t.scrollTop = Math.max(0, top - t.clientHeight / 3);
  }, [line, area]);
  const text = line ? source.split('\n', line)[line - 1]?.trim() ?? '' : '';
  return (
    <p className="mono current" aria-label="Current line">
      {line ? `line ${line}: ${text}` : 'RIP is outside the program'}
    </p>
  );
}

export function ProgramPanel({ plain, vocabulary }: { plain: boolean; vocabulary: () => Promise<Vocabulary> }) {
  const source = useLab(selectSource);
  const breakpoints = useLab(selectBreakpoints);
  const diagnostics = useLab(selectDiagnostics);
  const theme = useLab(selectTheme);
  const fontSize = useLab((s) => s.fontSize);
  const dirty = useLab((s) => s.source !== s.loadedSource && s.loadedSource !== '');
  // Monaco (~4 MB before gzip) is fetched only once the first snapshot is shown: on a cold load its
  // download, parse and start-up no longer compete with the machine's for the main thread
  // (decision 0079). The program shows as plain text until then.
  const machineReady = useLab((s) => s.snapshot !== null);
  const commands = useCommands();
  const onChange = useCallback((t: string) => commands.setSource(t), [commands]);
  const area = useRef<HTMLTextAreaElement>(null);
  const store = useLabStore();
  // Hover shows the value now: read from the store when asked, so no re-render per step.
  const valueOf = useCallback((word: string): string | undefined => {
    const snap = store.getState().snapshot;
    if (!snap) return undefined;
    const w = word.toUpperCase();
    return snap.gprs.find((g) => g.name === w)?.value
      ?? (w === 'RIP' ? snap.rip : undefined)
      ?? snap.crs.find((c) => c.name === w || c.name === `IA32_${w}`)?.value
      ?? snap.vmcs.fields.find((f) => f.name === word)?.value;
  }, [store]);
  const fallback = <pre className="plain-program" aria-label="Program text (loading editor)">{source}</pre>;
  return (
    <Panel name="Program" className="program">
      <div className="editor">
        {plain ? (
          <textarea ref={area} aria-label="Program text" value={source} onChange={(e) => onChange(e.target.value)} spellCheck={false} wrap="off"
            onKeyDown={(e) => {
              // F9 in the editor: breakpoint on the cursor's line (elsewhere: on the current line).
              if (e.key !== 'F9' || e.shiftKey) return;
              e.preventDefault();
              e.stopPropagation();
              const t = e.currentTarget;
              void commands.toggleBreakpoint(t.value.slice(0, t.selectionStart).split('\n').length);
            }} />
        ) : !machineReady ? fallback : (
          <Suspense fallback={fallback}>
            <MonacoProgram value={source} onChange={onChange} breakpoints={breakpoints} diagnostics={diagnostics}
              onToggleBreakpoint={(l) => void commands.toggleBreakpoint(l)} vocabulary={vocabulary} theme={theme} fontSize={fontSize} valueOf={valueOf} />
          </Suspense>
        )}
      </div>
      <div className="program-foot">
        {dirty && <p className="msg">The program changed: Reset assembles it and boots a fresh machine.</p>}
        <CurrentLine area={area} />
        {breakpoints.length > 0 && <p className="hint">Breakpoints: {breakpoints.map((b) => `line ${b}`).join(', ')}</p>}
        {diagnostics.length > 0 && (
          <ul className="diags" aria-label="Assembler diagnostics">
            {diagnostics.map((d, i) => <li key={i} className={d.severity}>line {d.line}:{d.col} {d.message}</li>)}
          </ul>
        )}
      </div>
    </Panel>
  );
}
