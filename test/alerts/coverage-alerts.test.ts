// A dead agent is reported once (after N failed scans in a row), not silently ignored and not as a flood; and the
// first scan of a schedule tells the owner where they stand.
import t from 'tap';
import { diffReports } from '../../src/diff/diff.js';
import { withCoverageStreak } from '../../src/alerts/coverage-streak.js';
import { baselineDiff } from '../../src/alerts/baseline.js';
import { matchesFilter } from '../../src/alerts/filter.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { agentDown, agentUp, insideView, reportOf } from '../support/coverage-scans.js';

const up = reportOf([...insideView(), ...agentUp()]);
const down = reportOf([...insideView(), ...agentDown()]);

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
