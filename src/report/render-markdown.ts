import type { ProbeManifest } from '../core/probe.js';
import type { Exposure, ExposureReport, Finding } from '../core/report.generated.js';
import { escapeMarkdown as md, safeLink } from './escape.js';
import { findingsForDisplay } from './finding-runs.js';
import { classificationWords, coverageBanner, exposureWords, incidentBanner, reachabilityText, scoreWords, severityLabel, SEVERITIES_WORST_FIRST } from './words.js';
import { coverageOf } from './coverage-of.js';
import { reportParts } from './sections.js';
import { sectionMarkdown } from './section-layout.js';

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

function exposureRows(exposures: readonly Exposure[]): string[] {
  return table(
    ['Severity', 'Door', 'Via', 'Leads to', 'Outside view', 'What', 'Findings'],
    exposures.map((door) => [
      severityLabel(door.severity),
      md(`${door.protocol} ${door.externalPort}`),
      md(door.via),
      md(exposureWords(door)),
      md(reachabilityText(door.reachability)),
      md(door.label),
      door.findings.map(md).join(', '),
    ]),
  );
}

function findingSection(finding: Finding): string[] {
  // Ids are schema-checked kebab-case; the filter keeps the code span safe whatever happens upstream.
  const lines = [`### ${severityLabel(finding.severity)}: ${md(finding.title)}`, '', `\`${finding.id.replace(/[^a-z0-9-]/g, '')}\``, '', md(finding.description), ''];
  const classification = classificationWords(finding.classification);
  if (classification) lines.push(`**Classification:** ${md(classification)}`, '');
  if (finding.evidence.length > 0) lines.push('**Evidence**', '', ...finding.evidence.map((line) => `- ${md(line.subject)}: ${md(line.detail)}`), '');
  if (finding.remediation.length > 0) lines.push('**What to do**', '', ...finding.remediation.map((step, index) => `${index + 1}. ${md(step)}`), '');
  const links = finding.references.map((reference) => {
    const link = safeLink(reference);
    return link ? `<${link}>` : md(reference);
  });
  if (links.length > 0) lines.push(`**References:** ${links.join(', ')}`, '');
  return lines;
}

/** GitHub-flavoured Markdown, for an issue or a wiki page: every string from the report is escaped. */
export function renderMarkdown(report: ExposureReport, probes?: readonly ProbeManifest[]): string {
  const { summary } = report;
  const parts = reportParts(report, probes);
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  const score = scoreWords(summary, coverage);
  const incident = incidentBanner(report.incident);
  const lines = [
    // GitHub shows a CAUTION alert in red; elsewhere it is a quote with a bold first line. Before the title: it comes first.
    ...(incident
      ? ['> [!CAUTION]', `> **${md(incident.title)}**`, '>', `> ${md(incident.where)}`, '>', `> **${md(incident.stepsTitle)}**`, '>', ...incident.steps.map((step, index) => `> ${index + 1}. ${md(step)}`), '>', `> ${md(incident.more)}`, '']
      : []),
    `# Exposure report, ${md(report.startedAt)}`,
    '',
    ...(banner ? [`> **${md(banner.title)}**`, '>', ...banner.views.map((view) => `> - **${md(view.name)}: ${md(view.status)}** (\`${view.code.replace(/[^A-Z0-9_]/g, '')}\`): ${md(view.message)}`), ''] : []),
    `**Verdict:** ${md(summary.headline)}`,
    '',
    `**Risk score:** ${md(score.value)}${score.note ? ` (${md(score.note)})` : ''} (formula: docs/risk\\-score\\.md in exposure\\-scanner). Findings: ${SEVERITIES_WORST_FIRST.map((severity) => `${summary.counts[severity]} ${severity}`).join(', ')}.`,
    '',
    `${[`${md(report.tool.name)} ${md(report.tool.version)}`, ...parts.summaries.map(md)].join('; ')}.`,
    '',
  ];
  const exposures = report.exposures ?? [];
  if (exposures.length > 0) lines.push('## Doors from the internet', '', ...exposureRows(exposures), '');
  lines.push('## Findings', '');
  for (const { severity, full, condensed } of findingsForDisplay(report.findings)) {
    for (const finding of full) lines.push(...findingSection(finding));
    for (const { rule, findings: more } of condensed) {
      lines.push(`### ${severityLabel(severity)}: ${more.length} more ${md(rule)} findings`, '', 'Like the ones above: the same explanation and the same fix.', '');
      lines.push(...table(['Finding', 'Title', 'Evidence'], more.map((finding) => [`\`${finding.id.replace(/[^a-z0-9-]/g, '')}\``, md(finding.title), md(finding.evidence[0]?.detail ?? '')])), '');
    }
  }
  for (const section of parts.sections) lines.push(...sectionMarkdown(section));
  if (report.warnings.length > 0) lines.push('## Warnings', '', ...report.warnings.map((warning) => `- ${md(warning.code)}: ${md(warning.message)}`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
