// A panel: a region whose accessible name is its heading (DESIGN section 7 names).

import { useId, type ReactNode } from 'react';

export function Panel({ name, children, className, actions }: { name: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`panel ${className ?? ''}`}>
      <header className="panel-head">
        <h2 id={id}>{name}</h2>
        {actions}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
