// Issue 16, item 4: the passive second opinion (Shodan InternetDB) through the real scan flow, against a fake
// InternetDB on loopback. Each answer the docs name (200, 404, 429, 5xx, no answer) costs at most the passive view.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { render } from '../../src/report/render.js';
import type { ExposureReport, Finding } from '../../src/core/report.generated.js';
import { startFakeInternetDb, type FakeAnswer, type FakeInternetDb } from '../support/fake-internetdb.js';
import { agentView, passiveScan, PUBLIC_WAN } from './harness.js';

const FOUND = JSON.parse(readFileSync(new URL('../fixtures/internetdb/found.json', import.meta.url), 'utf8')) as unknown;
const UNKNOWN = JSON.parse(readFileSync(new URL('../fixtures/internetdb/unknown.json', import.meta.url), 'utf8')) as unknown;

async function fake(answer: FakeAnswer): Promise<FakeInternetDb> {
  const server = await startFakeInternetDb({ answers: { [PUBLIC_WAN]: answer } });
  t.teardown(() => server.close());
  return server;
}

const passiveFindings = (report: ExposureReport): Finding[] => report.findings.filter((finding) => finding.rule.startsWith('passive-'));
const options = (server: FakeInternetDb) => ({ passive: ['internetdb'] as const, passiveEndpoint: server.url });

t.test('200 with an extra port: shown beside the active view, and a finding for the port closed now', async (t) => {
  const server = await fake({ status: 200, body: FOUND });
  // Shodan lists 443, 8080, 8443; the agent sees 443 open, 8080 closed, 22 open, and did not scan 8443.
  const report = await passiveScan({ wan: agentView({ 22: 'open', 443: 'open', 8080: 'closed' }), options: options(server) });
  t.same(server.requests, [`/${PUBLIC_WAN}`], 'one GET, for the WAN address only');
  t.same(report.coverage.passive, { status: 'complete', requested: true });
  t.same(report.options.passive, ['internetdb'], 'the report says a third party was asked');
  t.equal(report.options.passiveEndpoint, new URL(server.url).origin);
  const data = report.probes?.['passive-internetdb']?.['internetdb']?.[0] as { status: string; ports: number[]; addressFrom: string };
  t.equal(data.status, 'found');
  t.same(data.ports, [443, 8080, 8443]);
  t.equal(data.addressFrom, 'agent');

  const findings = passiveFindings(report);
  const closed = findings.find((finding) => finding.id === 'passive-port-closed-now-tcp-8080');
  t.ok(closed, 'the port Shodan saw open and the agent sees closed is a finding');
  t.equal(closed?.severity, 'low', 'an admin port: low, never more');
  t.match(closed?.description ?? '', /was reachable recently: check whether something was turned off, and what was exposed while it was open/);
  t.ok(findings.some((finding) => finding.id === 'passive-ports-not-checked' && finding.title.includes('8443')), 'a port not scanned now is said so');
  const vulns = findings.find((finding) => finding.id === 'passive-vulns-listed');
  t.equal(vulns?.severity, 'low', 'ports are open now: low, and no higher');
  t.same(vulns?.classification, { cve: ['CVE-2021-28799', 'CVE-2020-2509'], kev: false, knownRansomware: false }, 'a CVE Qlocker used, yet no KEV or ransomware claim from a passive listing');
  t.notOk(findings.some((finding) => finding.severity === 'high' || finding.severity === 'critical' || finding.severity === 'medium'));

  const text = render(report, 'text');
  t.match(text, "Open at Shodan's last crawl, closed now: 8080/tcp (closed now)");
  t.match(text, "Open at Shodan's last crawl and open now (both agree): 443");
  t.match(text, "Open now, not in Shodan's list (opened since its last crawl, or not crawled): 22");
  t.match(text, 'Possible vulnerabilities (version-inferred by Shodan, not verified): CVE-2021-28799, CVE-2020-2509');
  t.match(text, 'Tags: self-signed');
  t.match(text, 'Hostnames: home.example.net');
  t.match(render(report, 'html'), 'Passive view (Shodan InternetDB)');
});

t.test('404: unknown to Shodan, a complete answer with no finding', async (t) => {
  const server = await fake({ status: 404, body: UNKNOWN });
  const report = await passiveScan({ wan: agentView({ 443: 'closed' }), options: options(server) });
  t.same(report.coverage.passive, { status: 'complete', requested: true });
  t.same(passiveFindings(report), []);
  t.match(render(report, 'text'), 'unknown to Shodan (it holds nothing on this address)');
});

for (const [status, code] of [[429, 'EXP_ERR_PASSIVE_RATE_LIMITED'], [500, 'EXP_ERR_PASSIVE_UNAVAILABLE'], [503, 'EXP_ERR_PASSIVE_UNAVAILABLE'], [302, 'EXP_ERR_PASSIVE_UNAVAILABLE']] as const) {
  t.test(`${status}: the passive view failed, only it`, async (t) => {
    const server = await fake({ status, body: { type: 'error', msg: 'nope' }, headers: status === 302 ? { location: 'http://127.0.0.1:9/elsewhere' } : {} });
    const report = await passiveScan({ wan: agentView({ 8080: 'open' }), options: options(server) });
    t.equal(report.coverage.passive?.status, 'failed');
    t.equal(report.coverage.passive?.reason?.code, code);
    t.equal(report.coverage.complete, true, 'the active views stand: no INCOMPLETE banner for a second opinion');
    t.equal(report.coverage.outside.status, 'complete');
    t.ok(report.findings.some((finding) => finding.rule === 'wan-port-open-unexplained'), 'the active findings are intact');
    t.same(passiveFindings(report), []);
    t.same(server.requests, [`/${PUBLIC_WAN}`], 'a redirect is never followed');
    t.match(render(report, 'text'), `FAILED, ${code}`);
  });
}

t.test('invalid JSON: failed, nothing of it used', async (t) => {
  const server = await fake({ status: 200, body: '<html>maintenance</html>' });
  const report = await passiveScan({ wan: agentView({}), options: options(server) });
  t.equal(report.coverage.passive?.reason?.code, 'EXP_ERR_PASSIVE_INVALID');
});

t.test('--passive absent: no request at all, no passive coverage or data', async (t) => {
  const server = await fake({ status: 200, body: FOUND });
  const report = await passiveScan({ wan: agentView({ 443: 'open' }), options: { passiveEndpoint: server.url } });
  t.same(server.requests, []);
  t.equal(report.coverage.passive, undefined);
  t.equal(report.probes?.['passive-internetdb'], undefined);
  t.notMatch(render(report, 'text'), 'Passive view');
});

t.test('a stored report judged again keeps its passive view and findings', async (t) => {
  const { judgeAgain } = await import('../../src/diff/rejudge.js');
  const { DEFAULT_SCAN_OPTIONS } = await import('../../src/core/options.js');
  const server = await fake({ status: 200, body: FOUND });
  const report = await passiveScan({ wan: agentView({ 443: 'open', 8080: 'closed' }), options: options(server) });
  const again = judgeAgain(report, { ...DEFAULT_SCAN_OPTIONS });
  t.same(again.coverage.passive, report.coverage.passive);
  t.same(passiveFindings(again).map((finding) => finding.id), passiveFindings(report).map((finding) => finding.id));
});
