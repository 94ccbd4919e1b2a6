// The list of lessons and broken-machine challenges: one button per lesson opens it at its start.

import { useEffect } from 'react';
import { useCommands, useLab } from '../../app/LabContext.tsx';
import type { LessonSummaryView } from '../../../worker/types.ts';

function Group({ title, items, current }: { title: string; items: readonly LessonSummaryView[]; current: string | undefined }) {
  const commands = useCommands();
  return (
    <>
      <h4>{title}</h4>
      <ol className="lesson-list" aria-label={title}>
        {items.map((l) => (
          <li key={l.id}>
            <button type="button" aria-current={l.id === current ? 'true' : undefined} title={l.summary}
              onClick={() => {
                void commands.openLesson(l.id).then((ok) => {
                  if (ok && typeof history !== 'undefined') history.replaceState(null, '', `?lesson=${encodeURIComponent(l.id)}`);
                });
              }}>
              {l.title}
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

export function LessonList() {
  const commands = useCommands();
  const list = useLab((s) => s.lessonList);
  const current = useLab((s) => s.lesson?.id);
  useEffect(() => {
    void commands.listLessons();
  }, [commands]);
  if (list.length === 0) return <p className="hint">Loading the lessons…</p>;
  return (
    <>
      <Group title="Lessons" items={list.filter((l) => l.kind === 'lesson')} current={current} />
      <Group title="Challenges" items={list.filter((l) => l.kind === 'challenge')} current={current} />
    </>
  );
}
