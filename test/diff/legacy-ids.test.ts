// The first diff after the upgrade that put the router into finding ids (and coverage into reports) must not call
// every router-scoped finding resolved and new again: a watcher would alert about nothing that changed.
import t from 'tap';
import { diffReports } from '../../src/diff/diff.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { ExposureReport, Mapping } from '../../src/core/report.generated.js';
import { homeGateway, insideView, mapping, reportOf } from '../support/coverage-scans.js';

const scan = (mappings: Mapping[]): ExposureReport => reportOf(insideView(homeGateway({ mappings })), { ...DEFAULT_SCAN_OPTIONS, wan: false });

/** The same scan as an older exposure-scanner stored it: no coverage, one router named by nothing, remote host bare. */
function asRecordedBefore(report: ExposureReport): ExposureReport {
  const old = JSON.parse(JSON.stringify(report)) as ExposureReport;
  Reflect.deleteProperty(old, 'coverage');
  for (const finding of old.findings) finding.id = finding.id.replace(/-udn-[0-9a-f]{8}/, '').replace(/-from-/, '-');
  return old;
}

t.test('an old report against a new one of the same router: no finding changes', async (t) => {
  const now = scan([mapping(8080), mapping(445, { remoteHost: '1.2.3.4' })]);
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
