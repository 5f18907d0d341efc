import type { ExposureReport } from '../core/report.generated.js';

/** JSON.stringify escapes every control character, so the JSON form is safe to print as is. */
export function renderJson(report: ExposureReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
