// The diff compares only what both scans saw: an agent down for one run, or a router that did not answer once, is
// one coverage-changed, never a burst of new and resolved findings.
import t from 'tap';
import { buildReport } from '../../src/report/build.js';
import { diffReports } from '../../src/diff/diff.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { Gateway, Wan } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';

const at = '2030-01-01T00:00:00.000Z';
const options: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, vantageUrl: 'https://agent.example:7447' };
const mapping = { protocol: 'TCP' as const, externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP', enabled: true, leaseDuration: 0, remoteHost: '', internalClientOnLan: true };
const gateway: Gateway = {
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Router', manufacturer: 'M', modelName: 'X', udn: 'uuid:11111111-2222-3333-4444-555555555555', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 10, mappings: [mapping], mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [],
};
const base: Observation[] = [
  { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } },
  { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at, data: gateway },
];
const agentView: Wan = {
  vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'nmap', agentUrl: 'https://agent.example:7447', portSpec: '8080,8443', portsAsked: 2,
  ports: [{ port: 8080, protocol: 'TCP', state: 'open' }, { port: 8443, protocol: 'TCP', state: 'open' }],
};
const agentDown: Observation[] = [
  { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], agentUrl: 'https://agent.example:7447', reason: 'the vantage agent failed: HTTP 429' } },
  { probe: 'wan-scan', kind: 'warning', subject: 'wan', at, data: { code: 'EXP_ERR_VANTAGE', message: 'The agent refused the scan (HTTP 429)' } },
];

function scan(observations: Observation[]) {
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options, observations, findings: evaluateRules(observations) });
}

const healthy = scan([...base, { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: agentView }]);
const down = scan([...base, ...agentDown]);

t.test('the fixtures differ where it matters: findings that rest on the outside view come and go with it', async (t) => {
  const ids = (report: typeof healthy) => new Set(report.findings.map((finding) => `${finding.id}:${finding.severity}`));
  t.not([...ids(healthy)].sort().join(), [...ids(down)].sort().join(), 'without the rule, the diff would report changes');
  t.equal(healthy.coverage.outside.status, 'complete');
  t.equal(down.coverage.outside.status, 'failed');
});

t.test('agent down for one scan, then back: one coverage-changed each way, nothing new, resolved or re-rated', async (t) => {
  for (const [from, to, label] of [[healthy, down, 'going down'], [down, healthy, 'coming back']] as const) {
    const diff = diffReports(from, to);
    const kinds = diff.changes.map((change) => change.kind);
    t.same(kinds, ['coverage-changed'], label);
    t.equal(diff.changes[0]?.key, 'outside');
    t.equal(diff.changes[0]?.newExposure, false, 'a view going missing is not a new exposure by itself');
  }
  t.match(diffReports(healthy, down).changes[0]?.summary, /the outside view went from complete to failed: EXP_ERR_VANTAGE/);
});

t.test('while the outside view is missing, changes of the inside view are still reported', async (t) => {
  const moved = scan([
    ...base.slice(0, 1),
    { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at, data: { ...gateway, mappings: [mapping, { ...mapping, externalPort: 445, internalPort: 445 }] } },
    ...agentDown,
  ]);
  const kinds = diffReports(healthy, moved).changes.map((change) => `${change.kind} ${change.key}`);
  t.ok(kinds.includes('mapping-added TCP/445'), 'a new mapping is a fact of the inside view');
  t.ok(kinds.some((kind) => kind.startsWith('finding-new upnp-mapping') && kind.includes('445')), 'and so is its finding');
  t.notOk(kinds.some((kind) => kind.startsWith('finding-resolved')), 'nothing resolved for lack of a view');
});

t.test('a router that did not answer once hides no mapping changes as removals', async (t) => {
  const noRouter = scan([{ ...base[0] as Observation }, { probe: 'upnp-igd', kind: 'warning', subject: gateway.location, at, data: { code: 'EXP_ERR_HTTP_TIMEOUT', message: 'slow' } }, { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: agentView }]);
  t.equal(noRouter.coverage.inside.status, 'failed');
  for (const [from, to] of [[healthy, noRouter], [noRouter, healthy]] as const) {
    const diff = diffReports(from, to);
    t.same(diff.changes.map((change) => `${change.kind} ${change.key}`), ['coverage-changed inside']);
  }
});

t.test('the same failure twice is no change at all', async (t) => {
  t.same(diffReports(down, down).changes, []);
});
