import type { ProbeManifest } from '../core/probe.js';
import type { ExposureReport, Finding, Severity } from '../core/report.generated.js';
import { terminalSafe as safe } from './sanitize.js';
import { findingsForDisplay } from './finding-runs.js';
import { textTable } from './text-table.js';
import { classificationWords, coverageBanner, exposureWords, incidentBanner, reachabilityText, scoreWords, SEVERITIES_WORST_FIRST } from './words.js';
import { coverageOf } from './coverage-of.js';
import { reportParts, type ReportParts } from './sections.js';
import { sectionText } from './section-layout.js';

export interface TextStyle {
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '\u001b[1;41;97m', high: '\u001b[1;31m', medium: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };

function badge(severity: Severity, style: TextStyle): string {
  const label = `[${severity.toUpperCase()}]`.padEnd(10);
  return style.color ? `${SEVERITY_COLOR[severity]}${label}\u001b[0m` : label;
}

function exposureLines(report: ExposureReport): string[] {
  const exposures = report.exposures ?? [];
  if (exposures.length === 0) return [];
  const rows = [['SEVERITY', 'DOOR', 'LEADS TO', 'OUTSIDE VIEW', 'WHAT'], ...exposures.map((door) => [door.severity.toUpperCase(), `${door.protocol}/${door.externalPort}`, safe(exposureWords(door)), reachabilityText(door.reachability), safe(door.label.slice(0, 50))])];
  return ['', `Doors from the internet: ${exposures.length}`, ...textTable(rows).map((row) => `  ${row}`)];
}

/** A condensed rule's findings get one line each, up to this many; the JSON has every one. */
const CONDENSED_LINES = 20;

function findingLines(findings: readonly Finding[], style: TextStyle, compact: ReportParts['compact']): string[] {
  const lines: string[] = [];
  const compactShown = new Set<string>();
  for (const { severity, full, condensed } of findingsForDisplay(findings)) {
    for (const finding of full) {
      lines.push(`${badge(finding.severity, style)} ${safe(finding.title)}`);
      const classification = classificationWords(finding.classification);
      if (classification) lines.push(`           ${safe(classification)}`);
      if (compact.has(finding.rule)) {
        for (const evidence of finding.evidence) lines.push(`           ${safe(evidence.detail)}`);
        continue;
      }
      lines.push(`           ${safe(finding.description)}`);
      for (const evidence of finding.evidence) lines.push(`           evidence: ${safe(evidence.detail)}`);
      finding.remediation.forEach((step, index) => lines.push(`           ${index === 0 ? 'fix:' : '    '} ${safe(step)}`));
    }
    for (const { rule, findings: more } of condensed) {
      lines.push(`${badge(severity, style)} ${more.length} more ${safe(rule)} findings like the ones above (same explanation and fix):`);
      for (const finding of more.slice(0, CONDENSED_LINES)) lines.push(`           ${safe(finding.title)}`);
      if (more.length > CONDENSED_LINES) lines.push(`           ... and ${more.length - CONDENSED_LINES} more (--format json, markdown or html lists every one)`);
    }
  }
  // A compact rule's remediation is given once: its steps after the first (which names the one item), then the probe's advice.
  for (const finding of findings) {
    const advice = compact.get(finding.rule);
    if (!advice || compactShown.has(finding.rule)) continue;
    compactShown.add(finding.rule);
    lines.push('', safe(advice.title));
    for (const step of [...finding.remediation.slice(1), ...advice.advice]) lines.push(`  - ${safe(step)}`);
  }
  return lines;
}

/** The incident, before anything else: a compromised box needs its incident steps before any other line. */
function incidentLines(report: ExposureReport, style: TextStyle): string[] {
  const banner = incidentBanner(report.incident);
  if (!banner) return [];
  const title = `!!! ${safe(banner.title)}`;
  return [
    style.color ? `${SEVERITY_COLOR.critical}${title}\u001b[0m` : title,
    `    ${safe(banner.where)}`,
    `    ${banner.stepsTitle}`,
    ...banner.steps.map((step, index) => `      ${index + 1}. ${safe(step)}`),
    `    ${safe(banner.more)}`,
    '',
  ];
}

/**
 * Readable at a glance: an incident first when there is one, then the verdict, each probe's section (the routers and their mapping tables first), the doors,
 * then findings by severity. `probes` gives the sections (the registered ones by default).
 */
export function renderText(report: ExposureReport, style: TextStyle = { color: false }, probes?: readonly ProbeManifest[]): string {
  const parts = reportParts(report, probes);
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const lines = [...incidentLines(report, style), `${report.tool.name} ${report.tool.version}: scan of ${report.startedAt} (${seconds.toFixed(1)} s)`];
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  if (banner) {
    lines.push('', style.color ? `\u001b[1;43;30m${banner.title}\u001b[0m` : banner.title);
    for (const view of banner.views) lines.push(`  ${view.name}: ${view.status} (${safe(view.code)}): ${safe(view.message)}`);
  }
  const score = scoreWords(report.summary, coverage);
  lines.push('', `Verdict  ${safe(report.summary.headline)}`, `Risk score  ${score.value}${score.note ? ` (${score.note})` : ''} (docs/risk-score.md)`);
  for (const section of parts.sections) lines.push(...sectionText(section));
  lines.push(...exposureLines(report));
  const { counts } = report.summary;
  lines.push('', `Findings: ${SEVERITIES_WORST_FIRST.map((severity) => `${counts[severity]} ${severity}`).join(', ')}`);
  lines.push(...findingLines(report.findings, style, parts.compact));
  for (const warning of report.warnings) lines.push(`! ${warning.code}: ${safe(warning.message)}`);
  return `${lines.join('\n')}\n`;
}
