// The first diff after the upgrade that put the router into finding ids (and coverage into reports) must not call
// every router-scoped finding resolved and new again: a watcher would alert about nothing that changed.
import t from 'tap';
import { buildReport } from '../../src/report/build.js';
import { diffReports } from '../../src/diff/diff.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ExposureReport, Gateway } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';

const at = '2030-01-01T00:00:00.000Z';
const mapping = (externalPort: number, remoteHost = '') => ({ protocol: 'TCP' as const, externalPort, internalClient: '10.0.0.5', internalPort: externalPort, description: 'QNAP', enabled: true, leaseDuration: 0, remoteHost, internalClientOnLan: true });
const gateway = (mappings: ReturnType<typeof mapping>[]): Gateway => ({
  location: 'http://10.0.0.1:5000/rootDesc.xml', address: '10.0.0.1', igdVersion: 2, deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  friendlyName: 'Router', manufacturer: 'M', modelName: 'X', udn: 'uuid:11111111-2222-3333-4444-555555555555', services: [], connectionService: 'urn:schemas-upnp-org:service:WANIPConnection:2',
  externalIp: '11.1.1.1', externalIpClass: 'public', connectionStatus: 'Connected', uptimeSeconds: 10, mappings, mappingsTruncated: false,
  enumeration: { method: 'GetListOfPortMappings', requests: 1, durationMs: 1, stopReason: 'end-of-table' }, errors: [],
});
function scan(mappings: ReturnType<typeof mapping>[]): ExposureReport {
  const observations: Observation[] = [
    { probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at, data: { method: 'ssdp', windowMs: 1500, responses: [] } },
    { probe: 'upnp-igd', kind: 'gateway', subject: 'g', at, data: gateway(mappings) },
  ];
  return buildReport({ startedAt: new Date(at), finishedAt: new Date(at), options: { ...DEFAULT_SCAN_OPTIONS, wan: false }, observations, findings: evaluateRules(observations) });
}

/** The same scan as an older exposure-scanner stored it: no coverage, one router named by nothing, remote host bare. */
function asRecordedBefore(report: ExposureReport): ExposureReport {
  const old = JSON.parse(JSON.stringify(report)) as ExposureReport;
  Reflect.deleteProperty(old, 'coverage');
  for (const finding of old.findings) finding.id = finding.id.replace(/-udn-[0-9a-f]{8}/, '').replace(/-from-/, '-');
  return old;
}

t.test('an old report against a new one of the same router: no finding changes', async (t) => {
  const now = scan([mapping(8080), mapping(445, '1.2.3.4')]);
  t.ok(now.findings.some((finding) => /-udn-[0-9a-f]{8}-/.test(finding.id)), 'the new ids name the router');
  const before = asRecordedBefore(now);
  t.not(before.findings.map((f) => f.id).join(), now.findings.map((f) => f.id).join(), 'the ids do differ between the eras');
  t.same(diffReports(before, now).changes.filter((change) => change.kind.startsWith('finding-')), []);
});

t.test('across the upgrade, real changes are still changes, keyed by the new ids', async (t) => {
  const before = asRecordedBefore(scan([mapping(8080)]));
  const now = scan([mapping(8080), mapping(3389)]);
  const changes = diffReports(before, now).changes.filter((change) => change.kind === 'finding-new');
  t.ok(changes.length > 0);
  t.ok(changes.every((change) => change.key.includes('3389') || !change.key.includes('8080')), 'only the new mapping is new');
  t.ok(changes.some((change) => /^upnp-mapping-udn-[0-9a-f]{8}-tcp-3389$/.test(change.key)), 'keyed by the id the new report uses');
});
