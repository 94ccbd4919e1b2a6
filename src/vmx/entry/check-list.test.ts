import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderCheckList } from './check-list.ts';
import { ENTRY_CHECKS } from './checks/index.ts';

const DOC = resolve(__dirname, '../../../docs/vmx-checks.md');

describe('docs/vmx-checks.md', () => {
  it('is the rendering of the check table (regenerate with VMXLAB_UPDATE_DOCS=1)', () => {
    const text = renderCheckList();
    if (process.env.VMXLAB_UPDATE_DOCS === '1') writeFileSync(DOC, text);
    expect(existsSync(DOC)).toBe(true);
    expect(readFileSync(DOC, 'utf8')).toBe(text);
  });

  it('lists every check id once', () => {
    const text = renderCheckList();
    for (const c of ENTRY_CHECKS) expect(text.split(`\`${c.id}\``).length - 1, c.id).toBe(1);
  });
});
