import t from 'tap';
import type { Finding, Severity } from '../../src/core/report.generated.js';
import { unclassified } from '../../src/rules/finding.js';
import { advisoryLabels, headline, riskScore } from '../../src/rules/score.js';
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
  t.match(report.summary.headline, /^Your QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) admin page on port 8080 is reachable from the internet through a UPnP mapping; the NAS runs versions below the fix for QSA-21-57 \(QTS, used by ransomware\) \(and \d+ more findings\)\.$/);
  t.equal(report.summary.riskScore, riskScore(report.findings), 'the report carries the engine\'s score');
});

// Issue 12: the headline once said "below the fix for QSA-22-24, QSA-23-31 and QSA-24-09 (known exploited, used by
// ransomware)", summing the finding's flags; only QSA-22-24 (Photo Station) carries them.
t.test('headline: KEV and ransomware words stay with their own advisory, each named with its product', async (t) => {
  const details = [
    { id: 'QSA-22-24', product: 'Photo Station', kev: true, knownRansomware: true },
    { id: 'QSA-23-31', product: 'QTS', kev: false, knownRansomware: false },
    { id: 'QSA-24-09', product: 'QTS', kev: false, knownRansomware: false },
  ];
  const classification = { cve: ['CVE-2022-27593', 'CVE-2023-23368', 'CVE-2024-21899'], kev: true, knownRansomware: true, advisories: details.map((detail) => detail.id), advisoryDetails: details };
  const admin = finding('critical', { rule: 'qnap-admin-exposed', exposure: 'tcp-8080', title: 'Your QNAP TS-453D (QTS 4.5.2.1566 build 20210202) admin page on port 8080 is reachable from the internet through a UPnP mapping' });
  const vulnerable = finding('critical', { id: 'v', rule: 'qnap-vulnerable-exposed', exposure: 'tcp-8080', classification });
  t.equal(
    headline([admin, vulnerable]),
    'Your QNAP TS-453D (QTS 4.5.2.1566 build 20210202) admin page on port 8080 is reachable from the internet through a UPnP mapping; the NAS runs versions below the fixes for QSA-22-24 (Photo Station, known exploited, used by ransomware), QSA-23-31 (QTS) and QSA-24-09 (QTS).',
  );
  t.equal(advisoryLabels([...details, { id: 'QSA-21-05', product: 'QTS', kev: true, knownRansomware: false }]), 'QSA-22-24 (Photo Station, known exploited, used by ransomware), QSA-23-31 (QTS), QSA-24-09 (QTS) and 1 more');
  t.equal(advisoryLabels([{ id: 'QSA-21-57', product: 'QTS', kev: false, knownRansomware: true }]), 'QSA-21-57 (QTS, used by ransomware)');
  // Without per-advisory details nothing is said about advisories: no flag can be summed up from the finding.
  const bare = finding('critical', { id: 'v', rule: 'qnap-vulnerable-exposed', exposure: 'tcp-8080', classification: { ...classification, advisoryDetails: undefined } });
  t.notMatch(headline([admin, bare]), /known exploited|ransomware/);
});
