import { terminalSafe as safe } from '../report/sanitize.js';
import { textTable } from '../report/text-table.js';
import type { ScanRecord } from '../store/types.js';
import type { ChangeKind, ReportDiff } from './types.js';

const MARK: Record<ChangeKind, string> = {
  'mapping-added': '+',
  'mapping-removed': '-',
  'mapping-changed': '~',
  'wan-port-opened': '+',
  'wan-port-closed': '-',
  'wan-view-changed': '~',
  'finding-new': '+',
  'finding-resolved': '-',
  'finding-severity-changed': '~',
  'wan-address-changed': '~',
  'firmware-changed': '~',
  'coverage-changed': '!',
};

const scanName = (side: ReportDiff['from']): string => `${side.scanId === null ? 'report' : `scan ${side.scanId}`} (${side.finishedAt})`;

export function renderDiffText(diff: ReportDiff): string {
  const lines = [`Changes from ${scanName(diff.from)} to ${scanName(diff.to)}:`];
  if (diff.changes.length === 0) lines.push('  no changes');
  for (const change of diff.changes) lines.push(`  ${MARK[change.kind]} ${change.newExposure ? '[NEW EXPOSURE] ' : ''}${safe(change.summary)}`);
  return `${lines.join('\n')}\n`;
}

export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

export function renderHistoryText(scans: readonly ScanRecord[]): string {
  if (scans.length === 0) return 'No scans in the history yet. Run "exposure scan --save" or "exposure watch".\n';
  // A SITE column only once a history holds another site than the default: a one-home history reads as before.
  const sites = scans.some((scan) => scan.site !== 'default');
  const rows = [[...(sites ? ['SITE'] : []), 'ID', 'STATUS', 'FINISHED', 'BY', 'HIGHEST', 'MAPPINGS', 'OPEN WAN', 'WAN ADDRESS', 'NOTE']];
  for (const scan of scans) {
    const summary = scan.summary;
    rows.push([
      ...(sites ? [scan.site] : []),
      String(scan.id),
      scan.status,
      scan.finishedAt ?? scan.startedAt ?? scan.createdAt,
      scan.trigger + (scan.scheduleId === null ? '' : ` #${scan.scheduleId}`),
      summary?.highestSeverity ?? '-',
      summary ? String(summary.mappings) : '-',
      summary ? String(summary.openWanPorts) : '-',
      safe(summary?.wanAddress ?? '-'),
      safe(scan.error ? `${scan.error.code}: ${scan.error.message}` : (summary?.headline ?? '')),
    ]);
  }
  return `${textTable(rows).join('\n')}\n`;
}
