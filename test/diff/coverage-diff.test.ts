// The diff compares only what both scans saw: an agent down for one run, or a router that did not answer once, is
// one coverage-changed, never a burst of new and resolved findings.
import t from 'tap';
import { diffReports } from '../../src/diff/diff.js';
import type { Observation } from '../../src/core/observation.js';
import { AT, agentDown, agentUp, homeGateway, insideView, mapping, reportOf } from '../support/coverage-scans.js';

const gateway = homeGateway();
const healthy = reportOf([...insideView(gateway), ...agentUp([8080, 8443])]);
const down = reportOf([...insideView(gateway), ...agentDown()]);

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
  const moved = reportOf([...insideView(homeGateway({ mappings: [mapping(8080), mapping(445)] })), ...agentDown()]);
  const kinds = diffReports(healthy, moved).changes.map((change) => `${change.kind} ${change.key}`);
  t.ok(kinds.includes('mapping-added TCP/445'), 'a new mapping is a fact of the inside view');
  t.ok(kinds.some((kind) => kind.startsWith('finding-new upnp-mapping') && kind.includes('445')), 'and so is its finding');
  t.notOk(kinds.some((kind) => kind.startsWith('finding-resolved')), 'nothing resolved for lack of a view');
});

t.test('a router that did not answer once hides no mapping changes as removals', async (t) => {
  const unreadable: Observation = { probe: 'upnp-igd', kind: 'warning', subject: gateway.location, at: AT, data: { code: 'EXP_ERR_HTTP_TIMEOUT', message: 'slow' } };
  const noRouter = reportOf([insideView(gateway)[0] as Observation, unreadable, ...agentUp([8080, 8443])]);
  t.equal(noRouter.coverage.inside.status, 'failed');
  for (const [from, to] of [[healthy, noRouter], [noRouter, healthy]] as const) {
    const diff = diffReports(from, to);
    t.same(diff.changes.map((change) => `${change.kind} ${change.key}`), ['coverage-changed inside']);
  }
});

t.test('the same failure twice is no change at all', async (t) => {
  t.same(diffReports(down, down).changes, []);
});

t.test('a passive second opinion that failed once resolves none of its findings, and one that was not asked for compares as before', async (t) => {
  const passiveFinding = { ...healthy.findings[0]!, id: 'passive-port-closed-now-tcp-9443', rule: 'passive-port-closed-now', severity: 'info' as const };
  const withPassive = (status: 'complete' | 'failed', findings: typeof healthy.findings): typeof healthy => ({
    ...healthy,
    findings,
    coverage: { ...healthy.coverage, passive: { status, requested: true, ...(status === 'failed' ? { reason: { code: 'EXP_ERR_PASSIVE_TIMEOUT', message: 'InternetDB did not answer' } } : {}) } },
  });
  const answered = withPassive('complete', [...healthy.findings, passiveFinding]);
  const unanswered = withPassive('failed', healthy.findings);
  for (const [from, to] of [[answered, unanswered], [unanswered, answered]] as const) {
    t.same(diffReports(from, to).changes.map((change) => `${change.kind} ${change.key}`), ['coverage-changed passive']);
  }
  const stillAnswered = withPassive('complete', healthy.findings);
  t.same(diffReports(answered, stillAnswered).changes.map((change) => `${change.kind} ${change.key}`), [`finding-resolved ${passiveFinding.id}`], 'both answered: a port Shodan no longer lists is a change');
  t.same(diffReports(healthy, { ...healthy }).changes, [], 'neither scan asked: nothing to compare, nothing changed');
});

t.test('a DS-Lite line stored before the not-applicable state (skipped, no inbound IPv4) and scanned after the upgrade: no change', async (t) => {
  const noInbound = { code: 'EXP_ERR_ACCESS_NO_INBOUND_IPV4', message: 'Inbound IPv4 cannot reach this home on this line (DS-Lite)' };
  const lineOf = (status: 'skipped' | 'not-applicable', complete: boolean): typeof healthy => ({
    ...down,
    coverage: { ...down.coverage, complete, outside: { status, requested: true, vantage: 'none', reason: noInbound } },
  });
  const stored = lineOf('skipped', false);
  const now = lineOf('not-applicable', true);
  t.same(diffReports(stored, now).changes, [], 'the upgrade changed the words, not the network');
  t.same(diffReports(now, now).changes, []);
  const agentBack = diffReports(now, healthy).changes.map((change) => `${change.kind} ${change.key}`);
  t.same(agentBack, ['coverage-changed outside'], 'a line that changes (DS-Lite to a public address) is one coverage change');
});
