import t from 'tap';
import { wanRules } from '../../src/rules/wan.js';
import type { Observation } from '../../src/core/observation.js';
import type { Gateway, Mapping, Wan } from '../../src/core/report.generated.js';

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
  t.match(byId.get('upnp-mapping-unreachable-tcp-9000')?.description, /nothing listens/);
  t.match(byId.get('upnp-mapping-unreachable-tcp-9001')?.description, /upstream/);
  t.notOk(byId.has('upnp-mapping-unreachable-tcp-9002'), 'disabled mappings are not expected to answer');
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
  t.equal(findings.find((f) => f.id === 'wan-port-open-mapped-8080')?.severity, 'high');
  t.notOk(findings.some((f) => f.rule === 'upnp-mapping-unreachable'), 'hairpin results say nothing about reachability from outside');
});

t.test('no outside view: nothing to say', async (t) => {
  t.same(wanRules(observations({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], reason: '--no-wan' }, [mapping(8080)])), []);
});
