// IA32_FEATURE_CONTROL and the VMX capability MSRs, decoded in the vmxcap vocabulary; the CPU
// profile picker; editing (WRMSR for 0x3A, the profile's value for a capability MSR, or 0x3A as
// firmware left it, which resets the machine).

import { useState } from 'react';
import { Disclosure } from '../app/Disclosure.tsx';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectMsrs, selectProfile, selectProfiles } from '../store/selectors.ts';
import type { MsrView } from '../../worker/types.ts';

function MsrEditor({ msr }: { msr: MsrView }) {
  const commands = useCommands();
  const [text, setText] = useState(msr.value);
  const index = Number(msr.index);
  return (
    <form className="msredit" onSubmit={(e) => { e.preventDefault(); void commands.editMsr(index, text); }}>
      <label>
        New value of {msr.name}
        <input className="mono" value={text} onChange={(e) => setText(e.target.value)} aria-label={`New value of ${msr.name}`} spellCheck={false} />
      </label>
      <button type="submit">{msr.readOnly ? 'Set in profile' : 'WRMSR'}</button>
      {!msr.readOnly && (
        <button type="button" onClick={() => void commands.setFirmwareMsr(index, text)} title="The value firmware leaves at boot; the machine is reset">
          Set as firmware value
        </button>
      )}
    </form>
  );
}

export function MsrsPanel() {
  const msrs = useLab(selectMsrs);
  const profile = useLab(selectProfile);
  const profiles = useLab(selectProfiles);
  const current = useLab((s) => s.snapshot?.profile);
  const commands = useCommands();
  return (
    <Panel name="MSRs">
      <label className="profile">
        CPU profile{' '}
        <select value={current ?? profile} onChange={(e) => void commands.setProfile(e.target.value)}>
          {profiles.map((p) => <option key={p.id} value={p.id}>{p.name} — {p.processor}</option>)}
        </select>
      </label>
      {!msrs ? <p>Loading…</p> : msrs.map((m) => (
        <Disclosure key={m.index} className="msr" defaultOpen={m.index === '0x3a' || m.index === '0x480'} summary={<>
          <span className="mono">{m.index}</span> {m.name} <span className="mono value" aria-label={`${m.name} value`}>{m.value}</span>
          {m.edited && <span className="badge">edited</span>}
        </>}>
          <p className="hint">{m.doc} <cite>{m.sdm}</cite></p>
          <table className="decoded">
            <tbody>
              {m.lines.map((l) => (
                <tr key={l.label} title={l.doc}>
                  <th scope="row">{l.label}</th>
                  <td className={`v-${l.value.replace(/\s+/g, '-')}`}>{l.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <MsrEditor msr={m} key={m.value} />
        </Disclosure>
      ))}
    </Panel>
  );
}
