// A panel: a region whose accessible name is its heading (DESIGN section 7 names). Its body can
// be collapsed to make room on a small screen or a projector.

import { useId, useState, type ReactNode } from 'react';

export function Panel({ name, children, className, actions }: { name: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  const id = useId();
  const [open, setOpen] = useState(true);
  return (
    <section aria-labelledby={id} className={`panel ${className ?? ''} ${open ? '' : 'collapsed'}`}>
      <header className="panel-head">
        <h2 id={id}>{name}</h2>
        {actions}
        <button type="button" className="collapse" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`} onClick={() => setOpen(!open)}>
          {open ? '−' : '+'}
        </button>
      </header>
      {open && <div className="panel-body">{children}</div>}
    </section>
  );
}
