// The current VMCS grouped into the six areas, searchable by name or encoding; editing a field
// performs a VMWRITE in the worker and shows its outcome. Other active VMCSes with their launch state.

import { memo, useDeferredValue, useState } from 'react';
import { Disclosure } from '../app/Disclosure.tsx';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab, useLabStore } from '../app/LabContext.tsx';
import { describeWrite, runBackAction } from '../actions/index.ts';
import { selectCatalog, selectVmcs } from '../store/selectors.ts';
import type { VmcsFieldMeta, VmcsFieldView, VmcsGroup } from '../../worker/types.ts';

const GROUPS: readonly { id: VmcsGroup; title: string }[] = [
  { id: 'guest', title: 'Guest state' },
  { id: 'host', title: 'Host state' },
  { id: 'exec', title: 'Execution controls' },
  { id: 'exit', title: 'Exit controls' },
  { id: 'entry', title: 'Entry controls' },
  { id: 'exit-info', title: 'Exit information' },
];

/** One field; `f` keeps its identity while the value is unchanged (structural sharing), so memo skips it. */
const FieldRow = memo(function FieldRow({ f, meta }: { f: VmcsFieldView; meta: VmcsFieldMeta }) {
  const commands = useCommands();
  const store = useLabStore();
  const [text, setText] = useState(f.value);
  // A new value (a VMWRITE, a VM exit) replaces what the input holds, as a new row would, but the
  // row stays: keyed by value it was mounted again, with its control-bit buttons, on every write.
  const [shown, setShown] = useState(f.value);
  if (shown !== f.value) {
    setShown(f.value);
    setText(f.value);
  }
  const dirty = text !== f.value;
  return (
    <>
      <tr className={`${f.exists ? '' : 'missing'} ${f.value !== '0x0' ? 'nonzero' : ''}`} title={`${meta.sdmName}: ${meta.doc} ${meta.sdm}`}>
        <th scope="row" className="mono">{f.name}{!f.exists && <><br /><span className="badge">not on this CPU</span></>}</th>
        <td className="mono">{meta.encoding}</td>
        <td>{meta.width}</td>
        <td>
          <form onSubmit={(e) => { e.preventDefault(); void commands.vmwrite(f.name, text); }}>
            <input className="mono" aria-label={`${f.name} value`} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
            {dirty && <button type="submit" aria-label={`VMWRITE ${f.name}`}>VMWRITE</button>}
          </form>
          {f.written && <span className="written" aria-label={`Last write of ${f.name}`}>{describeWrite(f.written)}</span>}
          {f.written && (
            <button type="button" className="runback" aria-label={runBackAction.label(f.name)} title={runBackAction.description}
              onClick={() => void runBackAction.perform(commands, store.getState(), f.name)}>
              ⟲ run back
            </button>
          )}
        </td>
      </tr>
      {f.controls && f.exists && (
        <tr className="ctlbits"><td colSpan={4}>
          <div role="group" aria-label={`${f.name} bits`}>
            {f.controls.map((c) => {
              const broken = (c.allowed === 'forced' && !c.set) || (c.allowed === 'no' && c.set);
              const rule = c.allowed === 'forced' ? 'must be 1' : c.allowed === 'no' ? 'must be 0' : 'may be 0 or 1';
              return (
                <button key={c.name} type="button" aria-pressed={c.set} aria-label={`${f.name}.${c.name}`}
                  className={`ctl ${c.set ? 'on' : 'off'} allowed-${c.allowed} ${broken ? 'broken' : ''}`}
                  title={`bit ${c.bit}: ${c.doc} The capability MSR says: ${rule}. Click to VMWRITE the field with this bit flipped.`}
                  onClick={() => void commands.vmwrite(f.name, `0x${(BigInt(f.value) ^ (1n << BigInt(c.bit))).toString(16)}`)}>
                  {c.name}
                </button>
              );
            })}
          </div>
        </td></tr>
      )}
    </>
  );
});

export function VmcsPanel() {
  const vmcs = useLab(selectVmcs);
  const catalog = useLab(selectCatalog);
  const [query, setQuery] = useState('');
  const q = useDeferredValue(query.trim().toLowerCase());
  if (!vmcs || !catalog) return <Panel name="VMCS"><p>Loading…</p></Panel>;
  const metas = catalog.vmcsFields;
  const match = (m: VmcsFieldMeta) => !q || m.name.toLowerCase().includes(q) || m.encoding.includes(q) || m.sdmName.toLowerCase().includes(q);
  return (
    <Panel name="VMCS">
      <p className="mono">Current VMCS pointer {vmcs.pointer}{vmcs.vmxon ? ` · VMXON region ${vmcs.vmxon}` : ''}</p>
      {vmcs.vmcses.length > 0 && (
        <ul className="vmcslist" aria-label="Active VMCSes">
          {vmcs.vmcses.map((v) => <li key={v.addr} className="mono">{v.addr}: {v.launch}{v.current ? ' (current)' : ''}{v.shadow ? ' (shadow)' : ''}</li>)}
        </ul>
      )}
      {vmcs.fields.length === 0 ? <p>No current VMCS (VMPTRLD one).</p> : (
        <>
          <input type="search" aria-label="Search VMCS fields" placeholder="Search by name or encoding" value={query} onChange={(e) => setQuery(e.target.value)} />
          {GROUPS.map((g) => {
            const rows = vmcs.fields.map((f, i) => ({ f, meta: metas[i]! })).filter((r) => r.meta.group === g.id && match(r.meta));
            if (rows.length === 0) return null;
            return (
              <Disclosure key={`${g.id}:${q !== ''}`} defaultOpen={q !== '' || g.id === 'exec' || g.id === 'exit-info'} summary={`${g.title} (${rows.length})`}>
                <table className="vmcs">
                  <thead><tr><th>Field</th><th>Encoding</th><th>Width</th><th>Value</th></tr></thead>
                  <tbody>{rows.map(({ f, meta }) => <FieldRow key={f.name} f={f} meta={meta} />)}</tbody>
                </table>
              </Disclosure>
            );
          })}
        </>
      )}
    </Panel>
  );
}
