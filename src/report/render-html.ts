import type { ExposureReport, Finding, Gateway, Host, Severity } from '../core/report.generated.js';
import { escapeHtml as h, safeLink } from './escape.js';
import { renderDiagram, SEVERITY_COLOURS } from './html-diagram.js';
import { findingsForDisplay } from './finding-runs.js';
import { classificationWords, coverageBanner, exposureWords, reachabilityText, scoreWords, severityLabel, SEVERITIES_WORST_FIRST, wanPortListing } from './words.js';
import { coverageOf } from './coverage-of.js';

/**
 * One self-contained HTML file: no script, no external resource, a CSP that forbids both, and every string from the
 * report escaped by the one function (escapeHtml). Layout only: what it shows is the report's.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c1c1c;max-width:1000px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:0}
.meta{color:#555;font-size:13px}
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

function tableHtml(header: readonly string[], rows: ReadonlyArray<readonly string[]>, attributes = ''): string {
  // Cells arrive escaped (callers use h()), so markup of our own (badges, code) can sit in them.
  return `<table ${attributes}><thead><tr>${header.map((cell) => `<th>${h(cell)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
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

function gatewayHtml(gateway: Gateway): string {
  const rows = gateway.mappings.map((mapping) => [
    h(mapping.protocol),
    `${mapping.externalPort}${mapping.remoteHost ? ` from ${h(mapping.remoteHost)}` : ''}`,
    `${h(mapping.internalClient)}:${mapping.internalPort}${mapping.internalClientOnLan === false ? ' <strong>(not on the LAN)</strong>' : ''}`,
    mapping.leaseDuration === 0 ? '<strong>permanent</strong>' : `${mapping.leaseDuration} s`,
    mapping.enabled ? 'yes' : 'no',
    h(mapping.description),
  ]);
  return `<h3>${h(gateway.friendlyName || gateway.modelName || gateway.address)} at ${h(gateway.address)}</h3>
<p class="meta">UPnP IGD v${gateway.igdVersion ?? '?'}, <code>${h(gateway.location)}</code>; external IP ${h(gateway.externalIp ?? 'unknown')} (${h(gateway.externalIpClass)}); ${gateway.mappings.length} mapping(s)${gateway.mappingsTruncated ? ', INCOMPLETE' : ''}</p>
${rows.length > 0 ? tableHtml(['Protocol', 'External', 'Internal client', 'Lease', 'Enabled', 'Description'], rows, `class="mappings" data-gateway="${h(gateway.address)}"`) : ''}`;
}

function hostHtml(host: Host): string {
  const device = host.device;
  const summary = device
    ? `QNAP ${device.displayModel ?? device.model ?? ''} ${device.os ?? ''}, firmware ${device.firmware?.full ?? 'unknown'}, ${device.confidence} confidence${device.hostname ? `, name ${device.hostname}` : ''}`
    : 'not identified as a QNAP';
  const services = host.services.flatMap((service) =>
    service.fingerprints.length > 0
      ? service.fingerprints.map((match) => [`${service.port}/${h(service.scheme)}`, h(match.id), h(`${match.product}${match.version ? ` ${match.version}` : ''}`), h(match.confidence), `<code>${h(match.evidence.slice(0, 200))}</code>`])
      : [[`${service.port}/${h(service.scheme)}`, '', h(service.title ?? service.server ?? ''), '', h(service.error ?? '')]],
  );
  const verdicts = host.verdicts.map((verdict) => [h(verdict.advisory), h(verdict.component), h(verdict.status), h(verdict.foundVersion ?? 'unknown'), h(verdict.fixedVersion ?? 'unknown'), h(verdict.cve.join(', ')), verdict.kev ? 'yes' : 'no', verdict.knownRansomware ? 'yes' : 'no']);
  return `<h3>${h(host.address)} <span class="meta">seen from ${host.seenFrom === 'lan' ? 'the LAN' : 'the internet'}</span></h3>
<p>${h(summary.replace(/\s+/g, ' '))}</p>
${services.length > 0 ? tableHtml(['Service', 'Fingerprint', 'Product', 'Confidence', 'Evidence'], services) : ''}
${verdicts.length > 0 ? tableHtml(['Advisory', 'Component', 'Status', 'Found', 'Fixed in', 'CVE', 'KEV', 'Ransomware'], verdicts, 'class="verdicts"') : ''}`;
}

export function renderHtml(report: ExposureReport): string {
  const { summary } = report;
  const quiet = summary.highestSeverity === 'none' || summary.highestSeverity === 'info';
  // Green only for a scan that looked everywhere it was asked to; an incomplete one with nothing found is amber.
  const colour = quiet && !coverageOf(report).complete ? '#b26a00' : summary.highestSeverity === 'none' ? '#2e7d32' : SEVERITY_COLOURS[summary.highestSeverity];
  const exposures = report.exposures ?? [];
  const outside = report.wan.vantage === 'agent' ? `scanned from the vantage agent (${h(report.wan.address ?? '')})` : report.wan.vantage === 'local' ? 'scanned from inside only: NOT an outside view' : 'no outside view';
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  const score = scoreWords(summary, coverage);
  const sections = [
    `<header><h1>Exposure report</h1><p class="meta">${h(report.tool.name)} ${h(report.tool.version)} · ${h(report.startedAt)} · ${report.gateways.length} router(s), ${summary.mappings} mapping(s) · ${outside}</p></header>`,
    ...(banner
      ? [`<section class="incomplete" role="alert"><p><strong>${h(banner.title)}</strong></p><ul>${banner.views.map((view) => `<li><strong>${h(view.name)}: ${h(view.status)}</strong> <code>${h(view.code)}</code> ${h(view.message)}</li>`).join('')}</ul></section>`]
      : []),
    `<section class="verdict" style="--c:${colour}"><div class="score" title="risk score${score.note ? `: ${h(score.note)}` : ''}">${score.value.endsWith('/100') ? `${summary.riskScore}<small>/100</small>` : `<small>${h(score.value)}</small>`}</div><div><p class="headline">${h(summary.headline)}</p><p class="meta">${SEVERITIES_WORST_FIRST.map((severity) => `${summary.counts[severity]} ${severity}`).join(' · ')} · risk score formula: docs/risk-score.md</p></div></section>`,
    `<h2>What the internet can reach</h2>${renderDiagram(report)}`,
  ];
  if (exposures.length > 0) {
    sections.push(
      tableHtml(
        ['Severity', 'Door', 'Via', 'Leads to', 'Outside view', 'What', 'Findings'],
        exposures.map((door) => [badge(door.severity), `${h(door.protocol)} ${door.externalPort}`, h(door.via), h(exposureWords(door)), h(reachabilityText(door.reachability)), h(door.label), door.findings.map((id) => `<a href="#finding-${h(id)}">${h(id)}</a>`).join(', ')]),
        'class="exposures"',
      ),
    );
  }
  sections.push(`<h2>Findings</h2>${findingsForDisplay(report.findings).flatMap(({ full, condensed }) => [...full.map(findingHtml), ...condensed.map(condensedHtml)]).join('\n')}`);
  if (report.hosts.length > 0) sections.push(`<h2>Hosts</h2>${report.hosts.map(hostHtml).join('\n')}`);
  sections.push(`<h2>Routers and UPnP mappings</h2>${report.gateways.length === 0 ? '<p>No UPnP router answered.</p>' : report.gateways.map(gatewayHtml).join('\n')}`);
  if (report.wan.ports.length > 0) {
    const { listed, counts, notListed } = wanPortListing(report.wan.ports);
    const listing = listed.length === 0 ? '' : tableHtml(['Port', 'State', 'Service', 'Banner'], listed.map((port) => [`${port.port}/${h(port.protocol.toLowerCase())}`, h(port.state), h([port.service, port.product, port.version].filter(Boolean).join(' ')), `<code>${h((port.banner ?? '').slice(0, 120))}</code>`]), 'class="wan-ports"');
    sections.push(`<h2>Outside view</h2><p class="meta">${outside}</p><p>${report.wan.ports.length} ports checked: ${h(counts)}.${notListed === '' ? '' : ` ${h(notListed)}`}</p>${listing}`);
  }
  if (report.myqnapcloud.checked) {
    sections.push(`<h2>myQNAPcloud</h2>${tableHtml(['Name', 'Addresses', 'Matches the external address'], report.myqnapcloud.names.map((name) => [h(name.name), h(name.addresses.join(', ') || name.error || ''), name.matchesWan === null ? 'unknown' : name.matchesWan ? 'yes' : 'no']))}`);
  }
  if (report.warnings.length > 0) sections.push(`<h2>Warnings</h2><ul>${report.warnings.map((warning) => `<li><code>${h(warning.code)}</code> ${h(warning.message)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exposure report ${h(report.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`;
}
