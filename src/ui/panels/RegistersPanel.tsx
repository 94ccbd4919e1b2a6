// General registers, RIP, RFLAGS bit by bit (CF and ZF first: they are how VMX instructions
// answer) and segment registers with their hidden parts. A changed value is highlighted with
// its old value in the tooltip.

import { memo, useState } from 'react';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectGprs, selectPrevious, selectRflags, selectSegments, selectSnapshot } from '../store/selectors.ts';
import { BitGrid } from './BitGrid.tsx';
import type { SegmentView } from '../../worker/types.ts';

type Radix = 'hex' | 'dec' | 'bin';
const NEXT: Record<Radix, Radix> = { hex: 'dec', dec: 'bin', bin: 'hex' };

/** A 64-bit value (given as 0x-hex) written in another radix, for display only. */
function inRadix(hex: string, radix: Radix): string {
  if (radix === 'hex' || !/^0x[0-9a-f]+$/i.test(hex)) return hex;
  const v = BigInt(hex);
  return radix === 'dec' ? v.toString(10) : `0b${v.toString(2)}`;
}

/** A register value; click (or Enter) to edit while paused: the worker executes `mov reg, imm64`. Memoised: most registers keep their value across a Step. */
const RegValue = memo(function RegValue({ name, value, paused }: { name: string; value: string; paused: boolean }) {
  const commands = useCommands();
  const [editing, setEditing] = useState<string | null>(null);
  const [radix, setRadix] = useState<Radix>('hex');
  if (editing === null) {
    return (
      <span className="regcell">
        <button type="button" className="regval mono" disabled={!paused} aria-label={`Edit ${name}`} title={paused ? 'Edit (executes mov reg, imm64)' : undefined}
          onClick={() => setEditing(value)}>{inRadix(value, radix)}</button>
        <button type="button" className="radix" aria-label={`Radix of ${name}`} title="Show in hex, decimal or binary" onClick={() => setRadix(NEXT[radix])}>{radix}</button>
      </span>
    );
  }
  return (
    <form onSubmit={(e) => { e.preventDefault(); void commands.setRegister(name, editing).then(() => setEditing(null)); }}>
      <input className="mono" aria-label={`New value of ${name}`} value={editing} autoFocus spellCheck={false}
        onChange={(e) => setEditing(e.target.value)} onKeyDown={(e) => { if (e.key === 'Escape') setEditing(null); }} onBlur={() => setEditing(null)} />
    </form>
  );
});

/** Segment registers with their hidden parts; memoised on the segments view (unchanged by most Steps). */
const Segments = memo(function Segments({ segs }: { segs: readonly SegmentView[] }) {
  return (
    <table className="segs">
      <thead><tr><th>Reg</th><th>Selector</th><th>Base</th><th>Limit</th><th>Access rights</th></tr></thead>
      <tbody>
        {segs.map((s) => (
          <tr key={s.name}>
            <th scope="row">{s.name}</th>
            <td className="mono">{s.selector}</td>
            <td className="mono">{s.base}</td>
            <td className="mono">{s.limit}</td>
            <td className="mono" title={s.arBits.map((b) => `${b.name}=${b.value}`).join(' ')}>{s.ar}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
});

export function RegistersPanel() {
  const gprs = useLab(selectGprs);
  const prev = useLab(selectPrevious);
  const rflags = useLab(selectRflags);
  const segs = useLab(selectSegments);
  const rip = useLab((s) => s.snapshot?.rip);
  const snap = useLab(selectSnapshot);
  const paused = useLab((s) => s.status === 'idle' && s.snapshot?.stopped === null);
  if (!gprs || !rflags || !segs || !snap) return <Panel name="Registers"><p>Loading…</p></Panel>;
  const old = new Map(prev?.gprs.map((g) => [g.name, g.value]));
  const cf = rflags.bits.find((b) => b.name === 'CF')?.value ?? '0';
  const zf = rflags.bits.find((b) => b.name === 'ZF')?.value ?? '0';
  return (
    <Panel name="Registers">
      <table className="regs">
        <tbody>
          {gprs.map((g) => {
            const was = old.get(g.name);
            const changed = was !== undefined && was !== g.value;
            return (
              <tr key={g.name} className={changed ? 'changed' : undefined} title={changed ? `was ${was}` : undefined}>
                <th scope="row">{g.name}</th>
                <td><RegValue name={g.name} value={g.value} paused={paused} /></td>
              </tr>
            );
          })}
          <tr className={prev && prev.rip !== rip ? 'changed' : undefined}>
            <th scope="row">RIP</th>
            <td><RegValue name="RIP" value={rip ?? ''} paused={paused} />{snap.line ? ` (line ${snap.line})` : ''}</td>
          </tr>
        </tbody>
      </table>
      <h3>RFLAGS <span className="mono">{rflags.value}</span></h3>
      <p className="flags-answer" aria-label="CF and ZF">
        <strong className={cf === '1' ? 'flag set' : 'flag'}>CF={cf}</strong>{' '}
        <strong className={zf === '1' ? 'flag set' : 'flag'}>ZF={zf}</strong>{' '}
        <span className="hint">After a VMX instruction: CF=1 VMfailInvalid, ZF=1 VMfailValid, both 0 VMsucceed.</span>
      </p>
      <BitGrid reg={rflags} prominent={['CF', 'ZF']} />
      <h3>Segments</h3>
      <Segments segs={segs} />
    </Panel>
  );
}
