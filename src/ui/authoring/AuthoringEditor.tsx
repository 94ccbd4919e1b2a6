// Author mode (issue 6, instructor authoring): a lesson's title, summary, Markdown text (with the
// Lesson panel's sanitised preview), starting program and solution, starting machine (profile,
// firmware MSRs, CR presets), hints and goals (JSON, validated by validateLesson with each error by
// its path; "Add goal" inserts a template of a kind); "Try goals" on the start and the solution;
// the lesson as a file (download, import) and opened in the lab as a student sees it. Loaded lazily.

import { cloneElement, lazy, Suspense, useId, useRef, useState, type ReactElement } from 'react';
import { useStore } from 'zustand';
import { useCommands, useLab, useLabStore } from '../app/LabContext.tsx';
import { authoringStore } from './authoring-store.ts';
import { copyBuiltIn, edit, exportFile, exportLink, importFile, newFromProgram, openInLab, tryGoals } from './actions.ts';
import { addGoal, GOAL_TEMPLATES, type LessonDraft } from './draft.ts';
import { TryResults } from './TryResults.tsx';
import './authoring.css';

const LessonText = lazy(() => import('../panels/lesson/LessonText.tsx'));

// The label names its control by id (a control nested in its label would add its own value to its name).
function Field({ label, children }: { label: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return <div className="author-field"><label htmlFor={id}>{label}</label>{cloneElement(children, { id })}</div>;
}

function Text({ label, field, draft, rows }: { label: string; field: keyof LessonDraft; draft: LessonDraft; rows?: number }) {
  const value = String(draft[field]);
  return (
    <Field label={label}>
      {rows ? <textarea rows={rows} spellCheck={false} value={value} onChange={(e) => edit({ [field]: e.currentTarget.value })} />
        : <input type="text" spellCheck={false} value={value} onChange={(e) => edit({ [field]: e.currentTarget.value })} />}
    </Field>
  );
}

function Machine({ draft }: { draft: LessonDraft }) {
  const profiles = useLab((s) => s.profiles);
  return (
    <fieldset>
      <legend>Starting machine</legend>
      <Field label="Profile">
        <select value={draft.profile} onChange={(e) => edit({ profile: e.currentTarget.value })}>
          <option value="">the lab's default</option>
          {profiles.map((p) => <option key={p.id} value={p.id}>{p.id}</option>)}
        </select>
      </Field>
      <Text label="Solution checked on profiles (comma separated)" field="profiles" draft={draft} />
      <Text label="Firmware MSRs (index = value, one a line; 0x3a = 0x0: feature control unlocked)" field="msrs" draft={draft} rows={2} />
      <div className="author-row">
        <Text label="CR0 bits set" field="cr0Set" draft={draft} />
        <Text label="CR0 bits cleared" field="cr0Clear" draft={draft} />
        <Text label="CR4 bits set" field="cr4Set" draft={draft} />
        <Text label="CR4 bits cleared" field="cr4Clear" draft={draft} />
      </div>
    </fieldset>
  );
}

function Goals({ draft }: { draft: LessonDraft }) {
  const [kind, setKind] = useState('vmx');
  const [problem, setProblem] = useState('');
  return (
    <fieldset>
      <legend>Goals</legend>
      <Text label="Goals (JSON, docs/lessons.md)" field="goals" draft={draft} rows={8} />
      <Field label="Goal kind">
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {Object.keys(GOAL_TEMPLATES).map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </Field>
      <button type="button" onClick={() => {
        const next = addGoal(draft.goals, kind);
        setProblem(next === undefined ? 'The goals are not a JSON list: fix them before adding one.' : '');
        if (next !== undefined) edit({ goals: next });
      }}>Add goal</button>
      {problem && <span className="bad"> {problem}</span>}
    </fieldset>
  );
}

function Errors() {
  const errors = useStore(authoringStore, (s) => s.errors);
  if (errors.length === 0) return null;
  return (
    <div role="alert" className="notice">
      <span>The lesson has {errors.length} problem{errors.length === 1 ? '' : 's'}:</span>
      <ul aria-label="Lesson problems">{errors.map((e, i) => <li key={i}>{e}</li>)}</ul>
    </div>
  );
}

function ImportFile() {
  const input = useRef<HTMLInputElement>(null);
  const store = useLabStore();
  const commands = useCommands();
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>Import lesson file</button>
      <input ref={input} type="file" accept=".json,application/json" hidden aria-label="Lesson file"
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          // The worker refuses anything past its cap; read no more than that (UTF-16 units ~ bytes here).
          if (f) await importFile(await f.slice(0, 1_048_577).text(), store, commands);
        }} />
    </>
  );
}

function Editor({ draft }: { draft: LessonDraft }) {
  const store = useLabStore();
  const commands = useCommands();
  const busy = useStore(authoringStore, (s) => s.busy);
  const tried = useStore(authoringStore, (s) => s.tried);
  const link = useStore(authoringStore, (s) => s.link);
  const source = useLab((s) => s.source);
  return (
    <form className="author-form" onSubmit={(e) => e.preventDefault()}>
      <div className="author-row">
        <Text label="Lesson id" field="id" draft={draft} />
        <Field label="Kind">
          <select value={draft.kind} onChange={(e) => edit({ kind: e.currentTarget.value === 'lesson' ? 'lesson' : 'challenge' })}>
            <option value="challenge">challenge (a broken machine)</option>
            <option value="lesson">lesson</option>
          </select>
        </Field>
      </div>
      <Text label="Title" field="title" draft={draft} />
      <Text label="Summary" field="summary" draft={draft} />
      <Text label="Text (Markdown, no HTML)" field="text" draft={draft} rows={6} />
      <section aria-label="Text preview" className="author-preview">
        <Suspense fallback={<p className="hint">…</p>}><LessonText text={draft.text} /></Suspense>
      </section>
      <Text label="Starting program" field="start" draft={draft} rows={6} />
      <button type="button" onClick={() => edit({ start: source })}>Use the editor's program as the start</button>
      <Text label="Solution program" field="solution" draft={draft} rows={6} />
      <button type="button" onClick={() => edit({ solution: source })}>Use the editor's program as the solution</button>
      <Machine draft={draft} />
      <Text label="Hints (one a line: the symptom, then the cause, then the fix)" field="hints" draft={draft} rows={3} />
      <Goals draft={draft} />
      <Errors />
      <p className="lesson-actions">
        <button type="button" disabled={busy} onClick={() => void tryGoals()}>{busy ? 'Trying…' : 'Try goals'}</button>
        <button type="button" onClick={() => void exportLink()}>Lesson link</button>
        <button type="button" onClick={() => void exportFile()}>Download lesson file</button>
        <button type="button" onClick={() => void openInLab(store, commands)}>Open in the lab</button>
      </p>
      {link && <label className="author-field">Lesson link <input type="text" readOnly value={link} aria-label="Lesson link" onFocus={(e) => e.currentTarget.select()} /></label>}
      <TryResults tried={tried} />
    </form>
  );
}

export default function AuthoringEditor() {
  const store = useLabStore();
  const draft = useStore(authoringStore, (s) => s.draft);
  const message = useStore(authoringStore, (s) => s.message);
  const open = useLab((s) => s.lesson);
  return (
    <section aria-label="Author" className="author">
      <h3>Author a lesson</h3>
      <p className="lesson-actions">
        <button type="button" onClick={() => newFromProgram(store)}>New challenge from current program</button>
        {open && !open.id.startsWith('authored:') && <button type="button" onClick={() => void copyBuiltIn(open.id)}>Edit a copy of this lesson</button>}
        <ImportFile />
      </p>
      {message && <p role="status" className={message.ok ? 'ok' : 'bad'}>{message.text}</p>}
      {draft ? <Editor draft={draft} /> : <><Errors /><p className="hint">Start from the program in the editor, or import a lesson file.</p></>}
    </section>
  );
}
