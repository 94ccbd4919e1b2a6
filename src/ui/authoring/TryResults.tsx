// "Try goals" verdicts side by side: the starting program (it should fail, for the reason the
// lesson teaches) and the solution (it should pass every goal). Text only.

import type { LessonCheckView, TryGoalsResult } from '../../worker/api.ts';

function Verdict({ name, check, want }: { name: string; check: LessonCheckView; want: 'fail' | 'pass' }) {
  const good = want === 'pass' ? check.passed : !check.passed;
  return (
    <section aria-label={name} className="try-verdict">
      <h5>{name}: {check.passed ? 'every goal passed' : 'some goal failed'} <span className={good ? 'ok' : 'bad'}>({good ? 'as it should' : `it should ${want}`})</span></h5>
      {!check.assembled && <p className="bad">Does not assemble: {check.diagnostics[0]?.message ?? ''} (line {check.diagnostics[0]?.line})</p>}
      <ul className="goals" aria-label={`${name} goals`}>
        {check.goals.map((g, i) => (
          <li key={i} className={`goal ${g.passed ? 'passed' : 'failed'}`} data-state={g.passed ? 'passed' : 'failed'}>
            <span className="goal-mark" aria-hidden="true">{g.passed ? '✓' : '✗'}</span>
            <span className="goal-label">{g.label}</span>
            <span className="goal-state"> {g.passed ? 'passed' : 'failed'}</span>
            {!g.passed && <div className="goal-detail">{g.detail}</div>}
          </li>
        ))}
      </ul>
      <p className="hint">on {check.profile}, {check.steps} steps{check.stop ? `, ended: ${check.stop}` : ''}</p>
    </section>
  );
}

export function TryResults({ tried }: { tried: TryGoalsResult | null }) {
  if (!tried || !tried.ok) return null;
  return (
    <div role="group" aria-label="Try goals results">
      <Verdict name="Starting program" check={tried.start} want="fail" />
      <Verdict name="Solution" check={tried.solution} want="pass" />
    </div>
  );
}
