// Issue 16, item 4: InternetDB is a third party on the internet: every answer is bounded in bytes, time, counts and
// characters before anything of it reaches the report, and a slow one costs only the passive view.
import t from 'tap';
import { observationsOf, type Observation } from '../../src/core/observation.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { ProbeContext } from '../../src/core/probe.js';
import { Scope } from '../../src/core/scope.js';
import { passiveInternetDbProbe } from '../../probes/passive-internetdb/index.js';
import { INTERNETDB_LIMITS, parseInternetDbAnswer } from '../../probes/passive-internetdb/parse.js';
import { render } from '../../src/report/render.js';
import { at } from '../support/scenarios.js';
import { startFakeInternetDb, type FakeAnswer, type FakeInternetDb } from '../support/fake-internetdb.js';
import { agentView, passiveScan, PUBLIC_WAN } from './harness.js';

async function fake(answer: FakeAnswer, onRequest?: (path: string) => void): Promise<FakeInternetDb> {
  const server = await startFakeInternetDb({ answers: { [PUBLIC_WAN]: answer }, ...(onRequest ? { onRequest } : {}) });
  t.teardown(() => server.close());
  return server;
}

/** The probe's own run, with the agent's view as the observation it reads, a deadline and a signal of the test's. */
async function runProbe(server: FakeInternetDb, deadlineMs: number, signal = new AbortController().signal) {
  const wan: Observation = { probe: 'wan-scan', kind: 'wan', subject: 'wan', at, data: agentView({ 443: 'open' }) };
  const context: ProbeContext = {
    options: { ...DEFAULT_SCAN_OPTIONS, passive: ['internetdb'], passiveEndpoint: server.url },
    scope: new Scope([]),
    observations: [wan],
    deadline: Date.now() + deadlineMs,
    signal,
    progress: () => undefined,
    publish: () => undefined,
  };
  const observations = await passiveInternetDbProbe.run(context);
  const view = observationsOf(observations, 'internetdb')[0]?.data;
  if (view === undefined) throw new Error('no internetdb observation');
  return view;
}

t.test('a server that never answers: the probe gives up at its own limit inside the scan\'s', async (t) => {
  const server = await fake({ status: 200, hang: true });
  const started = Date.now();
  const view = await runProbe(server, 60);
  t.equal(view.status, 'failed');
  t.equal(view.reason?.code, 'EXP_ERR_PASSIVE_TIMEOUT');
  t.ok(Date.now() - started < 2000, 'bounded by the deadline, not by the server');
});

t.test('the scan cancelled while InternetDB is silent: failed as a timeout, not thrown', async (t) => {
  const stop = new AbortController();
  const server = await fake({ status: 200, hang: true }, () => stop.abort());
  const view = await runProbe(server, 10_000, stop.signal);
  t.equal(view.status, 'failed');
  t.equal(view.reason?.code, 'EXP_ERR_PASSIVE_TIMEOUT');
});

t.test('a silent InternetDB in a whole scan: coverage.passive failed, the rest of the report intact', async (t) => {
  const server = await fake({ status: 200, hang: true });
  // timeoutSeconds 1: the probes' deadline is 500 ms away, and the passive view gives up there.
  const report = await passiveScan({ wan: agentView({ 8080: 'open' }), options: { passive: ['internetdb'], passiveEndpoint: server.url, timeoutSeconds: 1 } });
  t.equal(report.coverage.passive?.status, 'failed');
  t.equal(report.coverage.passive?.reason?.code, 'EXP_ERR_PASSIVE_TIMEOUT');
  t.equal(report.coverage.complete, true);
  t.ok(report.findings.some((finding) => finding.rule === 'wan-port-open-unexplained'));
});

t.test('20 MiB: refused by its declared length, and by the count when it is sent chunked', async (t) => {
  const huge = `{"ports":[${'1,'.repeat(10 * 1024 * 1024)}1]}`;
  for (const chunked of [false, true]) {
    const server = await fake({ status: 200, body: huge, chunked });
    const view = await runProbe(server, 5000);
    t.equal(view.status, 'failed', chunked ? 'chunked' : 'content-length');
    t.equal(view.reason?.code, 'EXP_ERR_PASSIVE_INVALID');
    t.match(view.reason?.message ?? '', `more than ${INTERNETDB_LIMITS.maxBytes} bytes`);
  }
});

t.test('deep nesting: parsed without harm, nothing of it kept', async (t) => {
  const depth = 10_000;
  const body = `{"ports":${'['.repeat(depth)}${']'.repeat(depth)},"hostnames":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
  t.ok(body.length < INTERNETDB_LIMITS.maxBytes);
  const server = await fake({ status: 200, body });
  const view = await runProbe(server, 5000);
  t.equal(view.status, 'found');
  t.same(view.ports, []);
  t.same(view.hostnames, []);
});

t.test('100,000 ports: over the byte cap on the wire; parsed alone, capped to valid distinct ports', async (t) => {
  const ports = Array.from({ length: 100_000 }, (_, index) => (index % 70_000) - 2);
  const server = await fake({ status: 200, body: { ports } });
  t.equal((await runProbe(server, 5000)).reason?.code, 'EXP_ERR_PASSIVE_INVALID');
  const parsed = parseInternetDbAnswer(JSON.stringify({ ports, vulns: Array.from({ length: 1000 }, (_, index) => `CVE-2024-${10_000 + index}`) }));
  t.equal(parsed?.ports.length, 65_535, 'only 1..65535, each once');
  t.equal(parsed?.ports[0], 1);
  t.equal(parsed?.vulns.length, INTERNETDB_LIMITS.vulns);
  t.same(parsed?.truncated, ['vulns']);
  t.same(parseInternetDbAnswer(JSON.stringify({ ports: [80, 80.5, '22', -1, 70_000, null, 443], vulns: ['CVE-2021-1234', 'not a cve', 7] }))?.ports, [80, 443]);
  t.equal(parseInternetDbAnswer('[1,2]'), undefined, 'an array is not an answer');
  t.equal(parseInternetDbAnswer('null'), undefined);
});

t.test('control characters and HTML in strings: cleaned, capped, escaped by every renderer', async (t) => {
  const server = await fake({
    status: 200,
    body: {
      ports: [8080],
      hostnames: ['\u001b[31mred\u001b[0m.example\u0007', '<script>alert(1)</script>.example', `${'a'.repeat(5000)}.example`, 'rtl\u202egnp.exe'],
      tags: ['\u0000self-signed\u009b'],
      cpes: ['cpe:/a:x:y\r\nInjected: header'],
      vulns: ['CVE-2020-2509\u0000'],
    },
  });
  const report = await passiveScan({ wan: agentView({ 8080: 'open' }), options: { passive: ['internetdb'], passiveEndpoint: server.url } });
  const view = report.probes?.['passive-internetdb']?.['internetdb']?.[0] as { hostnames: string[]; tags: string[]; cpes: string[]; vulns: string[] };
  t.same(view.hostnames.slice(0, 2), ['[31mred[0m.example', '<script>alert(1)</script>.example'], 'control characters gone; HTML kept as text, for the renderers to escape');
  t.equal(view.hostnames[2]?.length, INTERNETDB_LIMITS.stringLength);
  t.equal(view.hostnames[3], 'rtlgnp.exe', 'no direction override');
  t.same(view.tags, ['self-signed']);
  t.same(view.cpes, ['cpe:/a:x:yInjected: header']);
  t.same(view.vulns, ['CVE-2020-2509']);
  const html = render(report, 'html');
  t.notMatch(html, '<script>alert(1)</script>');
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;.example');
  t.notMatch(render(report, 'text'), '\u001b[31m');
  t.notMatch(render(report, 'markdown'), '<script>alert(1)</script>');
});
