/**
 * Hand-built observations for rule and renderer tests, shaped like what the probes emit: a TS-453D on QTS
 * 4.5.2.1566 build 20210202 (fixed for CVE-2020-2509, below the DeadBolt fix of QSA-21-57), behind a miniupnpd
 * router whose table the NAS's Auto Router Configuration filled.
 */
import type { Observation } from '../../src/core/observation.js';
import type { Gateway, Host, Mapping, MyQnapCloud, Verdict, Wan, WanPort } from '../../src/core/report.generated.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { buildReport } from '../../src/report/build.js';
import { evaluateRules } from '../../src/rules/index.js';

export const at = '2026-11-30T16:33:29.945Z';
export const NAS = '192.168.1.20';
export const WAN_ADDRESS = '203.0.113.7';

export const mapping = (externalPort: number, overrides: Partial<Mapping> = {}): Mapping => ({
  protocol: 'TCP', externalPort, internalClient: NAS, internalPort: externalPort, description: 'libminiupnpc', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: true, ...overrides,
});

export const gateway = (mappings: Mapping[], overrides: Partial<Gateway> = {}): Gateway => ({
  location: 'http://192.168.1.1:5000/rootDesc.xml', address: '192.168.1.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Home router', manufacturer: 'Debian', modelName: 'miniupnpd', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: WAN_ADDRESS, externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 3600, mappings, mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 12, stopReason: 'end-of-table' }, errors: [], ...overrides,
});

export const DEADBOLT: Verdict = {
  advisory: 'QSA-21-57', component: 'QTS', status: 'vulnerable', foundVersion: '4.5.2.1566 build 20210202', fixedVersion: '4.5.4.1892 build 20211223',
  reason: 'QTS 4.5.2.1566 build 20210202 is below 4.5.4.1892 build 20211223 on the 4.5 branch', cve: [], kev: false, knownRansomware: true,
};
export const CVE_2020_2509: Verdict = {
  advisory: 'QSA-21-05', component: 'QTS', status: 'fixed', foundVersion: '4.5.2.1566 build 20210202', fixedVersion: '4.5.2.1566 build 20210202',
  reason: 'at the fixed build', cve: ['CVE-2020-2509'], kev: true, knownRansomware: false,
};
export const HBS3: Verdict = {
  advisory: 'QSA-21-13', component: 'HBS 3 Hybrid Backup Sync', status: 'unknown', foundVersion: null, fixedVersion: '16.0.0415',
  reason: 'the HBS 3 version is not told without a login', cve: ['CVE-2021-28799'], kev: true, knownRansomware: true,
};

export function nasHost(overrides: Partial<Host> = {}, firmware = true): Host {
  return {
    address: NAS, seenFrom: 'lan', reasons: ['mapping'],
    services: [
      {
        port: 8080, protocol: 'TCP', scheme: 'http', server: 'http server 1.0', title: 'QTS',
        fingerprints: [
          { id: 'qnap-authlogin', product: 'QNAP QTS', version: firmware ? '4.5.2.1566 build 20210202' : null, confidence: 'high', path: 'GET /cgi-bin/authLogin.cgi', evidence: '<QDocRoot version="1.0"><model><modelName><![CDATA[TS-X53D]]>' },
        ],
      },
      { port: 443, protocol: 'TCP', scheme: 'https', tls: { subject: 'CN=QNAP NAS,OU=QTS,O=QNAP Systems\\, Inc.', issuer: 'CN=QNAP NAS,OU=QTS,O=QNAP Systems\\, Inc.', selfSigned: true }, fingerprints: [{ id: 'qnap-tls-default', product: 'QNAP NAS', version: null, confidence: 'medium', path: 'tls', evidence: 'CN=QNAP NAS,OU=QTS' }] },
    ],
    device: {
      vendor: 'QNAP', os: 'QTS', model: 'TS-X53D', displayModel: 'TS-453D', hostname: 'NAS4F2A1B', confidence: 'high',
      firmware: firmware ? { version: '4.5.2', number: '1566', build: '20210202', full: '4.5.2.1566 build 20210202' } : null,
      apps: [], adminPorts: [8080, 443],
    },
    verdicts: firmware ? [DEADBOLT, CVE_2020_2509, HBS3] : [],
    ...overrides,
  };
}

export const agentWan = (ports: WanPort[], overrides: Partial<Wan> = {}): Wan => ({
  vantage: 'agent', outsideView: true, address: WAN_ADDRESS, engine: 'connect', agentUrl: 'https://vantage.example:7447', igdExternalIp: WAN_ADDRESS, ports, ...overrides,
});

export function observations(parts: { gateways?: Gateway[]; hosts?: Host[]; wan?: Wan; myqnapcloud?: MyQnapCloud }): Observation[] {
  return [
    { probe: 'local', kind: 'local-networks', subject: 'host', at, data: { networks: [{ interface: 'eth0', address: '192.168.1.10', cidr: '192.168.1.0/24' }], defaultGateways: ['192.168.1.1'] } },
    { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, interfaces: ['eth0'], responses: [] } },
    ...(parts.gateways ?? []).map((data): Observation => ({ probe: 'upnp-igd', kind: 'gateway', subject: data.location, at, data })),
    ...(parts.hosts ?? []).map((data): Observation => ({ probe: 'qnap', kind: 'host', subject: data.address, at, data })),
    ...(parts.wan ? [{ probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: parts.wan } as Observation] : []),
    ...(parts.myqnapcloud ? [{ probe: 'myqnapcloud', kind: 'myqnapcloud', subject: 'dns', at, data: parts.myqnapcloud } as Observation] : []),
  ];
}

export function reportOf(all: Observation[]) {
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(Date.parse(at) + 4200), options: DEFAULT_SCAN_OPTIONS, observations: all, findings: evaluateRules(all) });
}

/** The Qlocker story end to end: the NAS's admin page forwarded by UPnP and open from outside, plus a console and a hostile LAN device. */
export function qlockerScenario(hostileDescription = 'libminiupnpc') {
  return observations({
    gateways: [
      gateway([
        mapping(8080, { description: hostileDescription }),
        mapping(443, { description: 'NAT-PMP 443 tcp', leaseDuration: 7140 }),
        mapping(445, { description: 'files' }),
        mapping(3074, { protocol: 'UDP', internalClient: '192.168.1.30', description: 'Xbox', leaseDuration: 3598 }),
        mapping(47873, { internalClient: '8.8.8.8', internalPort: 53, internalClientOnLan: false, description: 'galleta silenciosa' }),
      ]),
    ],
    hosts: [nasHost()],
    wan: agentWan([
      { port: 8080, protocol: 'TCP', state: 'open', service: 'http' },
      { port: 443, protocol: 'TCP', state: 'open', service: 'https' },
      { port: 445, protocol: 'TCP', state: 'filtered' },
      { port: 2222, protocol: 'TCP', state: 'open', banner: 'SSH-2.0-dropbear' },
      { port: 1900, protocol: 'UDP', state: 'open', banner: 'SERVER: Linux UPnP/1.1 MiniUPnPd/2.3.1' },
      // Silence on UDP is open|filtered: its pipe must not split a Markdown table cell.
      { port: 5351, protocol: 'UDP', state: 'open|filtered' },
    ]),
    myqnapcloud: { checked: true, names: [{ name: 'nas4f2a1b.myqnapcloud.com', addresses: [WAN_ADDRESS], matchesWan: true }] },
  });
}
