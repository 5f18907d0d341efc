import type { Exposure, ExposureReport, Finding, Gateway, Host } from '../core/report.generated.js';
import { escapeMarkdown as md, safeLink } from './escape.js';
import { findingsForDisplay } from './finding-runs.js';
import { classificationWords, coverageBanner, exposureWords, reachabilityText, scoreWords, severityLabel, SEVERITIES_WORST_FIRST, wanPortListing } from './words.js';
import { coverageOf } from './coverage-of.js';


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

function gatewaySection(gateway: Gateway): string[] {
  const lines = [`### ${md(gateway.friendlyName || gateway.modelName || gateway.address)} at ${md(gateway.address)}`, ''];
  lines.push(`UPnP IGD v${gateway.igdVersion ?? '?'}, ${md(gateway.location)}; external IP ${md(gateway.externalIp ?? 'unknown')} (${gateway.externalIpClass}); ${gateway.mappings.length} mapping(s)${gateway.mappingsTruncated ? ' (INCOMPLETE)' : ''}.`, '');
  if (gateway.mappings.length > 0) {
    lines.push(
      ...table(
        ['Protocol', 'External', 'Internal client', 'Lease', 'Enabled', 'Description'],
        gateway.mappings.map((mapping) => [
          mapping.protocol,
          `${mapping.externalPort}${mapping.remoteHost ? ` from ${md(mapping.remoteHost)}` : ''}`,
          `${md(mapping.internalClient)}:${mapping.internalPort}${mapping.internalClientOnLan === false ? ' (not on the LAN)' : ''}`,
          mapping.leaseDuration === 0 ? 'permanent' : `${mapping.leaseDuration} s`,
          mapping.enabled ? 'yes' : 'no',
          md(mapping.description),
        ]),
      ),
      '',
    );
  }
  return lines;
}

function hostSection(host: Host): string[] {
  const device = host.device;
  const lines = [`### ${md(host.address)} (seen from ${host.seenFrom === 'lan' ? 'the LAN' : 'the internet'})`, ''];
  lines.push(device ? `${md(`QNAP ${device.displayModel ?? device.model ?? ''} ${device.os ?? ''}`.replace(/\s+/g, ' ').trim())}, firmware ${md(device.firmware?.full ?? 'unknown')}, ${device.confidence} confidence.` : 'Not identified as a QNAP.', '');
  const services = host.services.flatMap((service) =>
    service.fingerprints.length > 0
      ? service.fingerprints.map((match) => [`${service.port}/${service.scheme}`, md(match.id), md(`${match.product}${match.version ? ` ${match.version}` : ''}`), match.confidence, md(match.evidence.slice(0, 120))])
      : [[`${service.port}/${service.scheme}`, '', md(service.title ?? service.server ?? ''), '', md(service.error ?? '')]],
  );
  if (services.length > 0) lines.push(...table(['Service', 'Fingerprint', 'Product', 'Confidence', 'Evidence'], services), '');
  if (host.verdicts.length > 0) {
    lines.push(
      ...table(
        ['Advisory', 'Component', 'Status', 'Found', 'Fixed in', 'CVE', 'KEV', 'Ransomware'],
        host.verdicts.map((verdict) => [md(verdict.advisory), md(verdict.component), verdict.status, md(verdict.foundVersion ?? 'unknown'), md(verdict.fixedVersion ?? 'unknown'), md(verdict.cve.join(', ')), verdict.kev ? 'yes' : 'no', verdict.knownRansomware ? 'yes' : 'no']),
      ),
      '',
    );
  }
  return lines;
}

/** GitHub-flavoured Markdown, for an issue or a wiki page: every string from the report is escaped. */
export function renderMarkdown(report: ExposureReport): string {
  const { summary } = report;
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  const score = scoreWords(summary, coverage);
  const lines = [
    `# Exposure report, ${md(report.startedAt)}`,
    '',
    ...(banner ? [`> **${md(banner.title)}**`, '>', ...banner.views.map((view) => `> - **${md(view.name)}: ${md(view.status)}** (\`${view.code.replace(/[^A-Z0-9_]/g, '')}\`): ${md(view.message)}`), ''] : []),
    `**Verdict:** ${md(summary.headline)}`,
    '',
    `**Risk score:** ${md(score.value)}${score.note ? ` (${md(score.note)})` : ''} (formula: docs/risk\\-score\\.md in exposure\\-scanner). Findings: ${SEVERITIES_WORST_FIRST.map((severity) => `${summary.counts[severity]} ${severity}`).join(', ')}.`,
    '',
    `${md(report.tool.name)} ${md(report.tool.version)}; outside view: ${report.wan.vantage === 'agent' ? `from the vantage agent, ${md(report.wan.address ?? '')}` : report.wan.vantage === 'local' ? 'from inside only (NOT an outside view)' : 'not run'}.`,
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
  if (report.hosts.length > 0) lines.push('## Hosts', '', ...report.hosts.flatMap(hostSection));
  lines.push('## Routers and UPnP mappings', '');
  if (report.gateways.length === 0) lines.push('No UPnP router answered.', '');
  lines.push(...report.gateways.flatMap(gatewaySection));
  if (report.wan.ports.length > 0) {
    const { listed, counts, notListed } = wanPortListing(report.wan.ports);
    lines.push('## Outside view', '', `${report.wan.ports.length} ports checked: ${md(counts)}.${notListed === '' ? '' : ` ${md(notListed)}`}`, '');
    if (listed.length > 0) {
      lines.push(...table(['Port', 'State', 'Service', 'Banner'], listed.map((port) => [`${port.port}/${port.protocol.toLowerCase()}`, md(port.state), md([port.service, port.product, port.version].filter(Boolean).join(' ')), md((port.banner ?? '').slice(0, 80))])), '');
    }
  }
  if (report.myqnapcloud.checked) {
    lines.push('## myQNAPcloud', '', ...table(['Name', 'Addresses', 'Matches the external address'], report.myqnapcloud.names.map((name) => [md(name.name), md(name.addresses.join(', ') || name.error || ''), name.matchesWan === null ? 'unknown' : name.matchesWan ? 'yes' : 'no'])), '');
  }
  if (report.warnings.length > 0) lines.push('## Warnings', '', ...report.warnings.map((warning) => `- ${md(warning.code)}: ${md(warning.message)}`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
