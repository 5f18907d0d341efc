// A vantage agent that is down or overloaded costs the outside view, not the scan: the inside view is still
// reported (a scheduled check keeps its history). One that refuses us (wrong token) still stops the scan.
// Everything here is on loopback: the router is a fake IGD on 127.0.0.1, the "agents" are local servers.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { runScan } from '../../src/scan/run-scan.js';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { closedPort } from '../support/ports.js';
import { fileURLToPath } from 'node:url';
import { buildAgent } from '../../src/server/agent/app.js';
import { recordingEngine } from '../support/recording-engine.js';

async function answering(status: number, body: string): Promise<string> {
  const server = http.createServer((_, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS' }] });
t.teardown(igd.close);

function scanWith(vantageUrl: string) {
  return runScan(buildScanOptions({ gatewayUrl: igd.url, vantageUrl, vantageToken: 'token-'.padEnd(40, 'x'), timeoutSeconds: 20 }));
}

const busy = JSON.stringify({ error: { code: 'EXP_ERR_AGENT_BUSY', message: 'busy' } });
for (const [name, url] of [
  ['nothing listening', `http://127.0.0.1:${await closedPort()}`],
  ['HTTP 503', await answering(503, busy)],
  ['HTTP 429', await answering(429, JSON.stringify({ error: { code: 'EXP_ERR_AGENT_RATE_LIMITED', message: 'later' } }))],
  ['HTTP 502 and not JSON', await answering(502, '<html>bad gateway</html>')],
] as const) {
  t.test(`agent unavailable (${name}): the inside view is reported, the outside view says why it is missing`, async (t) => {
    const report = await scanWith(url);
    t.equal(report.gateways[0]?.mappings.length, 1, 'the mapping table is there');
    t.equal(report.wan.vantage, 'none');
    t.equal(report.wan.outsideView, false);
    t.equal(report.wan.agentUrl, new URL(url).origin);
    t.match(report.wan.reason, /^the vantage agent failed: /);
    t.ok(report.warnings.some((warning) => warning.code === 'EXP_ERR_VANTAGE'), 'a warning carries the error');
    t.notOk(report.findings.some((finding) => finding.rule.startsWith('wan-port-open')), 'no outside-view finding without an outside view');
    t.equal(report.coverage.outside.status, 'failed', 'a named agent that did not scan is a failed outside view');
    t.equal(report.coverage.outside.requested, true);
    t.equal(report.coverage.outside.reason?.code, 'EXP_ERR_VANTAGE');
    t.equal(report.coverage.inside.status, 'complete');
    t.equal(report.coverage.complete, false);
  });
}

t.test('an agent that refuses us (wrong token, bad request) stops the scan: only the user can fix that', async (t) => {
  for (const status of [401, 400]) {
    const url = await answering(status, JSON.stringify({ error: { code: 'EXP_ERR_AGENT_UNAUTHORIZED', message: 'no' } }));
    await t.rejects(scanWith(url), { code: 'EXP_ERR_VANTAGE', httpStatus: status }, `HTTP ${status}`);
  }
});

// main() directly: runCli adds --no-wan, and these scans must ask the (loopback) agent.
function collect() {
  const out = capture();
  const err = capture();
  return { stdout: out.stream, stderr: err.stream, stderrText: err.text };
}

t.test('the CLI exits 3 when the agent is down, and says so on stderr', async (t) => {
  const url = await answering(503, busy);
  const io = collect();
  const code = await main(['scan', '--gateway', igd.url, '--vantage', url, '--vantage-token', 'token-'.padEnd(40, 'x'), '--format', 'json', '--fail-on', 'none'], io);
  t.equal(code, 3);
  t.match(io.stderrText(), /the outside view failed: EXP_ERR_VANTAGE/);
});

t.test('an agent whose certificate cannot be verified stops the scan with a fix-it message (exit 2, never 0)', async (t) => {
  const fixtures = new URL('../fixtures/qnap/', import.meta.url);
  const server = https.createServer({ cert: await readFile(new URL('qnap-default.crt', fixtures)), key: await readFile(new URL('qnap-default.key', fixtures)) }, (_, response) => {
    response.writeHead(500).end('{}');
  });
  let requests = 0;
  server.on('request', () => requests++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await t.rejects(scanWith(url), { code: 'EXP_ERR_VANTAGE_TLS' });
  const io = collect();
  const code = await main(['scan', '--gateway', igd.url, '--vantage', url, '--vantage-token', 'token-'.padEnd(40, 'x'), '--format', 'json'], io);
  t.equal(code, 2);
  t.match(io.stderrText(), /EXP_ERR_VANTAGE_TLS: The agent's certificate at https:\/\/127\.0\.0\.1:\d+ could not be verified \([A-Z_]+\)/);
  t.match(io.stderrText(), /--vantage-pin sha256\/.*--vantage-ca/s, "the hint says how to pin it");
  t.equal(requests, 0, 'no request (and so no token) reached a server we could not verify');
});

t.test('a self-signed agent works with --vantage-pin and with --vantage-ca (issue 13)', async (t) => {
  const vantage = new URL('../fixtures/vantage/', import.meta.url);
  const { engine, targets } = recordingEngine();
  const token = 'token-'.padEnd(40, 'x');
  const agent = await buildAgent({ token, engine: () => Promise.resolve(engine), https: { cert: await readFile(new URL('agent.crt', vantage)), key: await readFile(new URL('agent.key', vantage)) } });
  await agent.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => agent.close());
  const url = `https://127.0.0.1:${(agent.server.address() as AddressInfo).port}`;
  const base = ['scan', '--gateway', igd.url, '--vantage', url, '--vantage-token', token, '--format', 'json', '--fail-on', 'none'];
  for (const trust of [['--vantage-pin', 'sha256/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0='], ['--vantage-ca', fileURLToPath(new URL('agent.crt', vantage))]]) {
    const io = collect();
    const out = capture();
    const code = await main([...base, ...trust], { stdout: out.stream, stderr: io.stderr });
    t.equal(code, 0, `${trust[0]}: ${io.stderrText()}`);
    const report = JSON.parse(out.text()) as { wan: { vantage: string; address: string } };
    t.same([report.wan.vantage, report.wan.address], ['agent', '127.0.0.1'], `${trust[0]}: the outside view came from the agent`);
  }
  const io = collect();
  t.equal(await main([...base, '--vantage-pin', 'sha256/EgoKMWXHSObgmiK6M/orstpKIz5Dbz5X9fwGcKNBLj0='], io), 2, 'another pin: exit 2');
  t.match(io.stderrText(), /EXP_ERR_VANTAGE_TLS: The agent at https:\/\/127\.0\.0\.1:\d+ is not the pinned one: its key has the pin sha256\/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=/);
  t.same(targets, ['127.0.0.1', '127.0.0.1'], 'two scans, of the caller');
});

t.test('a mapping table too scattered for one port list asks the agent for every port, not a refused request', async (t) => {
  // 1,100 single ports two apart: the list would have 1,100 items and about 6,600 characters.
  const scattered = Array.from({ length: 1100 }, (_, index) => ({ protocol: 'TCP' as const, externalPort: 20000 + index * 2, internalClient: '127.0.0.1', internalPort: 1, description: 'x' }));
  const busyIgd = await startFakeIgd({ mappings: scattered });
  t.teardown(busyIgd.close);
  const bodies: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // The access probe's whoami calls come first; the scan request is what this is about.
      if (request.method === 'POST' && request.url === '/v1/scan') bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(503, { 'content-type': 'application/json' }).end(busy);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const report = await runScan(buildScanOptions({ gatewayUrl: busyIgd.url, vantageUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, vantageToken: 'token-'.padEnd(40, 'x'), timeoutSeconds: 30, maxMappings: 2000 }));
  t.equal(report.gateways[0]?.mappings.length, 1100);
  t.equal(bodies.length, 1, 'the agent was asked');
  t.equal((JSON.parse(bodies[0] ?? '{}') as { ports?: string }).ports, 'all', 'for every port, which holds every mapped one');
});
