import type { ExposureReport } from '../core/report.generated.js';
import type { ScanFacts, ScanSummary } from './types.js';

/**
 * The external address a report saw: the outside view's target, else what the router (IGD) or NAT-PMP reported.
 * Diffs follow this address; they never key anything by it.
 */
export function wanAddressOf(report: ExposureReport): string | null {
  return report.wan.address ?? report.gateways.find((gateway) => gateway.externalIp !== null)?.externalIp ?? report.natPmp.externalIp ?? null;
}

/** Ports open on the external address, as TCP/443; "open|filtered" (a UDP port that did not answer) is not open. */
export function openWanPorts(report: ExposureReport): string[] {
  return report.wan.ports.filter((port) => port.state === 'open').map((port) => `${port.protocol}/${port.port}`);
}

export function summaryOf(report: ExposureReport): ScanSummary {
  return {
    highestSeverity: report.summary.highestSeverity,
    counts: { ...report.summary.counts },
    riskScore: report.summary.riskScore,
    headline: report.summary.headline,
    gateways: report.summary.gateways,
    mappings: report.summary.mappings,
    openWanPorts: openWanPorts(report).length,
    wanAddress: wanAddressOf(report),
  };
}

/** The rows the store indexes for one report (pure: the store writes them, tests read them). */
export function factsOf(report: ExposureReport): ScanFacts {
  return {
    mappings: report.gateways.flatMap((gateway) =>
      gateway.mappings.map((mapping) => ({
        gateway: gateway.address,
        protocol: mapping.protocol,
        externalPort: mapping.externalPort,
        internalClient: mapping.internalClient,
        internalPort: mapping.internalPort,
        description: mapping.description,
        enabled: mapping.enabled,
        leaseDuration: mapping.leaseDuration,
        remoteHost: mapping.remoteHost,
      })),
    ),
    wanPorts: report.wan.ports.map((port) => ({ port: port.port, protocol: port.protocol, state: port.state, service: port.service ?? null })),
    findings: report.findings.map((finding) => ({ findingId: finding.id, rule: finding.rule, severity: finding.severity, title: finding.title })),
    hosts: report.hosts.map((host) => ({ address: host.address, seenFrom: host.seenFrom, model: host.device?.model ?? host.device?.displayModel ?? null, firmware: host.device?.firmware?.full ?? host.device?.firmware?.version ?? null })),
    wanAddress: wanAddressOf(report),
  };
}
