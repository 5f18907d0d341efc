import type { ExposureReport } from '../../core/report.generated.js';
import { openWanPorts, wanAddressOf } from '../../store/facts.js';

/** GET /v1/exposure: what a Home Assistant sensor reads. Keys never come and go; missing values are null. */
export interface ApiExposure {
  scanId: number | null;
  lastScanAt: string | null;
  riskScore: number | null;
  highestSeverity: ExposureReport['summary']['highestSeverity'] | null;
  headline: string | null;
  counts: ExposureReport['summary']['counts'];
  findings: number;
  openWanPorts: number | null;
  openWanPortList: string[];
  mappings: number | null;
  gateways: number | null;
  externalIp: string | null;
  wanView: ExposureReport['wan']['vantage'] | null;
}

export const NO_EXPOSURE: ApiExposure = {
  scanId: null,
  lastScanAt: null,
  riskScore: null,
  highestSeverity: null,
  headline: null,
  counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  findings: 0,
  openWanPorts: null,
  openWanPortList: [],
  mappings: null,
  gateways: null,
  externalIp: null,
  wanView: null,
};

/** Copies from the report; computes nothing a renderer could not (counts and lists only). */
export function exposureOf(scanId: number, report: ExposureReport): ApiExposure {
  const { summary } = report;
  const open = openWanPorts(report);
  const scanned = report.wan.vantage !== 'none';
  return {
    scanId,
    lastScanAt: report.finishedAt,
    riskScore: summary.riskScore,
    highestSeverity: summary.highestSeverity,
    headline: summary.headline,
    counts: { critical: summary.counts.critical, high: summary.counts.high, medium: summary.counts.medium, low: summary.counts.low, info: summary.counts.info },
    findings: report.findings.length,
    openWanPorts: scanned ? open.length : null,
    openWanPortList: open,
    mappings: summary.mappings,
    gateways: summary.gateways,
    externalIp: wanAddressOf(report),
    wanView: report.wan.vantage,
  };
}
