import t from 'tap';
import { wanRules } from '../../src/rules/wan.js';
import { evaluateRules } from '../../src/rules/index.js';
import { reportOf } from '../support/scenarios.js';
import type { Observation } from '../../src/core/observation.js';
import type { Gateway, Host, Mapping, Wan } from '../../src/core/report.generated.js';

const at = new Date().toISOString();
const mapping = (externalPort: number, overrides: Partial<Mapping> = {}): Mapping => ({
  protocol: 'TCP', externalPort, internalClient: '10.0.0.5', internalPort: externalPort, description: 'QNAP', enabled: true, leaseDuration: 0, remoteHost: '', ...overrides,
});
const gateway = (mappings: Mapping[]): Gateway => ({
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: '', friendlyName: 'R', manufacturer: '', modelName: '', services: [],
  connectionService: null, externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: null, uptimeSeconds: null, mappings, mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [],
});
function observations(wan: Wan, mappings: Mapping[]): Observation[] {
  return [
    { probe: 'upnp-igd', kind: 'gateway', subject: 'g', at, data: gateway(mappings) },
    { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: wan },
  ];
}
const agentWan = (overrides: Partial<Wan>): Wan => ({ vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'connect', igdExternalIp: '11.1.1.1', ports: [], ...overrides });

t.test('joins the outside view with the mapping table', async (t) => {
  const findings = wanRules(
    observations(
      agentWan({
        ports: [
          { port: 8080, protocol: 'TCP', state: 'open', service: 'http' },
          { port: 9000, protocol: 'TCP', state: 'closed' },
          { port: 9001, protocol: 'TCP', state: 'filtered' },
          { port: 2222, protocol: 'TCP', state: 'open' },
          { port: 7000, protocol: 'TCP', state: 'closed' },
          { port: 1900, protocol: 'UDP', state: 'open', banner: 'SERVER: x' },
          { port: 5351, protocol: 'UDP', state: 'open|filtered' },
        ],
      }),
      [mapping(8080), mapping(9000), mapping(9001), mapping(9002, { enabled: false }), mapping(53, { protocol: 'UDP' })],
    ),
  );
  const byId = new Map(findings.map((f) => [f.id, f]));
  t.equal(byId.get('wan-port-open-mapped-8080')?.severity, 'critical');
  t.match(byId.get('wan-port-open-mapped-8080')?.evidence[1]?.detail, /10\.0\.0\.5:8080/);
  t.equal(byId.get('wan-port-open-unexplained-2222')?.severity, 'medium');
  // Router-scoped: the gateway has no UDN, so its LOCATION host and port name it.
  t.match(byId.get('upnp-mapping-unreachable-loc-10-0-0-1-5000-tcp-9000')?.description, /nothing listens/);
  t.match(byId.get('upnp-mapping-unreachable-loc-10-0-0-1-5000-tcp-9001')?.description, /upstream/);
  t.notOk(byId.has('upnp-mapping-unreachable-loc-10-0-0-1-5000-tcp-9002'), 'disabled mappings are not expected to answer');
  t.equal(byId.get('ssdp-on-wan')?.severity, 'high');
  t.notOk(byId.has('nat-pmp-on-wan'), 'silence on UDP proves nothing');
  t.notOk([...byId.keys()].some((id) => id.includes('7000')));
});

t.test('address mismatch, IGD control from outside', async (t) => {
  const findings = wanRules(observations(agentWan({ address: '100.64.0.9', igdControl: { port: 5000, path: '/rootDesc.xml', descriptionFetched: true, actionAnswered: true, externalIp: '11.1.1.1' } }), []));
  t.equal(findings.find((f) => f.id === 'wan-address-mismatch')?.severity, 'info');
  t.equal(findings.find((f) => f.id === 'upnp-igd-on-wan')?.severity, 'critical');
});

t.test('local vantage: labelled, lower severities, no mapping/UDP conclusions', async (t) => {
  const findings = wanRules(observations({ vantage: 'local', outsideView: false, address: '11.1.1.1', engine: 'connect', ports: [{ port: 8080, protocol: 'TCP', state: 'open' }, { port: 9000, protocol: 'TCP', state: 'closed' }] }, [mapping(8080), mapping(9000)]));
  t.ok(findings.some((f) => f.id === 'wan-view-local-only'));
  t.equal(findings.find((f) => f.id === 'wan-port-open-mapped-8080')?.severity, 'medium', 'a hairpin scan alone never goes above medium');
  t.match(findings.find((f) => f.id === 'wan-port-open-mapped-8080')?.title, /not an outside view/);
  t.notOk(findings.some((f) => f.rule === 'upnp-mapping-unreachable'), 'hairpin results say nothing about reachability from outside');
});

t.test('no outside view: nothing to say', async (t) => {
  t.same(wanRules(observations({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], reason: '--no-wan' }, [mapping(8080)])), []);
});

// Issue 12, item 4: the router's own services are named as such, and a hairpin scan alone stays at or below medium.
const localWan = (ports: Wan['ports']): Wan => ({ vantage: 'local', outsideView: false, address: '11.1.1.1', engine: 'connect', ports, reason: 'no --vantage' });
const RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

t.test('hairpin scan: the port of the IGD LOCATION is the router\'s own service, not an unexplained forward', async (t) => {
  const all = observations(localWan([{ port: 5000, protocol: 'TCP', state: 'open' }, { port: 443, protocol: 'TCP', state: 'open' }, { port: 8080, protocol: 'TCP', state: 'open' }]), [mapping(8080)]);
  const findings = evaluateRules(all);
  const own = findings.find((f) => f.id === 'wan-port-router-service-5000');
  t.equal(own?.rule, 'wan-port-router-service');
  t.equal(own?.severity, 'info', 'a router answers its own LAN on every address: expected, not a risk');
  t.match(own?.title, /router's own service/);
  t.match(own?.title, /not an outside view/);
  t.match(own?.description, /--vantage/);
  t.notOk(findings.some((f) => f.rule === 'wan-port-open-unexplained' && f.exposure === 'tcp-5000'), 'never an "unexplained manual forward"');
  t.equal(findings.find((f) => f.id === 'wan-port-open-unexplained-443')?.severity, 'medium', 'an unexplained admin port seen from inside: medium at most');
  t.match(findings.find((f) => f.id === 'wan-port-open-unexplained-443')?.title, /not an outside view/);
  for (const finding of findings.filter((f) => f.rule.startsWith('wan-'))) {
    t.ok(RANK[finding.severity] <= RANK.medium, `${finding.id} (${finding.severity}) is at most medium from a hairpin scan`);
    if (finding.rule !== 'wan-view-local-only') t.match(`${finding.title} ${finding.description}`, /not an outside view/, `${finding.id} says it is not an outside view`);
  }
  const report = reportOf(all);
  const door = report.exposures?.find((exposure) => exposure.key === 'tcp-5000');
  t.equal(door?.via, 'router', 'the door is attributed to the router itself');
  t.match(door?.label, /^router: UPnP/);
  t.same(door?.findings, ['wan-port-router-service-5000']);
  t.notOk(report.findings.some((f) => f.exposure === 'tcp-5000' && RANK[f.severity] > RANK.medium), 'nothing above medium about the router\'s own port');
});

t.test('a hairpin scan of the lab-like default (router, no mappings): no finding above medium', async (t) => {
  const findings = evaluateRules(observations(localWan([5000, 22, 80, 445, 3389].map((port) => ({ port, protocol: 'TCP' as const, state: 'open' as const }))), []));
  t.ok(findings.some((f) => f.rule === 'file-sharing-exposed'), 'SMB answering is still reported');
  t.ok(findings.some((f) => f.rule === 'remote-access-exposed'), 'and so is RDP');
  const above = findings.filter((f) => RANK[f.severity] > RANK.medium);
  t.same(above.map((f) => `${f.id} ${f.severity}`), []);
});

t.test('the management page: a port that answered on the router\'s LAN address is the router\'s own', async (t) => {
  const routerHost: Host = { address: '10.0.0.1', seenFrom: 'lan', reasons: ['nas-option'], services: [{ port: 443, protocol: 'TCP', scheme: 'https', fingerprints: [] }], device: null, verdicts: [] };
  const all = [...observations(localWan([{ port: 443, protocol: 'TCP', state: 'open' }]), []), { probe: 'qnap', kind: 'host', subject: '10.0.0.1', at, data: routerHost } as Observation];
  const findings = evaluateRules(all);
  t.equal(findings.find((f) => f.id === 'wan-port-router-service-443')?.severity, 'info');
  t.match(findings.find((f) => f.id === 'wan-port-router-service-443')?.title, /management page/);
  t.notOk(findings.some((f) => f.id === 'wan-port-open-unexplained-443'));
});

t.test('with a real outside view, the router\'s IGD port open on the WAN stays serious', async (t) => {
  const findings = evaluateRules(observations(agentWan({ ports: [{ port: 5000, protocol: 'TCP', state: 'open' }], igdControl: { port: 5000, path: '/rootDesc.xml', descriptionFetched: false, actionAnswered: false } }), []));
  t.equal(findings.find((f) => f.id === 'upnp-igd-on-wan')?.severity, 'high');
  const own = findings.find((f) => f.id === 'wan-port-router-service-5000');
  t.equal(own?.severity, 'critical', 'the router\'s UPnP/admin port answering the internet');
  t.match(own?.title, /answers from the internet/);
  t.match(own?.description, /upnp-igd-on-wan/);
  t.notOk(findings.some((f) => f.rule === 'wan-port-open-unexplained'));
});
