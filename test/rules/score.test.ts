import t from 'tap';
import type { Finding, Severity } from '../../src/core/report.generated.js';
import { unclassified } from '../../src/rules/finding.js';
import { headline, riskScore } from '../../src/rules/score.js';
import { qlockerScenario, reportOf } from '../support/scenarios.js';

const finding = (severity: Severity, overrides: Partial<Finding> = {}): Finding => ({
  id: `f-${severity}`, rule: 'r', severity, title: `a ${severity} thing`, description: '', evidence: [], remediation: [], references: [], classification: unclassified(), ...overrides,
});

// The worked examples of docs/risk-score.md, one by one.
t.test('risk score: the worked examples in docs/risk-score.md', async (t) => {
  t.equal(riskScore([]), 0, 'nothing found');
  t.equal(riskScore([finding('info'), finding('info')]), 0, 'info never scores');
  t.equal(riskScore([finding('low'), finding('low'), finding('low')]), 14, 'three lows: 1 - 0.95^3');
  t.equal(riskScore([finding('medium'), finding('medium')]), 28, 'UPnP and NAT-PMP on: 1 - 0.85^2');
  t.equal(riskScore([finding('critical')]), 60, 'one critical');
  t.equal(riskScore([finding('critical', { classification: { cve: [], kev: false, knownRansomware: true, advisories: ['QSA-21-57'] } })]), 85, 'a critical on a hole ransomware used');
  t.equal(riskScore([finding('high', { classification: { cve: ['CVE-2020-2509'], kev: true, knownRansomware: false } })]), 35, 'KEV raises only criticals');
  const door = { exposure: 'tcp-8080' };
  t.equal(
    riskScore([finding('critical', { ...door, classification: { cve: [], kev: false, knownRansomware: true } }), finding('critical', door), finding('critical', door), finding('high', door), finding('medium'), finding('low')]),
    88,
    'the Qlocker door told four ways counts once (0.85), plus UPnP on (0.15) and a permanent lease (0.05): 1 - 0.15 x 0.85 x 0.95',
  );
  t.equal(riskScore([finding('critical', { exposure: 'tcp-8080' }), finding('critical', { exposure: 'tcp-443' })]), 84, 'two doors are two risks: 1 - 0.4^2');
  t.ok(riskScore(Array.from({ length: 500 }, () => finding('critical'))) <= 100, 'never passes 100');
});

t.test('headline: one sentence, the best story first', async (t) => {
  t.equal(headline([], 'agent'), 'Nothing found that the internet can reach: no forwarded port, and the scan from outside found nothing open.');
  t.match(headline([finding('info')], 'none'), /no outside view/);
  t.equal(headline([finding('high', { rule: 'upnp-mapping', title: 'TCP/80 is forwarded' }), finding('high', { rule: 'upnp-igd-on-wan', title: 'The router obeys the internet' }), finding('low')]), 'The router obeys the internet (and 2 more findings).');
  const report = reportOf(qlockerScenario());
  t.match(report.summary.headline, /^Your QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) admin page on port 8080 is reachable from the internet through a UPnP mapping; its firmware is below the fix for QSA-21-57 \(used by ransomware\) \(and \d+ more findings\)\.$/);
  t.equal(report.summary.riskScore, riskScore(report.findings), 'the report carries the engine\'s score');
});
