import type { ProbeManifest } from '../core/probe.js';
import type { ExposureReport, Finding, Severity } from '../core/report.generated.js';
import { escapeHtml as h, safeLink } from './escape.js';
import { renderDiagram, SEVERITY_COLOURS } from './html-diagram.js';
import { findingsForDisplay } from './finding-runs.js';
import { classificationWords, coverageBanner, exposureWords, incidentBanner, reachabilityText, scoreWords, severityLabel, SEVERITIES_WORST_FIRST } from './words.js';
import { coverageOf } from './coverage-of.js';
import { reportParts } from './sections.js';
import { htmlTable, sectionHtml } from './section-layout.js';

/**
 * One self-contained HTML file: no script, no external resource, a CSP that forbids both, and every string from the
 * report escaped by the one function (escapeHtml). Layout only: what it shows is the report's.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c1c1c;max-width:1000px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:0}
.meta{color:#555;font-size:13px}
.incident{border:4px solid #7f0000;background:#b71c1c;color:#fff;border-radius:10px;padding:14px 18px;margin:0 0 16px}
.incident h2{font-size:22px;margin:0 0 6px;border:0;padding:0;color:#fff;overflow-wrap:anywhere}
.incident p{margin:6px 0;overflow-wrap:anywhere}.incident ol{margin:6px 0 6px;padding-left:24px}.incident li{margin:6px 0;overflow-wrap:anywhere;font-size:16px}
.incident a{color:#fff}
.incomplete{border:3px solid #b26a00;background:#fff4e0;color:#3d2600;border-radius:10px;padding:12px 16px;margin:16px 0}
.incomplete ul{margin:6px 0 0;padding-left:20px}
.incomplete li{margin:4px 0;overflow-wrap:anywhere}
.verdict{display:flex;gap:20px;align-items:center;border:2px solid var(--c);border-radius:10px;padding:16px;margin:16px 0}
.score{font-size:40px;font-weight:700;color:var(--c);min-width:110px;text-align:center}.score small{font-size:15px;color:#555}
.headline{font-size:18px;font-weight:600;margin:0}
.badge{display:inline-block;white-space:nowrap;color:#fff;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:700;margin-right:6px;vertical-align:middle}
.finding{border-left:5px solid var(--c);padding:8px 14px;margin:14px 0;background:#fafafa}
.finding .id{font:12px ui-monospace,monospace;color:#666}
.classification{font-size:13px;color:#6a1b1b;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f2f2f2}td:first-child,td:nth-child(2){white-space:nowrap}.exposures td:nth-child(3){white-space:nowrap}
code{font:12px ui-monospace,monospace;background:#f2f2f2;padding:0 3px;overflow-wrap:anywhere}
.diagram{max-width:100%;height:auto;font:12px system-ui,sans-serif}.diagram .strong{font-weight:700;font-size:13px;fill:#1c1c1c}.diagram .small{fill:#333}
.diagram .door:not(.shut) text{fill:#fff}
details summary{cursor:pointer;color:#333}
`;

function badge(severity: Severity): string {
  return `<span class="badge" style="background:${SEVERITY_COLOURS[severity]}">${severityLabel(severity)}</span>`;
}

function findingHtml(finding: Finding): string {
  const classification = classificationWords(finding.classification);
  const references = finding.references.map((reference) => {
    const link = safeLink(reference);
    return link ? `<li><a href="${h(link)}" rel="noreferrer noopener">${h(link)}</a></li>` : `<li>${h(reference)}</li>`;
  });
  return `<article class="finding" id="finding-${h(finding.id)}" data-rule="${h(finding.rule)}" style="--c:${SEVERITY_COLOURS[finding.severity]}">
<h3>${badge(finding.severity)}${h(finding.title)}</h3>
<div class="id">${h(finding.id)}${finding.exposure ? ` · door ${h(finding.exposure)}` : ''}</div>
<p>${h(finding.description)}</p>
${classification ? `<p class="classification">${h(classification)}</p>` : ''}
${finding.evidence.length > 0 ? `<p><strong>Evidence</strong></p><ul class="evidence">${finding.evidence.map((line) => `<li><code>${h(line.subject)}</code> ${h(line.detail)}</li>`).join('')}</ul>` : ''}
${finding.remediation.length > 0 ? `<p><strong>What to do</strong></p><ol class="remediation">${finding.remediation.map((step) => `<li>${h(step)}</li>`).join('')}</ol>` : ''}
${references.length > 0 ? `<details><summary>References</summary><ul>${references.join('')}</ul></details>` : ''}
</article>`;
}

/** Repeats of one rule beyond the first few: a row each, still with the anchor the doors table links to. */
function condensedHtml({ rule, findings }: { rule: string; findings: readonly Finding[] }): string {
  const severity = findings[0]?.severity ?? 'info';
  const rows = findings.map((finding) => `<tr id="finding-${h(finding.id)}"><td><code>${h(finding.id)}</code></td><td>${h(finding.title)}</td><td>${h(finding.evidence[0]?.detail ?? '')}</td></tr>`);
  return `<section class="finding more" data-rule="${h(rule)}" style="--c:${SEVERITY_COLOURS[severity]}">
<h3>${badge(severity)}${findings.length} more ${h(rule)} findings</h3>
<p>Like the ones above: the same explanation and the same fix.</p>
<table><thead><tr><th>Finding</th><th>Title</th><th>Evidence</th></tr></thead><tbody>${rows.join('')}</tbody></table>
</section>`;
}

export function renderHtml(report: ExposureReport, probes?: readonly ProbeManifest[]): string {
  const { summary } = report;
  const parts = reportParts(report, probes);
  const quiet = summary.highestSeverity === 'none' || summary.highestSeverity === 'info';
  // Green only for a scan that looked everywhere it was asked to; an incomplete one with nothing found is amber.
  const colour = quiet && !coverageOf(report).complete ? '#b26a00' : summary.highestSeverity === 'none' ? '#2e7d32' : SEVERITY_COLOURS[summary.highestSeverity];
  const exposures = report.exposures ?? [];
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  const score = scoreWords(summary, coverage);
  const incident = incidentBanner(report.incident);
  const sections = [
    // Before the header: a compromised box needs its incident steps before anything else on the page.
    ...(incident
      ? [
          `<section class="incident" role="alert"><h2>${h(incident.title)}</h2><p>${h(incident.where)}</p><p><strong>${h(incident.stepsTitle)}</strong></p><ol>${incident.steps.map((step) => `<li>${h(step)}</li>`).join('')}</ol><p>${report.incident ? `<a href="#finding-${h(report.incident.firstStepsFinding)}">${h(incident.more)}</a>` : h(incident.more)}</p></section>`,
        ]
      : []),
    `<header><h1>Exposure report</h1><p class="meta">${[`${report.tool.name} ${report.tool.version}`, report.startedAt, ...parts.summaries].map(h).join(' · ')}</p></header>`,
    ...(banner
      ? [`<section class="incomplete" role="alert"><p><strong>${h(banner.title)}</strong></p><ul>${banner.views.map((view) => `<li><strong>${h(view.name)}: ${h(view.status)}</strong> <code>${h(view.code)}</code> ${h(view.message)}</li>`).join('')}</ul></section>`]
      : []),
    `<section class="verdict" style="--c:${colour}"><div class="score" title="risk score${score.note ? `: ${h(score.note)}` : ''}">${score.value.endsWith('/100') ? `${summary.riskScore}<small>/100</small>` : `<small>${h(score.value)}</small>`}</div><div><p class="headline">${h(summary.headline)}</p><p class="meta">${SEVERITIES_WORST_FIRST.map((severity) => `${summary.counts[severity]} ${severity}`).join(' · ')} · risk score formula: docs/risk-score.md</p></div></section>`,
    `<h2>What the internet can reach</h2>${renderDiagram(report)}`,
  ];
  if (exposures.length > 0) {
    sections.push(
      htmlTable(
        ['Severity', 'Door', 'Via', 'Leads to', 'Outside view', 'What', 'Findings'],
        exposures.map((door) => [badge(door.severity), `${h(door.protocol)} ${door.externalPort}`, h(door.via), h(exposureWords(door)), h(reachabilityText(door.reachability)), h(door.label), door.findings.map((id) => `<a href="#finding-${h(id)}">${h(id)}</a>`).join(', ')]),
        'class="exposures"',
      ),
    );
  }
  sections.push(`<h2>Findings</h2>${findingsForDisplay(report.findings).flatMap(({ full, condensed }) => [...full.map(findingHtml), ...condensed.map(condensedHtml)]).join('\n')}`);
  for (const section of parts.sections) {
    const html = sectionHtml(section);
    if (html !== '') sections.push(html);
  }
  if (report.warnings.length > 0) sections.push(`<h2>Warnings</h2><ul>${report.warnings.map((warning) => `<li><code>${h(warning.code)}</code> ${h(warning.message)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${incident ? 'INCIDENT: ' : ''}Exposure report ${h(report.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`;
}
