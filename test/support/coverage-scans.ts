/**
 * One home, scanned with the vantage agent up or down: the reports the coverage, diff, alert and watch tests compare.
 * Built from observations through the real rules and report builder, at a fixed time (never today's date).
 */
import { buildReport } from '../../src/report/build.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ExposureReport, Gateway, Mapping } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';

export const AT = '2030-01-01T00:00:00.000Z';
export const AGENT_URL = 'https://agent.example:7447';
export const WITH_AGENT: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, vantageUrl: AGENT_URL };

export const mapping = (externalPort = 8080, overrides: Partial<Mapping> = {}): Mapping => ({
  protocol: 'TCP', externalPort, internalClient: '10.0.0.5', internalPort: externalPort, description: 'QNAP', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: true, ...overrides,
});

/** An IGDv2 router with a public address and a UDN, read to the end of its table. */
export const homeGateway = (overrides: Partial<Gateway> = {}): Gateway => ({
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Router', manufacturer: 'M', modelName: 'X', udn: 'uuid:11111111-2222-3333-4444-555555555555', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 10, mappings: [mapping()], mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [], ...overrides,
});

export function insideView(gateway: Gateway = homeGateway(), at = AT): Observation[] {
  return [
    { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } },
    { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at, data: gateway },
  ];
}

/** The agent answered: every listed port open. */
export function agentUp(openPorts: readonly number[] = [8080], at = AT): Observation[] {
  return [{
    probe: 'wan-scan', kind: 'wan', subject: 'wan', at,
    data: { vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'nmap', agentUrl: AGENT_URL, portsAsked: openPorts.length, portSpec: openPorts.join(','), ports: openPorts.map((port) => ({ port, protocol: 'TCP', state: 'open' })) },
  }];
}

/** The agent was named and did not scan, as the wan-scan probe records it. */
export function agentDown(at = AT): Observation[] {
  return [
    { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], agentUrl: AGENT_URL, reason: 'the vantage agent failed: HTTP 429' } },
    { probe: 'wan-scan', kind: 'warning', subject: 'wan', at, data: { code: 'EXP_ERR_VANTAGE', message: 'The agent refused the scan (HTTP 429)' } },
  ];
}

export function reportOf(observations: Observation[], options: ScanOptions = WITH_AGENT, at = AT): ExposureReport {
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options, observations, findings: evaluateRules(observations) });
}
