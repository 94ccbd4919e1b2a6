// A <details> whose content is rendered only while open: closed sections cost no DOM, which
// keeps style and layout work per Step small (the VMCS and MSR panels have hundreds of rows).

import { useState, type ReactNode } from 'react';

export function Disclosure({ summary, children, defaultOpen = false, className }: { summary: ReactNode; children: ReactNode; defaultOpen?: boolean; className?: string }) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <details className={className} open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open && children}
    </details>
  );
}
