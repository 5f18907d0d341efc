import { terminalSafe } from './sanitize.js';

/**
 * The one escaping function for HTML (text and quoted attribute values, in HTML and inline SVG alike). Every string
 * a renderer writes into the page goes through it, ours included, because ours embed the network's (a mapping
 * description inside a finding title). Control and bidi characters first become visible escapes (the same rule as
 * the terminal's), then the five HTML metacharacters become entities, so no input can open a tag, close the SVG,
 * break out of an attribute, or reorder what the reader sees.
 */
const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return terminalSafe(text).replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

/**
 * Markdown (GitHub-flavoured) for untrusted text in paragraphs, list items and table cells: control characters
 * become visible (so no newline can start a heading, list or table row), the HTML metacharacters become entities
 * (GitHub renders raw HTML), and every other ASCII punctuation mark is backslash-escaped: pipes cannot split a
 * table cell, backticks cannot open code, brackets cannot make links or images, `@` cannot mention, `$` cannot start
 * maths, and `:`/`.` cannot form an autolink.
 */
export function escapeMarkdown(text: string): string {
  return terminalSafe(text).replace(/[!-/:-@[-`{-~]/g, (char) => HTML_ENTITIES[char] ?? `\\${char}`);
}

/** Only https references become links (ours are constants; this keeps it so); anything else is shown as text. */
export function safeLink(reference: string): string | null {
  try {
    const url = new URL(reference);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : null;
  } catch {
    return null;
  }
}
