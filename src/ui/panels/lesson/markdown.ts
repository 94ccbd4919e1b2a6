// Lesson Markdown as sanitised HTML: marked (raw HTML escaped), then DOMPurify with a short list
// of the tags Markdown makes, no images (the lab makes no requests) and only http(s) or in-page
// links. Loaded lazily with the Lesson panel's text.

import DOMPurify from 'dompurify';
import { markdownToHtml } from './markdown-html.ts';

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];

/** Lesson Markdown as HTML that is safe to put in the page. */
export function renderLessonMarkdown(text: string): string {
  return DOMPurify.sanitize(markdownToHtml(text), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'start', 'align'],
    ALLOWED_URI_REGEXP: /^(?:https?:|#)/i,
  });
}
