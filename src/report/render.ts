import type { ExposureReport } from '../core/report.generated.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText, type TextStyle } from './render-text.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'html';

/** The one switch from a report to what a face prints; every renderer only formats what the report holds. */
export function render(report: ExposureReport, format: ReportFormat, style: TextStyle = { color: false }): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'text':
      return renderText(report, style);
  }
}
