// Every VM-entry check's verdict on the current VMCS, live: failing rules in plain words with
// the values, the capability bit, the SDM section and a one-click fix (a VMWRITE).

import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectExplain } from '../store/selectors.ts';

export function ExplainPanel() {
  const explain = useLab(selectExplain);
  const commands = useCommands();
  if (!explain) return <Panel name="Explain"><p>Loading…</p></Panel>;
  const failing = explain.checks.filter((c) => c.status === 'fail');
  const passing = explain.checks.filter((c) => c.status === 'pass').length;
  const na = explain.checks.length - failing.length - passing;
  return (
    <Panel name="Explain">
      <p className={failing.length ? 'decision bad' : 'decision'}>{explain.decision}</p>
      {explain.source === 'live' && <p className="hint">{passing} checks pass, {failing.length} fail, {na} do not apply (SDM Vol. 3C ch. 27, in order).</p>}
      <ol className="checks">
        {failing.map((c) => (
          <li key={c.id} className="check">
            <p><strong>{c.message}</strong></p>
            <p className="hint">Rule: {c.title} — required: <code>{c.expected}</code></p>
            {c.values && c.values.length > 0 && <p className="mono">{c.values.map((v) => `${v.name} = ${v.value}`).join(' · ')}</p>}
            {c.capability && <p className="hint">Capability: {c.capability}</p>}
            <p className="hint"><cite>{c.sdm}</cite> · check <code>{c.id}</code> · if it fails: {c.consequence}</p>
            {c.fix && (
              <button type="button" aria-label={`Fix ${c.id}`} onClick={() => void commands.vmwrite(c.fix!.field, c.fix!.value)}>
                Fix: VMWRITE {c.fix.field} ← {c.fix.value}
              </button>
            )}
          </li>
        ))}
      </ol>
    </Panel>
  );
}
