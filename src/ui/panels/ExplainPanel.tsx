// Every VM-entry check's verdict on the current VMCS, live: failing rules in plain words with
// the values, the capability bit, the SDM section and a one-click fix (a VMWRITE).

import { memo, useMemo } from 'react';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectCatalog, selectExplain } from '../store/selectors.ts';
import { describeWrite } from '../actions/index.ts';
import type { LabCommands } from '../store/bridge.ts';
import type { LabCatalog, LabSnapshot } from '../../worker/types.ts';

type FailingCheck = NonNullable<LabSnapshot['explain']>['failing'][number];
type CheckMeta = LabCatalog['checks'][number];

/** One failing check, memoised: a Step that leaves it unchanged (same object, decision 0078) does not render it. */
const Check = memo(function Check({ c, m, commands }: { c: FailingCheck; m: CheckMeta | undefined; commands: LabCommands }) {
  return (
    <li className="check">
      <p><strong>{c.message}</strong></p>
      <p className="hint">Rule: {m?.title} — required: <code>{c.expected}</code></p>
      {c.values.length > 0 && (
        <ul className="values">
          {c.values.map((v) => (
            <li key={v.name}>
              <span className="mono">{v.name} = {v.value}</span>
              {v.written && (
                <>
                  {' '}
                  <button type="button" className="linkish" onClick={() => void commands.jumpTo(v.written!.step - 1)}
                    title="Go back in time to just before this write">
                    {describeWrite(v.written)}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {c.capability && <p className="hint">Capability: {c.capability}</p>}
      <p className="hint"><cite>{m?.sdm}</cite> · check <code>{c.id}</code> · if it fails: {m?.consequence}</p>
      {c.fix && (
        <button type="button" aria-label={`Fix ${c.id}`} onClick={() => void commands.vmwrite(c.fix!.field, c.fix!.value)}>
          Fix: VMWRITE {c.fix.field} ← {c.fix.value}
        </button>
      )}
    </li>
  );
});



export function ExplainPanel() {
  const explain = useLab(selectExplain);
  const catalog = useLab(selectCatalog);
  const commands = useCommands();
  const meta = useMemo(() => new Map((catalog?.checks ?? []).map((c) => [c.id, c])), [catalog]);
  if (!explain || !catalog) return <Panel name="Explain"><p>Loading…</p></Panel>;
  return (
    <Panel name="Explain">
      <p className={explain.failing.length ? 'decision bad' : 'decision'}>{explain.decision}</p>
      {explain.source === 'live' && (
        <p className="hint">{explain.passed} checks pass, {explain.failing.length} fail, {explain.notApplicable} do not apply (SDM Vol. 3C ch. 27, in order).</p>
      )}
      <ol className="checks">
        {explain.failing.map((c) => <Check key={c.id} c={c} m={meta.get(c.id)} commands={commands} />)}
      </ol>
    </Panel>
  );
}
