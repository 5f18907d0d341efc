import type { ExposureReport } from '../../core/report.generated.js';
import { renderHtml } from '../../report/render-html.js';
import { renderJson } from '../../report/render-json.js';
import { renderMarkdown } from '../../report/render-markdown.js';
import { renderText } from '../../report/render-text.js';

export interface ReportFormat {
  contentType: string;
  render: (report: ExposureReport) => string;
}

/**
 * The formats of GET /v1/scans/{id}/report?format=. Adding one is one line here: the route's query schema, the
 * OpenAPI document and the tests all read this table.
 */
export const REPORT_FORMATS: Readonly<Record<string, ReportFormat>> = {
  json: { contentType: 'application/json; charset=utf-8', render: renderJson },
  text: { contentType: 'text/plain; charset=utf-8', render: (report) => renderText(report, { color: false }) },
  markdown: { contentType: 'text/markdown; charset=utf-8', render: renderMarkdown },
  html: { contentType: 'text/html; charset=utf-8', render: renderHtml },
};

export const DEFAULT_REPORT_FORMAT = 'json';
