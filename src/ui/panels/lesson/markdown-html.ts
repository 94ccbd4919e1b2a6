// Lesson Markdown to HTML with marked. Raw HTML in a lesson is never passed through: it is
// written out as text. The result still goes through DOMPurify (markdown.ts) before the page
// shows it, so neither a lesson's HTML nor a crafted link can run anything.

import { Marked } from 'marked';

const escapeHtml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const marked = new Marked({ gfm: true, async: false });
marked.use({
  renderer: {
    // Block and inline HTML become visible text.
    html: ({ text }) => escapeHtml(text),
  },
});

/** Lesson Markdown as HTML, raw HTML escaped (not yet sanitised: see `renderLessonMarkdown`). */
export function markdownToHtml(text: string): string {
  return marked.parse(text, { async: false });
}
