// The Lesson region (DESIGN section 7): the open lesson's title and text (Markdown, sanitised),
// hints that unlock one at a time, the goals with their state (checked in the worker from a fresh
// machine), and the list of lessons and challenges.

import { lazy, Suspense, useEffect } from 'react';
import { useStore } from 'zustand';
import { authoringStore } from '../authoring/authoring-store.ts';
import { Disclosure } from '../app/Disclosure.tsx';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab, useLabStore } from '../app/LabContext.tsx';
import { LessonList } from './lesson/LessonList.tsx';
import type { LessonCheckView, LessonView } from '../../worker/types.ts';

const LessonText = lazy(() => import('./lesson/LessonText.tsx'));
// Author mode (instructor authoring) loads only when asked for.
const AuthoringEditor = lazy(() => import('../authoring/AuthoringEditor.tsx'));

// The last `#lesson=` fragment handled: the panel can remount (moving columns) before the address is cleared.
let handledLessonLink = '';

/** A `#lesson=` link (an authored lesson) opens at load and when the address changes. */
function useLessonLinks(): void {
  const store = useLabStore();
  const commands = useCommands();
  useEffect(() => {
    const open = (): void => {
      if (!location.hash.startsWith('#lesson=') || location.hash === handledLessonLink) return;
      const hash = location.hash;
      handledLessonLink = hash;
      void import('../authoring/actions.ts').then((a) => a.openLessonLink(hash, store, commands));
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, [store, commands]);
}

function AuthorButton() {
  const open = useStore(authoringStore, (s) => s.open);
  return <button type="button" aria-pressed={open} onClick={() => authoringStore.setState({ open: !open })}>Author</button>;
}

function Notice() {
  const notice = useLab((s) => s.notice);
  const commands = useCommands();
  if (!notice) return null;
  return (
    <div role="alert" className="notice">
      <span>{notice}</span>
      <button type="button" onClick={() => commands.dismissNotice()}>Dismiss</button>
    </div>
  );
}

function Hints({ lesson }: { lesson: LessonView }) {
  const shown = useLab((s) => s.hintsShown);
  const commands = useCommands();
  if (lesson.hints.length === 0) return null;
  return (
    <section aria-label="Hints">
      <h4>Hints</h4>
      {shown > 0 && <ol className="hints">{lesson.hints.slice(0, shown).map((h, i) => <li key={i}>{h}</li>)}</ol>}
      {shown < lesson.hints.length
        ? <button type="button" onClick={() => commands.showHint()}>{shown === 0 ? 'Show a hint' : 'Show the next hint'} ({shown + 1} of {lesson.hints.length})</button>
        : <p className="hint">All {lesson.hints.length} hints shown.</p>}
    </section>
  );
}

function Goals({ lesson, results }: { lesson: LessonView; results: LessonCheckView | null }) {
  const checking = useLab((s) => s.checking);
  const commands = useCommands();
  return (
    <section aria-label="Goals">
      <h4>Goals</h4>
      {results && !results.assembled && <p className="bad">The program does not assemble: {results.diagnostics[0]?.message ?? ''} (line {results.diagnostics[0]?.line})</p>}
      <ul className="goals" aria-label="Goals">
        {lesson.goals.map((g, i) => {
          const r = results?.assembled ? results.goals[i] : undefined;
          const state = r ? (r.passed ? 'passed' : 'failed') : 'pending';
          return (
            <li key={i} className={`goal ${state}`} data-state={state}>
              <span className="goal-mark" aria-hidden="true">{state === 'passed' ? '✓' : state === 'failed' ? '✗' : '○'}</span>
              <span className="goal-label">{g.label}</span>
              <span className="goal-state">{' '}{state}</span>
              {r && !r.passed && <div className="goal-detail">{r.detail}</div>}
            </li>
          );
        })}
      </ul>
      {results?.passed && <p className="ok" role="status">Every goal passed on {results.profile}: lesson solved.</p>}
      <button type="button" disabled={checking} onClick={() => void commands.checkGoals()}>{checking ? 'Checking…' : 'Check goals'}</button>
      {results && <span className="hint"> checked on {results.profile}, {results.steps} steps{results.stop ? `, ended: ${results.stop}` : ''}</span>}
    </section>
  );
}

function OpenLesson({ lesson }: { lesson: LessonView }) {
  const results = useLab((s) => s.goalResults);
  const commands = useCommands();
  return (
    <article className="lesson-open">
      <h3>{lesson.kind === 'challenge' ? 'Challenge: ' : ''}{lesson.title}</h3>
      {lesson.id.startsWith('authored:') && <p className="hint">An instructor's lesson, not built into this lab (Share carries it in the link; Author edits it).</p>}
      <Suspense fallback={<p className="hint">{lesson.summary}</p>}>
        <LessonText text={lesson.text} />
      </Suspense>
      <Goals lesson={lesson} results={results} />
      <Hints lesson={lesson} />
      {lesson.sdm.length > 0 && <p className="hint">SDM: {lesson.sdm.join('; ')}</p>}
      <p className="lesson-actions">
        <button type="button" onClick={() => void commands.openLesson(lesson.id)}>Start over</button>
        <button type="button" onClick={() => {
          if (typeof history !== 'undefined') history.replaceState(null, '', location.pathname);
          void commands.closeLesson();
        }}>Leave the lesson</button>
      </p>
    </article>
  );
}

export function LessonPanel({ embed = false }: { embed?: boolean }) {
  const lesson = useLab((s) => s.lesson);
  const authoring = useStore(authoringStore, (s) => s.open) && !embed;
  useLessonLinks();
  return (
    <Panel name="Lesson" className="lesson" actions={embed ? undefined : <AuthorButton />}>
      <Notice />
      {authoring && <Suspense fallback={<p className="hint">Loading the lesson editor…</p>}><AuthoringEditor /></Suspense>}
      {lesson ? <OpenLesson lesson={lesson} />
        : <p className="hint">No lesson is open. The program on the left is a complete VT-x bring-up: press <kbd>F10</kbd> to step through it, or <kbd>F5</kbd> to run it to the guest's VMCALL exits. Or open a lesson:</p>}
      {!embed && (
        <Disclosure key={lesson ? 'in' : 'out'} summary={lesson ? 'All lessons and challenges' : 'Lessons and challenges'} defaultOpen={!lesson}>
          <LessonList />
        </Disclosure>
      )}
    </Panel>
  );
}
