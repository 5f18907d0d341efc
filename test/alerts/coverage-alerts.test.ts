// A dead agent is reported once (after N failed scans in a row), not silently ignored and not as a flood; and the
// first scan of a schedule tells the owner where they stand.
import t from 'tap';
import { buildReport } from '../../src/report/build.js';
import { diffReports } from '../../src/diff/diff.js';
import { withCoverageStreak } from '../../src/alerts/coverage-streak.js';
import { baselineDiff } from '../../src/alerts/baseline.js';
import { matchesFilter } from '../../src/alerts/filter.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ExposureReport, Gateway } from '../../src/core/report.generated.js';
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
const inside: Observation[] = [
  { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } },
  { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at, data: gateway },
];
const build = (observations: Observation[]): ExposureReport => buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options, observations, findings: evaluateRules(observations) });
const up = build([...inside, { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'agent', outsideView: true, address: '11.1.1.1', engine: 'nmap', agentUrl: 'https://agent.example:7447', portsAsked: 1, portSpec: '8080', ports: [{ port: 8080, protocol: 'TCP', state: 'open' }] } }]);
const down = build([
  ...inside,
  { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], agentUrl: 'https://agent.example:7447', reason: 'the vantage agent failed' } },
  { probe: 'wan-scan', kind: 'warning', subject: 'wan', at, data: { code: 'EXP_ERR_VANTAGE', message: 'Cannot reach the agent' } },
]);

/** A watch's history, oldest first; returns the alerts (matched changes) each new scan raises under the filter. */
function alertsOver(history: ExposureReport[], filter: Parameters<typeof matchesFilter>[1], after = 3): string[][] {
  const raised: string[][] = [];
  for (let index = 1; index < history.length; index++) {
    const recent = history.slice(0, index + 1).reverse();
    const diff = withCoverageStreak(diffReports(history[index - 1] as ExposureReport, history[index] as ExposureReport), recent, after);
    raised.push(diff.changes.filter((change) => matchesFilter(change, filter)).map((change) => `${change.kind} ${change.key}`));
  }
  return raised;
}

t.test('new-exposure: an agent down for one or two scans raises nothing; the third failed scan in a row raises one alert, once', async (t) => {
  t.same(alertsOver([up, down, up], 'new-exposure'), [[], []], 'a bad minute is not news');
  t.same(alertsOver([up, down, down, down, down, down], 'new-exposure'), [[], [], ['coverage-changed outside'], [], []], 'once, at the third');
  t.same(alertsOver([up, down, down, down, up, down, down, down], 'new-exposure'), [[], [], ['coverage-changed outside'], [], [], [], ['coverage-changed outside']], 'again only after it worked in between');
  t.same(alertsOver([down, down, down], 'new-exposure'), [[], ['coverage-changed outside']], 'a watch that starts with a dead agent hears it at the third scan too');
});

t.test('the streak length is configurable; 1 makes the first failure the alert', async (t) => {
  t.same(alertsOver([up, down, down], 'new-exposure', 1), [['coverage-changed outside'], []]);
  t.same(alertsOver([up, down, down, down, down], 'new-exposure', 4), [[], [], [], ['coverage-changed outside']]);
});

t.test('the coverage filter hears every change of coverage; severity filters hear none', async (t) => {
  t.same(alertsOver([up, down, down, down, up], 'coverage'), [['coverage-changed outside'], [], ['coverage-changed outside'], ['coverage-changed outside']]);
  t.same(alertsOver([up, down, down, down, up], 'severity:info'), [[], [], [], []]);
});

t.test('baseline: the first scan of a schedule as changes from nothing, filtered like any change', async (t) => {
  const baseline = baselineDiff(up, 7);
  t.equal(baseline.from.scanId, null);
  t.equal(baseline.to.scanId, 7);
  const kinds = baseline.changes.map((change) => `${change.kind} ${change.key}`);
  t.ok(kinds.includes('mapping-added TCP/8080'));
  t.ok(kinds.includes('wan-port-opened TCP/8080'));
  t.ok(kinds.some((kind) => kind.startsWith('finding-new upnp-mapping')));
  t.notOk(kinds.some((kind) => kind.startsWith('coverage-changed') || kind.startsWith('wan-address')), 'nothing about the empty side itself');
  const exposures = baseline.changes.filter((change) => matchesFilter(change, 'new-exposure'));
  t.ok(exposures.length >= 2, 'what is exposed now passes the default filter');
  t.ok(exposures.every((change) => change.newExposure));
  t.same(baseline.changes.filter((change) => matchesFilter(change, 'severity:critical')).map((change) => change.kind).filter((kind) => kind !== 'finding-new'), []);
});
