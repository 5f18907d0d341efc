import type { ExposureReport, Finding, Gateway, Host, Mapping, Severity } from '../core/report.generated.js';
import { terminalSafe as safe } from './sanitize.js';
import { findingsForDisplay } from './finding-runs.js';
import { textTable } from './text-table.js';
import { classificationWords, coverageBanner, exposureWords, reachabilityText, scoreWords, SEVERITIES_WORST_FIRST, wanPortListing } from './words.js';
import { coverageOf } from './coverage-of.js';

export interface TextStyle {
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '\u001b[1;41;97m', high: '\u001b[1;31m', medium: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };
/** Rules whose findings are one per mapping: shown as one line each, remediation once. */
const COMPACT_RULES = new Set(['upnp-mapping']);

function badge(severity: Severity, style: TextStyle): string {
  const label = `[${severity.toUpperCase()}]`.padEnd(10);
  return style.color ? `${SEVERITY_COLOR[severity]}${label}\u001b[0m` : label;
}

function duration(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${seconds % 60}s`;
}

function mappingRows(mappings: readonly Mapping[]): string[] {
  const rows = [['PROTO', 'EXTERNAL', 'INTERNAL CLIENT', 'LEASE', 'ON', 'DESCRIPTION']];
  for (const mapping of mappings) {
    rows.push([
      mapping.protocol,
      String(mapping.externalPort) + (mapping.remoteHost ? ` from ${safe(mapping.remoteHost)}` : ''),
      `${safe(mapping.internalClient)}:${mapping.internalPort}${mapping.internalClientOnLan === false ? ' (NOT ON LAN)' : ''}`,
      mapping.leaseDuration === 0 ? 'permanent' : duration(mapping.leaseDuration),
      mapping.enabled ? 'yes' : 'no',
      safe(mapping.description.slice(0, 60)) + (mapping.description.length > 60 ? '…' : ''),
    ]);
  }
  return textTable(rows);
}

function gatewayLines(gateway: Gateway): string[] {
  const name = safe(gateway.friendlyName || gateway.modelName || gateway.address);
  const model = safe([gateway.manufacturer, gateway.modelName, gateway.modelNumber].filter(Boolean).join(' '));
  const lines = [`Router  ${name}${model ? ` (${model})` : ''} at ${safe(gateway.address)}`];
  lines.push(`  UPnP IGD v${gateway.igdVersion ?? '?'}, ${safe(gateway.connectionService?.replace('urn:schemas-upnp-org:service:', '') ?? 'no connection service')}, ${safe(gateway.location)}`);
  lines.push(`  External IP  ${safe(gateway.externalIp ?? 'unknown')} (${gateway.externalIpClass})   Status  ${safe(gateway.connectionStatus ?? 'unknown')}, up ${duration(gateway.uptimeSeconds)}`);
  if (gateway.firewall) lines.push(`  IPv6 firewall  ${gateway.firewall.enabled === null ? 'unknown' : gateway.firewall.enabled ? 'on' : 'OFF'}, inbound pinholes ${gateway.firewall.inboundPinholeAllowed ? 'allowed' : 'not allowed'}`);
  const { enumeration } = gateway;
  lines.push(
    `  Port mappings: ${gateway.mappings.length}${gateway.mappingsTruncated ? ' (INCOMPLETE)' : ''}, read with ${enumeration.method} in ${Math.round(enumeration.durationMs)} ms, ${enumeration.requests} requests${enumeration.fallbackReason ? ` (fell back: ${safe(enumeration.fallbackReason)})` : ''}`,
  );
  if (gateway.mappings.length > 0) lines.push(...mappingRows(gateway.mappings).map((row) => `    ${row}`));
  for (const error of gateway.errors) lines.push(`  ! ${error.code}: ${safe(error.message)}`);
  return lines;
}

function wanLines(report: ExposureReport): string[] {
  const { wan } = report;
  if (wan.vantage === 'none') return [`Outside view  not run: ${safe(wan.reason ?? '')}`];
  const header =
    wan.vantage === 'agent'
      ? `Outside view  ${safe(wan.address ?? '')} scanned from the vantage agent ${safe(wan.agentUrl ?? '')} (${wan.engine ?? ''}, ${Math.round((wan.durationMs ?? 0) / 1000)} s)`
      : `Outside view  NOT AN OUTSIDE VIEW: ${safe(wan.address ?? '')} scanned from inside through the router (${wan.engine ?? ''})`;
  const lines = ['', header];
  const open = wan.ports.filter((port) => port.state === 'open');
  lines.push(`  ${wan.ports.length} ports checked: ${wanPortListing(wan.ports).counts}`);
  if (open.length > 0) {
    const rows = [['PORT', 'STATE', 'SERVICE', 'BANNER'], ...open.map((port) => [`${port.port}/${port.protocol.toLowerCase()}`, port.state, safe([port.service, port.product, port.version].filter(Boolean).join(' ')), safe((port.banner ?? '').slice(0, 60))])];
    lines.push(...textTable(rows).map((row) => `    ${row}`));
  }
  if (wan.igdControl) lines.push(`  UPnP control from outside: ${wan.igdControl.descriptionFetched ? `ANSWERS${wan.igdControl.actionAnswered ? ' and obeys a read-only action' : ''}` : 'no answer'}`);
  return lines;
}

function hostLines(host: Host): string[] {
  const device = host.device;
  const what = device
    ? `QNAP ${device.displayModel ?? device.model ?? ''} ${device.os ?? ''}, firmware ${device.firmware?.full ?? 'unknown'} (${device.confidence} confidence)`.replace(/\s+/g, ' ')
    : 'not identified as a QNAP';
  const lines = [`Host  ${safe(host.address)} from ${host.seenFrom === 'lan' ? 'the LAN' : 'the internet'} (${host.reasons.join(', ')}): ${safe(what)}`];
  for (const service of host.services) {
    const matches = service.fingerprints.map((match) => `${match.id} ${match.product}${match.version ? ` ${match.version}` : ''} (${match.confidence})`).join('; ');
    lines.push(`  ${service.port}/${service.scheme}  ${safe(matches || service.error || service.title || service.server || 'no fingerprint')}`);
  }
  if (host.verdicts.length > 0) {
    const rows = [['ADVISORY', 'STATUS', 'FOUND', 'FIXED IN', 'KNOWN'], ...host.verdicts.map((verdict) => [safe(verdict.advisory), verdict.status.toUpperCase(), safe(verdict.foundVersion ?? 'unknown'), safe(verdict.fixedVersion ?? 'unknown'), [verdict.kev ? 'KEV' : '', verdict.knownRansomware ? 'ransomware' : ''].filter(Boolean).join(', ')])];
    lines.push(...textTable(rows).map((row) => `    ${row}`));
  }
  return lines;
}

function exposureLines(report: ExposureReport): string[] {
  const exposures = report.exposures ?? [];
  if (exposures.length === 0) return [];
  const rows = [['SEVERITY', 'DOOR', 'LEADS TO', 'OUTSIDE VIEW', 'WHAT'], ...exposures.map((door) => [door.severity.toUpperCase(), `${door.protocol}/${door.externalPort}`, safe(exposureWords(door)), reachabilityText(door.reachability), safe(door.label.slice(0, 50))])];
  return ['', `Doors from the internet: ${exposures.length}`, ...textTable(rows).map((row) => `  ${row}`)];
}

/** A condensed rule's findings get one line each, up to this many; the JSON has every one. */
const CONDENSED_LINES = 20;

function findingLines(findings: readonly Finding[], style: TextStyle): string[] {
  const lines: string[] = [];
  const compactShown = new Set<string>();
  for (const { severity, full, condensed } of findingsForDisplay(findings)) {
    for (const finding of full) {
      lines.push(`${badge(finding.severity, style)} ${safe(finding.title)}`);
      const classification = classificationWords(finding.classification);
      if (classification) lines.push(`           ${safe(classification)}`);
      if (COMPACT_RULES.has(finding.rule)) {
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
  for (const finding of findings) {
    if (!COMPACT_RULES.has(finding.rule) || compactShown.has(finding.rule)) continue;
    compactShown.add(finding.rule);
    lines.push('', `What to do about forwarded ports:`);
    for (const step of finding.remediation.slice(1)) lines.push(`  - ${safe(step)}`);
    lines.push('  - For each device above: turn off its automatic port forwarding (UPnP / "Auto Router Configuration").');
  }
  return lines;
}

/** Readable at a glance: the router, its external address, the mapping table, then findings by severity. */
export function renderText(report: ExposureReport, style: TextStyle = { color: false }): string {
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const lines = [`${report.tool.name} ${report.tool.version}: scan of ${report.startedAt} (${seconds.toFixed(1)} s)`];
  const coverage = coverageOf(report);
  const banner = coverageBanner(coverage);
  if (banner) {
    lines.push('', style.color ? `\u001b[1;43;30m${banner.title}\u001b[0m` : banner.title);
    for (const view of banner.views) lines.push(`  ${view.name}: ${view.status} (${safe(view.code)}): ${safe(view.message)}`);
  }
  const score = scoreWords(report.summary, coverage);
  lines.push('', `Verdict  ${safe(report.summary.headline)}`, `Risk score  ${score.value}${score.note ? ` (${score.note})` : ''} (docs/risk-score.md)`);
  if (report.discovery.method === 'ssdp') {
    lines.push('');
    lines.push(`Discovery: SSDP on ${(report.discovery.interfaces ?? []).map(safe).join(', ') || 'no interface'} for ${report.discovery.windowMs} ms, ${report.discovery.responses.length} answer(s)`);
  }
  for (const response of report.discovery.responses.filter((candidate) => !candidate.fetched)) {
    lines.push(`  not fetched: ${safe(response.location)} from ${safe(response.from)} (${safe(response.refusedReason ?? '')})`);
  }
  if (report.gateways.length === 0) lines.push('No UPnP router found.');
  for (const gateway of report.gateways) lines.push('', ...gatewayLines(gateway));
  const nat = report.natPmp;
  lines.push('', `NAT-PMP  ${!nat.checked && !nat.present ? 'not checked' : nat.present ? `${nat.pcp ? 'PCP' : 'enabled'} on ${safe(nat.gateway ?? '')}${nat.externalIp ? `, external IP ${safe(nat.externalIp)}` : ''}` : `not answering on ${safe(nat.gateway ?? '')}`}`);
  lines.push(...wanLines(report));
  for (const host of report.hosts) lines.push('', ...hostLines(host));
  if (report.myqnapcloud.checked) {
    for (const name of report.myqnapcloud.names) lines.push('', `myQNAPcloud  ${safe(name.name)} -> ${safe(name.addresses.join(', ') || name.error || 'no address')}${name.matchesWan === true ? ' (YOUR EXTERNAL ADDRESS)' : ''}`);
  }
  lines.push(...exposureLines(report));
  const { counts } = report.summary;
  lines.push('', `Findings: ${SEVERITIES_WORST_FIRST.map((severity) => `${counts[severity]} ${severity}`).join(', ')}`);
  lines.push(...findingLines(report.findings, style));
  for (const warning of report.warnings) lines.push(`! ${warning.code}: ${safe(warning.message)}`);
  return `${lines.join('\n')}\n`;
}
