// A lesson's text, rendered from Markdown and sanitised (markdown.ts). This module is loaded
// lazily, so marked and DOMPurify are not in the page's entry chunk.

import { useMemo } from 'react';
import { renderLessonMarkdown } from './markdown.ts';

/** The text without a first-line `# Heading`: the panel shows the lesson's title above it. */
export function withoutLeadingHeading(text: string): string {
  return text.replace(/^\s*#\s[^\n]*\n/, '');
}

export default function LessonText({ text }: { text: string }) {
  const html = useMemo(() => renderLessonMarkdown(withoutLeadingHeading(text)), [text]);
  // Sanitised by DOMPurify with a short allow-list; a lesson's own HTML was escaped before that.
  return <div className="lesson-text" dangerouslySetInnerHTML={{ __html: html }} />;
}
