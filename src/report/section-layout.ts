import { inlineText, isInlineList, shownIn, type Cell, type Inline, type ReportSection, type SectionBlock } from '../core/report-section.js';
import { escapeHtml as h, escapeMarkdown as md } from './escape.js';
import { terminalSafe as safe } from './sanitize.js';
import { textTable } from './text-table.js';

/**
 * The three layouts of a probe's section. Every string is escaped for its format here, the probe's wording and the
 * network's alike; emphasis is markup of ours around escaped text.
 */

function parts(cell: Cell): readonly Inline[] {
  return isInlineList(cell) ? cell : [cell];
}

/** Letters, digits, '/' and '-' cannot start Markdown syntax inside a table cell or a paragraph. */
const MARKDOWN_TOKEN = /^[A-Za-z0-9/-]+$/;

function textCell(cell: Cell): string {
  return safe(parts(cell).map(inlineText).join(''));
}

function markdownCell(cell: Cell): string {
  return parts(cell)
    .map((part) => (typeof part === 'object' && 'token' in part && MARKDOWN_TOKEN.test(part.token) ? part.token : md(inlineText(part))))
    .join('');
}

function htmlCell(cell: Cell): string {
  return parts(cell)
    .map((part) => {
      if (typeof part === 'string') return h(part);
      if ('strong' in part) return `<strong>${h(part.strong)}</strong>`;
      if ('code' in part) return `<code>${h(part.code)}</code>`;
      return h(part.token);
    })
    .join('');
}

const pad = (indent: number | undefined): string => '  '.repeat(indent ?? 0);

/** The terminal's lines of a section: its text blocks only, no title. */
export function sectionText(section: ReportSection): string[] {
  const lines: string[] = [];
  for (const block of section.blocks.filter((candidate) => shownIn(candidate, 'text'))) {
    switch (block.type) {
      case 'line':
        if (block.gap) lines.push('');
        lines.push(`${pad(block.indent)}${textCell(block.text)}`);
        break;
      case 'table':
        lines.push(...textTable([block.columns.map(safe), ...block.rows.map((row) => row.map(textCell))]).map((row) => `${pad(block.indent)}${row}`));
        break;
      case 'heading':
        lines.push('', textCell(block.text) + (block.note === undefined ? '' : `  ${textCell(block.note)}`));
        break;
      case 'paragraph':
        lines.push(textCell(block.text));
        break;
    }
  }
  return lines;
}

function documentBlocks(section: ReportSection): SectionBlock[] {
  return section.blocks.filter((block) => shownIn(block, 'document'));
}

export function sectionMarkdown(section: ReportSection): string[] {
  const blocks = documentBlocks(section);
  if (blocks.length === 0) return [];
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const lines = [`## ${md(section.title)}`, ''];
  for (const block of blocks) {
    switch (block.type) {
      case 'heading':
        lines.push(`### ${markdownCell(block.text)}${block.note === undefined ? '' : ` (${markdownCell(block.note)})`}`, '');
        break;
      case 'paragraph':
      case 'line':
        lines.push(markdownCell(block.text), '');
        break;
      case 'table':
        lines.push(row(block.columns.map(md)), row(block.columns.map(() => '---')), ...block.rows.map((cells) => row(cells.map(markdownCell))), '');
        break;
    }
  }
  return lines;
}

export function htmlTable(columns: readonly string[], rows: ReadonlyArray<readonly string[]>, attributes = ''): string {
  // Cells arrive escaped, so markup of our own (badges, code) can sit in them.
  return `<table${attributes ? ` ${attributes}` : ''}><thead><tr>${columns.map((cell) => `<th>${h(cell)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function tableAttributes(block: Extract<SectionBlock, { type: 'table' }>): string {
  const attributes = block.className === undefined ? [] : [`class="${h(block.className)}"`];
  for (const [name, value] of Object.entries(block.data ?? {})) if (/^[a-z][a-z0-9-]*$/.test(name)) attributes.push(`data-${name}="${h(value)}"`);
  return attributes.join(' ');
}

export function sectionHtml(section: ReportSection): string {
  const blocks = documentBlocks(section);
  if (blocks.length === 0) return '';
  const body = blocks.map((block) => {
    switch (block.type) {
      case 'heading':
        return `<h3>${htmlCell(block.text)}${block.note === undefined ? '' : ` <span class="meta">${htmlCell(block.note)}</span>`}</h3>`;
      case 'paragraph':
      case 'line':
        return `<p${block.type === 'paragraph' && block.tone === 'meta' ? ' class="meta"' : ''}>${htmlCell(block.text)}</p>`;
      case 'table':
        return htmlTable(block.columns, block.rows.map((cells) => cells.map(htmlCell)), tableAttributes(block));
    }
  });
  return `<section id="${h(section.id)}"><h2>${h(section.title)}</h2>${body.join('\n')}</section>`;
}
