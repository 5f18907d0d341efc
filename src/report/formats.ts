import { createError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';
import { renderDiffJson, renderDiffText, renderHistoryText, renderRejudgeText } from '../diff/render.js';
import type { Rejudgement, ReportDiff } from '../diff/types.js';
import type { ScanRecord } from '../store/types.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';

/** What a face may ask of a renderer besides the format: colour only makes sense in a terminal. */
export interface RenderOptions {
  color?: boolean;
}

export interface OutputFormat<Value> {
  /** The HTTP Content-Type the API serves it with. */
  contentType: string;
  render(value: Value, options?: RenderOptions): string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * The one registry of output formats: what `exposure scan`, `history` and `diff` print and what the API serves,
 * per kind of output. A format is added here, once; the CLI's --format checks, the API's query schemas and the
 * OpenAPI document read their lists from this table (test/report/formats.test.ts holds the faces to it).
 */
export const OUTPUTS = {
  report: {
    json: { contentType: JSON_TYPE, render: (report: ExposureReport) => renderJson(report) },
    text: { contentType: TEXT_TYPE, render: (report: ExposureReport, options?: RenderOptions) => renderText(report, { color: options?.color === true }) },
    markdown: { contentType: 'text/markdown; charset=utf-8', render: (report: ExposureReport) => renderMarkdown(report) },
    html: { contentType: 'text/html; charset=utf-8', render: (report: ExposureReport) => renderHtml(report) },
  },
  // Text first: the CLI's default, and the order its usage errors list them in.
  diff: {
    text: { contentType: TEXT_TYPE, render: (diff: ReportDiff) => renderDiffText(diff) },
    json: { contentType: JSON_TYPE, render: (diff: ReportDiff) => renderDiffJson(diff) },
  },
  history: {
    text: { contentType: TEXT_TYPE, render: (scans: readonly ScanRecord[]) => renderHistoryText(scans) },
    json: { contentType: JSON_TYPE, render: (scans: readonly ScanRecord[]) => `${JSON.stringify({ scans }, null, 2)}\n` },
  },
  rejudge: {
    text: { contentType: TEXT_TYPE, render: (rejudged: Rejudgement) => renderRejudgeText(rejudged) },
    json: { contentType: JSON_TYPE, render: (rejudged: Rejudgement) => `${JSON.stringify(rejudged, null, 2)}\n` },
  },
} as const satisfies {
  report: Record<string, OutputFormat<ExposureReport>>;
  diff: Record<string, OutputFormat<ReportDiff>>;
  history: Record<string, OutputFormat<readonly ScanRecord[]>>;
  rejudge: Record<string, OutputFormat<Rejudgement>>;
};

export type OutputKind = keyof typeof OUTPUTS;
export type FormatName<Kind extends OutputKind> = Extract<keyof (typeof OUTPUTS)[Kind], string>;
type ValueOf<Kind extends OutputKind> = { report: ExposureReport; diff: ReportDiff; history: readonly ScanRecord[]; rejudge: Rejudgement }[Kind];

export function formatNames<Kind extends OutputKind>(kind: Kind): FormatName<Kind>[] {
  return Object.keys(OUTPUTS[kind]) as FormatName<Kind>[];
}

export function isFormat<Kind extends OutputKind>(kind: Kind, name: string): name is FormatName<Kind> {
  return Object.hasOwn(OUTPUTS[kind], name);
}

/** The format by name, or EXP_ERR_USAGE naming the ones there are (the CLI's --format; the API checks by schema first). */
export function outputFormat<Kind extends OutputKind>(kind: Kind, name: string): OutputFormat<ValueOf<Kind>> {
  if (!isFormat(kind, name)) throw createError('EXP_ERR_USAGE', `--format must be one of ${formatNames(kind).join(', ')}, not "${name.slice(0, 40)}"`);
  // The table's entries are typed per kind above; indexing by a generic kind loses that, the guard restores it.
  return (OUTPUTS[kind] as Record<string, OutputFormat<ValueOf<Kind>>>)[name] as OutputFormat<ValueOf<Kind>>;
}

export function renderAs<Kind extends OutputKind>(kind: Kind, name: string, value: ValueOf<Kind>, options?: RenderOptions): string {
  return outputFormat(kind, name).render(value, options);
}
