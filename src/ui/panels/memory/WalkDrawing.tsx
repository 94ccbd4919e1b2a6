// A page walk or an EPT walk drawn level by level: each entry's address (a link to it in the hex
// view), its value, the bits that decided it and what it decided, then the outcome. Everything
// shown comes from the worker (src/worker/walk-view.ts); nothing here computes architecture.

import type { EptWalkView, PageLevelView, PageWalkView, WalkBitView } from '../../../worker/types.ts';

/** Shows `length` bytes at physical `addr` in the hex view. */
export type GoToBytes = (addr: number, length: number) => void;

function Bits({ bits }: { bits: readonly WalkBitView[] }) {
  if (bits.length === 0) return null;
  return (
    <span className="wbits">
      {bits.map((b) => (
        <abbr key={b.name} title={b.decisive ? `This value decided the outcome. ${b.doc}` : b.doc}
          className={`wbit ${b.value === '0' ? 'off' : 'on'}${b.decisive ? ' decisive' : ''}`}>{b.name}={b.value}{b.decisive ? ' ◆' : ''}</abbr>
      ))}
    </span>
  );
}

function EntryLink({ what, addr, length, goTo }: { what: string; addr: string; length: number; goTo: GoToBytes }) {
  return (
    <button type="button" className="linkish mono" aria-label={`Show the ${what} at ${addr} in the hex view`} title="Show these bytes in the hex view"
      onClick={() => goTo(Number(addr), length)}>
      {addr}
    </button>
  );
}

/** An EPT walk (SDM Vol. 3C §29.3.2) as the worker computed it. */
export function EptDrawing({ ept, title, goTo }: { ept: EptWalkView; title: string; goTo: GoToBytes }) {
  return (
    <figure className="walk walk-ept" aria-label={title}>
      <figcaption>
        {title}: guest-physical <code>{ept.gpa}</code> with EPTP <code>{ept.eptp}</code>
      </figcaption>
      {ept.levels.length > 0 && (
        <ol className="walk-levels">
          {ept.levels.map((l) => (
            <li key={l.name} className={`walk-level role-${l.role}`}>
              <div className="walk-head">
                <strong>{l.name}</strong> [{l.index}] at <EntryLink what={`${l.name} entry`} addr={l.entryAddr} length={8} goTo={goTo} /> = <code>{l.entry}</code>
              </div>
              <Bits bits={l.bits} />
              <div className="walk-decided">{l.decided}</div>
            </li>
          ))}
        </ol>
      )}
      <p className={`walk-outcome outcome-${ept.outcome}`}>
        {ept.summary} <cite>{ept.sdm}</cite>
        {ept.hpa && <> · <EntryLink what="translated byte" addr={ept.hpa} length={1} goTo={goTo} /></>}
      </p>
    </figure>
  );
}

function PageLevel({ l, size, goTo }: { l: PageLevelView; size: number; goTo: GoToBytes }) {
  const where = l.hostAddr ?? l.entryAddr;
  return (
    <li className={`walk-level role-${l.role}`}>
      <div className="walk-head">
        <strong>{l.name}</strong> [{l.index}] at <EntryLink what={`${l.name} entry`} addr={where} length={size} goTo={goTo} />
        {l.hostAddr && l.hostAddr !== l.entryAddr && <span className="hint"> (guest-physical {l.entryAddr})</span>}
        {l.entry && <> = <code>{l.entry}</code></>}
      </div>
      <Bits bits={l.bits} />
      <div className="walk-decided">{l.decided}</div>
      {l.ept && (
        <details className="walk-nested">
          <summary>EPT walk of this entry&apos;s guest-physical address</summary>
          <EptDrawing ept={l.ept} title={`EPT walk of the ${l.name} entry's address`} goTo={goTo} />
        </details>
      )}
    </li>
  );
}

/** A paging walk (SDM Vol. 3A ch. 4) as the worker computed it. */
export function PageDrawing({ page, goTo }: { page: PageWalkView; goTo: GoToBytes }) {
  const size = page.paging === '32-bit' ? 4 : 8;
  return (
    <figure className="walk" aria-label={`Page walk of ${page.linear}`}>
      <figcaption>
        Linear <code>{page.linear}</code> · {page.paging} paging · CR3 <code>{page.cr3}</code> <cite>{page.sdm}</cite>
        <br /><span className="hint">Registers: {page.regs}</span>
      </figcaption>
      {page.levels.length > 0 && (
        <ol className="walk-levels">
          {page.levels.map((l) => <PageLevel key={l.name} l={l} size={size} goTo={goTo} />)}
        </ol>
      )}
      <p className={`walk-outcome outcome-${page.outcome}`}>
        {page.summary}{page.errorCode && ` (error code ${page.errorCode})`}
        {page.physical && !page.ept && <> · <EntryLink what="translated byte" addr={page.physical} length={1} goTo={goTo} /></>}
      </p>
      {page.ept && <EptDrawing ept={page.ept} title="EPT walk of the final guest-physical address" goTo={goTo} />}
    </figure>
  );
}
