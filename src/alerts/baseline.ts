import type { ExposureReport } from '../core/report.generated.js';
import { diffReports } from '../diff/diff.js';
import type { ReportDiff } from '../diff/types.js';

/** The same scan with nothing in it: what the first scan of a schedule is compared with. */
function nothingExposed(report: ExposureReport): ExposureReport {
  return {
    ...report,
    gateways: report.gateways.map((gateway) => ({ ...gateway, mappings: [] })),
    wan: { ...report.wan, ports: [] },
    hosts: [],
    findings: [],
    exposures: [],
  };
}

/**
 * The first scan of a schedule as changes from "nothing": every mapping, open WAN port and finding it holds, with
 * the same kinds, keys and newExposure marks a later diff would give them, so the alert filter treats the
 * baseline exactly as it treats changes. Starting to monitor tells the owner where they stand.
 */
export function baselineDiff(report: ExposureReport, scanId: number | null): ReportDiff {
  const diff = diffReports(nothingExposed(report), report, { to: scanId ?? undefined });
  return { ...diff, from: { ...diff.from, scanId: null } };
}
