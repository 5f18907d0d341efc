import type { ExposureReport } from '../../core/report.generated.js';
import { OUTPUTS, type OutputFormat } from '../../report/formats.js';

export type ReportFormat = OutputFormat<ExposureReport>;

/**
 * The formats of GET /v1/scans/{id}/report?format= GET /v1/diff?format= and GET /v1/scans/{id}/rejudge?format=: the registry's (src/report/formats.ts),
 * the same the CLI prints. The routes' query schemas and the OpenAPI document read these tables.
 */
export const REPORT_FORMATS: Readonly<Record<string, ReportFormat>> = OUTPUTS.report;
export const DIFF_FORMATS = OUTPUTS.diff;
export const REJUDGE_FORMATS = OUTPUTS.rejudge;

export const DEFAULT_REPORT_FORMAT = 'json';
