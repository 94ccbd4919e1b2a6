// Lesson Markdown: formatting survives, raw HTML (script, event handlers) comes out as text.
import { describe, expect, it } from 'vitest';
import { markdownToHtml } from './markdown-html.ts';

describe('lesson Markdown', () => {
  it('renders emphasis, code and lists', () => {
    const h = markdownToHtml('Set **CR4.VMXE** with `mov cr4, rax`:\n\n- one\n- two\n');
    expect(h).toContain('<strong>CR4.VMXE</strong>');
    expect(h).toContain('<code>mov cr4, rax</code>');
    expect(h).toContain('<li>one</li>');
  });

  it('writes raw HTML out as text, block and inline', () => {
    const h = markdownToHtml('<script>alert(1)</script>\n\nText <img src=x onerror="alert(2)"> here\n');
    expect(h).not.toMatch(/<script|<img/i);
    expect(h).toContain('&lt;script&gt;');
    expect(h).toContain('&lt;img');
  });
});
