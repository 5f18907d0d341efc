/**
 * The generic shapes a report section is made of. A probe's manifest turns its part of the report into these, and
 * the renderers (text, Markdown, HTML) only lay them out: they know tables, headings and paragraphs, never a
 * router, a NAS or a vendor. Every string is the report's data or the probe's wording; renderers escape all of it.
 */

/**
 * A run of text; `strong` and `code` are emphasis only, dropped where a format has no room for them. A `token` is a
 * short word of the probe's own making (80/tcp, TCP, a count) that Markdown may show unescaped: only letters, digits,
 * '/' and '-' are left as they are, anything else is escaped like any text.
 */
export type Inline = string | { strong: string } | { code: string } | { token: string };
export type Cell = Inline | readonly Inline[];

/** Which formats show a block: the terminal's compact lines, the documents' (Markdown, HTML) headings and tables, or both. */
export type BlockFormats = 'text' | 'document' | 'all';

interface BlockBase {
  /** Default 'all'. */
  formats?: BlockFormats;
}

/** A sub-heading (HTML h3, Markdown ###); `note` is shown beside it in a quieter voice. */
export interface HeadingBlock extends BlockBase {
  type: 'heading';
  text: Cell;
  note?: Cell;
}

export interface ParagraphBlock extends BlockBase {
  type: 'paragraph';
  text: Cell;
  /** 'meta': secondary detail, shown smaller where the format can. */
  tone?: 'meta';
}

/** One line of the terminal's layout; `indent` in steps of two spaces, `gap` puts an empty line before it. */
export interface LineBlock extends BlockBase {
  type: 'line';
  text: Cell;
  indent?: number;
  gap?: boolean;
}

export interface TableBlock extends BlockBase {
  type: 'table';
  columns: readonly string[];
  rows: ReadonlyArray<readonly Cell[]>;
  /** A class and data attributes for HTML (tests and stylesheets find the table by them). */
  className?: string;
  data?: Readonly<Record<string, string>>;
  /** Terminal indent in steps of two spaces. */
  indent?: number;
}

export type SectionBlock = HeadingBlock | ParagraphBlock | LineBlock | TableBlock;

export interface ReportSection {
  /** Stable, kebab-case: the HTML section's id. */
  id: string;
  /** The documents' heading (HTML h2, Markdown ##); the terminal shows no title, only the section's lines. */
  title: string;
  blocks: readonly SectionBlock[];
}

/** Whether a block is shown in a format. */
export function shownIn(block: SectionBlock, format: 'text' | 'document'): boolean {
  const formats = block.formats ?? 'all';
  return formats === 'all' || formats === format;
}

/** The plain words of a cell, for formats without emphasis. */
export function plainText(cell: Cell): string {
  return isInlineList(cell) ? cell.map(inlineText).join('') : inlineText(cell);
}

export function isInlineList(cell: Cell): cell is readonly Inline[] {
  return Array.isArray(cell);
}

export function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  if ('strong' in part) return part.strong;
  if ('code' in part) return part.code;
  return part.token;
}
