// The machine's interrupt sources: the 8259A pair (request, in-service and mask registers per
// input, with the vector each delivers), channel 0 of the 8254, the INTR and NMI pins; and the
// controls that raise an IRQ or an NMI as a device would. Everything shown comes from the worker
// (src/worker/devices-view.ts).

import { memo, useId, useState } from 'react';
import type { PicChipView } from '../../worker/types.ts';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';

const yes = (b: boolean) => (b ? '1' : '0');

const ChipTable = memo(function ChipTable({ chip }: { chip: PicChipView }) {
  return (
    <table className="pic">
      <caption>
        8259A {chip.name} · vectors from 0x{chip.base.toString(16)}
        {chip.initialising ? ' · being initialised (ICWs)' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">IRQ</th>
          {chip.inputs.map((i) => <th scope="col" key={i.irq} title={`vector 0x${i.vector.toString(16)}`}>{i.irq}</th>)}
        </tr>
      </thead>
      <tbody>
        <tr><th scope="row" title="Interrupt request register: raised, not yet acknowledged">IRR</th>{chip.inputs.map((i) => <td key={i.irq} className={i.requested ? 'on' : ''}>{yes(i.requested)}</td>)}</tr>
        <tr><th scope="row" title="In-service register: acknowledged, no EOI yet">ISR</th>{chip.inputs.map((i) => <td key={i.irq} className={i.inService ? 'on' : ''}>{yes(i.inService)}</td>)}</tr>
        <tr><th scope="row" title="Interrupt mask register (OCW1): 1 = masked">IMR</th>{chip.inputs.map((i) => <td key={i.irq}>{yes(i.masked)}</td>)}</tr>
      </tbody>
    </table>
  );
});

export function DevicesPanel() {
  const devices = useLab((s) => s.snapshot?.devices);
  const commands = useCommands();
  const [line, setLine] = useState(0);
  const selectId = useId();
  if (!devices) return <Panel name="Devices"><p>Loading…</p></Panel>;
  const { pit } = devices;
  return (
    <Panel name="Devices">
      <p className="hint">
        The PC's interrupt controllers (ports 0x20/0x21, 0xA0/0xA1) and timer (0x40, 0x43). A raised input is taken at the next
        instruction boundary when the PIC's mask, RFLAGS.IF and the VM-execution controls let it (SDM Vol. 3A §6.3.2, Vol. 3C §26.2).
      </p>
      <p className="mono">
        INTR {devices.intr ? 'high' : 'low'} · NMI {devices.nmi ? 'latched' : 'none pending'}
        {devices.pending.length > 0 && ` · raised, arriving before the next step: ${devices.pending.join(', ')}`}
      </p>
      <div className="devices-controls">
        <label htmlFor={selectId}>IRQ line</label>
        <select id={selectId} value={line} onChange={(e) => setLine(Number(e.target.value))}>
          {Array.from({ length: 16 }, (_, i) => <option key={i} value={i}>IRQ {i}</option>)}
        </select>
        <button type="button" onClick={() => void commands.raiseInterrupt(line)}>Raise IRQ</button>
        <button type="button" onClick={() => void commands.raiseInterrupt('nmi')}>Raise NMI</button>
      </div>
      <div className="pic-pair">
        <ChipTable chip={devices.pic[0]} />
        <ChipTable chip={devices.pic[1]} />
      </div>
      <p className="mono">
        8254 channel 0 (IRQ 0): {pit.counting ? `${pit.mode}, reload ${pit.reload}, counter ${pit.counter}` : 'not counting (no count written)'}
      </p>
    </Panel>
  );
}
