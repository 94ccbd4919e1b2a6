// The Memory panel's walks: the learner types a linear or guest-physical address and the worker
// walks it without side effects (no accessed/dirty flag is written); the walk is made again after
// every step while shown. Below it, the EPT walk recorded with the latest EPT violation or
// misconfiguration VM exit, when the program has had one (the bridge reads it with every
// snapshot, a Step's beside the step: LabCommands.watchLatestEpt).

import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useCommands, useLab, useLabStore } from '../../app/LabContext.tsx';
import type { LatestEptWalkView, WalkRequest, WalkView } from '../../../worker/types.ts';
import { EptDrawing, PageDrawing, type GoToBytes } from './WalkDrawing.tsx';
import './walk.css';

const CONTEXTS: readonly { id: WalkRequest['context']; label: string }[] = [
  { id: 'cpu', label: 'the processor now' },
  { id: 'vmcs-guest', label: 'the VMCS guest state' },
];

const LatestEpt = memo(function LatestEpt({ latest, onWalk, goTo }: { latest: LatestEptWalkView; onWalk: (gpa: string, access: WalkRequest['access']) => void; goTo: GoToBytes }) {
  const when = `${latest.reason} at step ${latest.step}${latest.line ? `, line ${latest.line}` : ''}`;
  const recorded = <pre className="hex" aria-label="The walk as the exit recorded it">{latest.lines.join('\n')}</pre>;
  return (
    <section className="walk-latest" aria-label="Latest EPT walk">
      <h3>Latest EPT walk: {when}</h3>
      {latest.now && latest.same ? (
        <>
          <p className="hint">Memory under this walk has not changed since the exit: it is drawn as the exit made it.</p>
          <EptDrawing ept={latest.now} title={`EPT walk of the ${latest.reason} at step ${latest.step}`} goTo={goTo} />
          <details><summary>As the exit recorded it</summary>{recorded}</details>
        </>
      ) : (
        <>
          {recorded}
          {latest.now && (
            <details>
              <summary>The same walk as memory is now</summary>
              <EptDrawing ept={latest.now} title={`EPT walk of ${latest.now.gpa} now`} goTo={goTo} />
            </details>
          )}
        </>
      )}
      {latest.gpa && (
        <button type="button" onClick={() => onWalk(latest.gpa!, latest.access)}>Walk guest-physical {latest.gpa} ({latest.access}) now</button>
      )}
    </section>
  );
});

/** The walk made again after every step, jump or edit (memory and registers may have changed); renders nothing. */
function Rewalk({ request, onResult }: { request: WalkRequest; onResult: (r: WalkView) => void }) {
  const commands = useCommands();
  const steps = useLab((s) => s.snapshot?.steps);
  useEffect(() => {
    let live = true;
    void commands.walk(request).then((r) => { if (live) onResult(r); });
    return () => { live = false; };
  }, [commands, request, steps, onResult]);
  return null;
}

/**
 * The address input. Its placeholder is static: one showing RIP's value made the input render and
 * its placeholder lay out again on every Step.
 */
function AddressInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <input aria-label="Address to walk" className="mono" placeholder="empty: RIP" value={value}
      onChange={(e) => onChange(e.target.value)} spellCheck={false} size={20} />
  );
}

export const WalkSection = memo(function WalkSection({ goTo }: { goTo: GoToBytes }) {
  const commands = useCommands();
  const store = useLabStore();
  const latest = useLab((s) => s.latestEpt?.view);
  const [address, setAddress] = useState('');
  const [kind, setKind] = useState<WalkRequest['kind']>('linear');
  const [context, setContext] = useState<WalkRequest['context']>('cpu');
  const [access, setAccess] = useState<WalkRequest['access']>('read');
  const [user, setUser] = useState(false);
  const [request, setRequest] = useState<WalkRequest | null>(null);
  const [result, setResult] = useState<WalkView | null>(null);

  // After every snapshot (a new exit, or memory under the last one changed by a plain MOV).
  useEffect(() => {
    commands.watchLatestEpt(true);
    return () => commands.watchLatestEpt(false);
  }, [commands]);

  const submit = (over?: Partial<WalkRequest>): void => {
    const r: WalkRequest = { kind, address: address.trim() || store.getState().snapshot?.rip || '0', context, access, user, ...over };
    if (over?.address) setAddress(over.address);
    if (over?.kind) setKind(over.kind);
    if (over?.access) setAccess(over.access);
    setRequest(r);
  };
  const submitRef = useRef(submit);
  submitRef.current = submit;
  const onWalkLatest = useCallback((gpa: string, acc: WalkRequest['access']) => submitRef.current({ kind: 'guest-physical', address: gpa, access: acc }), []);

  return (
    <div className="walks">
      <form className="walkform" aria-label="Walk" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label>Address <AddressInput value={address} onChange={setAddress} /></label>
        <label>is <select aria-label="Address kind" value={kind} onChange={(e) => setKind(e.target.value as WalkRequest['kind'])}>
          <option value="linear">linear</option>
          <option value="guest-physical">guest-physical (EPT)</option>
        </select></label>
        {kind === 'linear' && (
          <label>paging of <select aria-label="Paging of" value={context} onChange={(e) => setContext(e.target.value as WalkRequest['context'])}>
            {CONTEXTS.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
          </select></label>
        )}
        <label>access <select aria-label="Access" value={access} onChange={(e) => setAccess(e.target.value as WalkRequest['access'])}>
          <option value="read">read</option>
          <option value="write">write</option>
          <option value="execute">execute</option>
        </select></label>
        <label><input type="checkbox" checked={user} onChange={(e) => setUser(e.target.checked)} /> user mode</label>
        <button type="submit">Walk</button>
      </form>
      <p className="hint">A walk reads the tables as they are now and changes nothing (no accessed or dirty flag is set).</p>
      {request && <Rewalk request={request} onResult={setResult} />}
      {result && !result.ok && <p className="msg bad" role="alert">{result.message}</p>}
      {result?.ok && result.notes.map((n) => <p key={n} className="hint">{n}</p>)}
      {result?.page && <PageDrawing page={result.page} goTo={goTo} />}
      {result?.ept && <EptDrawing ept={result.ept} title={`EPT walk of ${result.ept.gpa}`} goTo={goTo} />}
      {latest && <LatestEpt latest={latest} goTo={goTo} onWalk={onWalkLatest} />}
    </div>
  );
});
