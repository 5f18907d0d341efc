import type { ExposureReport } from '../core/report.generated.js';
import { OUTPUTS, type FormatName } from './formats.js';
import type { TextStyle } from './render-text.js';

export type ReportFormat = FormatName<'report'>;

/** A report as a face prints it; the formats are the registry's (src/report/formats.ts). */
export function render(report: ExposureReport, format: ReportFormat, style: TextStyle = { color: false }): string {
  return OUTPUTS.report[format].render(report, style);
}
