// Physical memory in hex, 256 bytes at a time, from an address or a program label; below it the
// page and EPT walks (memory/WalkSection.tsx), whose entries link to their bytes here (marked).

import { memo, useCallback, useEffect, useState } from 'react';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectLabels, selectRegions } from '../store/selectors.ts';
import { WalkSection } from './memory/WalkSection.tsx';

const ROW = 16;
const SIZE = 256;

/**
 * The hex view: the only part of the panel that renders on every Step (its bytes come with the
 * Step's snapshot), so the panel's forms and their inputs are left alone.
 */
const HexView = memo(function HexView({ addr, mark }: { addr: number; mark: { at: number; length: number } | null }) {
  const memory = useLab((s) => s.memory);
  const bytes = memory && memory.phys === addr && memory.length === SIZE ? memory.bytes : null;
  return (
    <pre className="hex" aria-label="Memory bytes">
      {bytes && Array.from({ length: SIZE / ROW }, (_, r) => {
        const row = Array.from(bytes.subarray(r * ROW, r * ROW + ROW));
        const start = addr + r * ROW;
        const a = start.toString(16).padStart(8, '0');
        const tx = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
        const from = mark ? Math.max(0, mark.at - start) : ROW;
        const to = mark ? Math.min(ROW, mark.at + mark.length - start) : 0;
        if (from >= to) return `${a}  ${row.map((b) => b.toString(16).padStart(2, '0')).join(' ')}  ${tx}\n`;
        const hx = (bs: number[]) => bs.map((b) => b.toString(16).padStart(2, '0')).join(' ');
        return (
          <span key={start}>
            {a}  {hx(row.slice(0, from))}{from > 0 ? ' ' : ''}
            <mark aria-label={`Marked bytes at 0x${(start + from).toString(16)}`}>{hx(row.slice(from, to))}</mark>
            {to < ROW ? ' ' : ''}{hx(row.slice(to))}  {tx}{'\n'}
          </span>
        );
      })}
    </pre>
  );
});

export function MemoryPanel() {
  const commands = useCommands();
  const labels = useLab(selectLabels);
  const regions = useLab(selectRegions) ?? [];

  const [target, setTarget] = useState('0x100000');
  const [addr, setAddr] = useState(0x100000);
  const [problem, setProblem] = useState('');
  const [writeAt, setWriteAt] = useState('');
  const [writeBytes, setWriteBytes] = useState('');
  const [mark, setMark] = useState<{ at: number; length: number } | null>(null);
  // A walk's entry: its row first in view, its bytes marked.
  // Stable, so the walks (memoised) do not render again with every Step.
  const showBytes = useCallback((at: number, length: number): void => {
    setMark({ at, length });
    setTarget(`0x${at.toString(16)}`);
    setAddr(at - (at % ROW));
  }, []);
  useEffect(() => {
    commands.watchMemory({ phys: addr, length: SIZE });
  }, [commands, addr]);
  useEffect(() => () => commands.watchMemory(null), [commands]);
  const go = (): void => {
    const t = target.trim();
    const label = labels?.find((l) => l.name === t) ?? regions.find((r) => r.name === t);
    const n = label ? Number(label.phys) : /^(0x)?[0-9a-f]+$/i.test(t) ? Number.parseInt(t.replace(/^0x/i, ''), 16) : NaN;
    if (Number.isNaN(n)) { setProblem(`'${t}' is neither a hex physical address nor a label`); return; }
    setProblem('');
    setMark(null);
    setAddr(n - (n % ROW));
  };
  const here = [...regions, ...(labels ?? [])].filter((l) => { const p = Number(l.phys); return p >= addr && p < addr + SIZE; });
  return (
    <Panel name="Memory">
      <form onSubmit={(e) => { e.preventDefault(); go(); }} className="memgo">
        <input aria-label="Go to address or label" list="mem-labels" value={target} onChange={(e) => setTarget(e.target.value)} spellCheck={false} />
        <datalist id="mem-labels">{[...regions, ...(labels ?? [])].map((l) => <option key={l.name} value={l.name} />)}</datalist>
        <button type="submit">Go</button>
      </form>
      {problem && <p className="msg bad">{problem}</p>}
      <p className="hint">Regions: {regions.map((r, i) => (
        <span key={r.name}>{i > 0 && ' · '}<button type="button" className="linkish" onClick={() => { setTarget(r.name); setMark(null); setAddr(Number(r.phys) - (Number(r.phys) % ROW)); }}>{r.name}</button></span>
      ))}</p>
      {here.length > 0 && <p className="hint">Here: {here.map((l) => `${l.name} @ ${l.phys}`).join(' · ')}</p>}
      <form className="memgo" onSubmit={(e) => {
        e.preventDefault();
        const at = Number.parseInt(writeAt.trim().replace(/^0x/i, ''), 16);
        if (Number.isNaN(at)) { setProblem(`'${writeAt}' is not a hex physical address`); return; }
        setProblem('');
        void commands.writeMemory(at, writeBytes);
      }}>
        <input aria-label="Write at physical address" placeholder="address (hex)" value={writeAt} onChange={(e) => setWriteAt(e.target.value)} spellCheck={false} />
        <input aria-label="Bytes to write" placeholder="bytes, e.g. 90 90 f4" value={writeBytes} onChange={(e) => setWriteBytes(e.target.value)} spellCheck={false} />
        <button type="submit">Write</button>
      </form>
      {/* Read with every snapshot by the bridge (a Step's bytes arrive with it: one render per Step). */}
      <HexView addr={addr} mark={mark} />
      <WalkSection goTo={showBytes} />
    </Panel>
  );
}
