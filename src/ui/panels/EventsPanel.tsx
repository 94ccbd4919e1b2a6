// The timeline: each VMX outcome, fault, VM entry/exit and stop in plain words, with its SDM
// reference and source line; clicking one goes back in time to just before it.

import { memo, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { Panel } from '../app/Panel.tsx';
import { useCommands, useLab } from '../app/LabContext.tsx';
import { selectEvents } from '../store/selectors.ts';
import type { EventView } from '../../worker/types.ts';
import type { LabCommands } from '../store/bridge.ts';

/**
 * The list itself, memoised: a Step that adds no event leaves `events` identical (snapshot
 * patches, decision 0078), so its up to 500 items are not rendered again when only the step count
 * in the panel's header changes.
 */
const EventList = memo(function EventList({ events, listRef }: { events: readonly EventView[]; listRef: RefObject<HTMLOListElement | null> }) {
  const commands = useCommands();
  return (
    <ol className="events" ref={listRef}>
      {events.map((e) => <EventItem key={e.index} e={e} commands={commands} />)}
    </ol>
  );
});

/** One event, memoised: a Step that adds an event renders that one only (the others keep their identity). */
const EventItem = memo(function EventItem({ e, commands }: { e: EventView; commands: LabCommands }) {
  return (
    <li className={`ev ev-${e.kind}`}>
      <button type="button" onClick={() => void commands.jumpTo(Math.max(0, e.step - 1))} title="Go back to just before this instruction">
        <span className="evstep">step {e.step}{e.line ? `, line ${e.line}` : ''}</span>{' '}
        {e.text && <code>{e.text}</code>}{' '}
        <span className="evsum">{e.summary}</span>
      </button>
      {e.sdm && <cite>{e.sdm}</cite>}
    </li>
  );
});

export function EventsPanel() {
  const events = useLab(selectEvents);
  const commands = useCommands();
  const list = useRef<HTMLOListElement>(null);
  const last = events?.[events.length - 1]?.index;
  // Keep the newest event in view: before paint (a layout effect), so the scroll rides on the
  // layout the frame does anyway instead of forcing another one after it.
  useLayoutEffect(() => {
    const box = list.current?.parentElement;
    if (box) box.scrollTop = box.scrollHeight;
  }, [last]);
  // A static placeholder: one showing the step count made this panel and its input render, and the
  // input's placeholder lay out again, on every Step.
  const [target, setTarget] = useState('');
  const goTo = (
    <form className="goto" onSubmit={(e) => { e.preventDefault(); const n = Number.parseInt(target, 10); if (n >= 0) void commands.jumpTo(n); }}>
      <input aria-label="Go back to step" inputMode="numeric" placeholder="step no." title="Any step still in the history (the last 10,000 steps)" value={target} onChange={(e) => setTarget(e.target.value)} size={9} />
      <button type="submit">Go</button>
    </form>
  );
  return (
    <Panel name="Events" actions={goTo}>
      {!events || events.length === 0 ? <p className="hint">No events yet: VMX instructions, faults, VM entries and exits appear here.</p> : (
        <EventList events={events} listRef={list} />
      )}
    </Panel>
  );
}
