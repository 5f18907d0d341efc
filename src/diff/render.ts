import { terminalSafe as safe } from '../report/sanitize.js';
import { textTable } from '../report/text-table.js';
import type { ScanRecord } from '../store/types.js';
import type { ChangeKind, Rejudgement, ReportDiff } from './types.js';

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

/** The newer scan's incident, before the changes: its first steps matter more than any change. */
export function incidentText(incident: ReportDiff['incident']): string[] {
  if (!incident) return [];
  return [`!!! INCIDENT: ${safe(incident.title)}`, '    Do this first (incident response, not hardening):', ...incident.firstSteps.map((step, index) => `      ${index + 1}. ${safe(step)}`), ''];
}

export function renderDiffText(diff: ReportDiff): string {
  const lines = [...incidentText(diff.incident), `Changes from ${scanName(diff.from)} to ${scanName(diff.to)}:`];
  if (diff.changes.length === 0) lines.push('  no changes');
  for (const change of diff.changes) lines.push(`  ${change.incident ? '!' : MARK[change.kind]} ${change.incident && change.kind === 'finding-new' ? '[INCIDENT] ' : change.newExposure ? '[NEW EXPOSURE] ' : ''}${safe(change.summary)}`);
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

const packList = (packs: Rejudgement['packs']['now'] | null): string =>
  packs === null ? 'none recorded (the scan predates vendor packs)' : packs.length === 0 ? 'none (no device was recognised by a pack)' : packs.map((pack) => `${pack.id} ${pack.version} (data of ${pack.dataDate}${pack.source === 'user' ? ', --vendor-pack' : ''})`).join(', ');

/** exposure history rejudge: the incident first, then what the packs loaded now say differently about the stored facts. */
export function renderRejudgeText(rejudged: Rejudgement): string {
  const { scan, packs, summary } = rejudged;
  const lines = [
    ...incidentText(rejudged.incident),
    `Scan ${scan.id} (site ${safe(scan.site)}, ${scan.finishedAt}, recorded by ${safe(scan.recordedWith)}) judged again with the data loaded now:`,
    `  packs then: ${safe(packList(packs.then))}`,
    `  packs now:  ${safe(packList(packs.now))}`,
    `  then: ${safe(summary.then.headline)} (risk ${summary.then.riskScore}/100, highest ${summary.then.highestSeverity})`,
    `  now:  ${safe(summary.now.headline)} (risk ${summary.now.riskScore}/100, highest ${summary.now.highestSeverity})`,
    '',
    'Verdicts:',
  ];
  if (rejudged.verdicts.length === 0) lines.push('  no verdict changed');
  for (const change of rejudged.verdicts) lines.push(`  ${change.after === 'vulnerable' ? '+' : change.before === 'vulnerable' ? '-' : '~'} ${safe(change.summary)}`);
  lines.push('', 'Findings:');
  if (rejudged.diff.changes.length === 0) lines.push('  no finding changed');
  for (const change of rejudged.diff.changes) lines.push(`  ${change.incident ? '!' : MARK[change.kind]} ${change.incident && change.kind === 'finding-new' ? '[INCIDENT] ' : change.newExposure ? '[NEW EXPOSURE] ' : ''}${safe(change.summary)}`);
  lines.push('', 'The stored scan is unchanged; this is what its facts mean with the data loaded now.');
  return `${lines.join('\n')}\n`;
}
