// CR0, CR4 and EFER as bit grids named from the arch tables, with the VMX fixed bits of the
// profile marked; clicking a bit executes the real MOV to CR (WRMSR for EFER) in the worker.

import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectCrs } from '../store/selectors.ts';
import { BitGrid } from './BitGrid.tsx';

export function ControlRegistersPanel() {
  const crs = useLab(selectCrs);
  const cr2 = useLab((s) => s.snapshot?.cr2);
  const cr3 = useLab((s) => s.snapshot?.cr3);
  const commands = useCommands();
  if (!crs) return <Panel name="Control registers"><p>Loading…</p></Panel>;
  return (
    <Panel name="Control registers">
      <p className="hint">Click a bit to execute <code>mov crN, rax</code> (or <code>wrmsr</code> for EFER) with that bit flipped. “must be 1/0” comes from IA32_VMX_CR0/CR4_FIXED0/1 of the profile.</p>
      {crs.map((r) => (
        <div key={r.name} className="crblock">
          <h3>{r.name} <span className="mono">{r.value}</span></h3>
          <BitGrid reg={r} onFlip={(b) => void commands.setCrBit(r.name === 'CR0' || r.name === 'CR4' ? r.name : 'EFER', b.bit, b.value === '0')} />
        </div>
      ))}
      <p className="mono">CR2 {cr2} · CR3 {cr3}</p>
    </Panel>
  );
}
