import t from 'tap';
import { Writable } from 'node:stream';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { validateReport } from '../../src/report/validate.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { startFakeIgd } from '../support/fake-igd.js';

function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, callback) { chunks.push(chunk.toString()); callback(); } });
  return { stream, text: () => chunks.join('') };
}

/**
 * Every scan in this file names a loopback gateway and runs with --no-wan, so nothing is ever sent beyond
 * 127.0.0.1 (the fake IGD reports a public-looking external address, which must never be scanned from here).
 */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const gateway = args.indexOf('--gateway');
  if (args[0] === 'scan' && !args.includes('--help')) {
    if (gateway < 0 || !args[gateway + 1]?.startsWith('http://127.')) throw new Error('unit tests must only scan loopback');
    if (!args.includes('--no-wan')) args = [...args, '--no-wan'];
  }
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

t.test('help and version', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /exposure scan/);
  const scanHelp = await run(['scan', '--help']);
  t.equal(scanHelp.code, 0);
  for (const option of ['--format', '--output', '--gateway', '--interface', '--timeout', '--fail-on', '--no-wan', '--discovery-window', '--max-mappings', '--vantage', '--vantage-token', '--ports', '--engine', '--service-detection', '--syn-scan']) t.match(scanHelp.stdout, option);
  const agentHelp = await run(['agent', '--help']);
  t.equal(agentHelp.code, 0);
  for (const option of ['--listen', '--token-file', '--tls-cert', '--engine', '--syn-scan', '--max-ports', '--max-duration', '--max-concurrent', '--rate-limit']) t.match(agentHelp.stdout, option);
  t.match((await run(['--version'])).stdout, /^\d+\.\d+\.\d+\n$/);
  t.equal((await run([])).code, 2, 'no command is a usage error');
});

t.test('usage errors exit 2 with a code and a hint', async (t) => {
  for (const args of [['scan', '--format', 'xml', '--gateway', 'http://127.0.0.1:1/'], ['scan', '--timeout', 'soon', '--gateway', 'http://127.0.0.1:1/'], ['scan', '--fail-on', 'urgent', '--gateway', 'http://127.0.0.1:1/'], ['scan', '--bogus', '--gateway', 'http://127.0.0.1:1/']]) {
    const result = await run(args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, /EXP_ERR_USAGE/);
    t.match(result.stderr, /--help/);
  }
  const gateway = ['--gateway', 'http://127.0.0.1:1/'];
  for (const [args, pattern] of [
    [['scan', ...gateway, '--engine', 'masscan'], /--engine/],
    [['scan', ...gateway, '--ports', '80;id'], /not a port/],
    [['scan', ...gateway, '--vantage', 'https://agent.example:7447'], /token/],
    [['scan', ...gateway, '--vantage', 'ftp://agent.example', '--vantage-token', 'x'], /https/],
    [['agent', '--listen', 'everywhere'], /--listen/],
  ] as const) {
    const result = await run([...args]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, pattern);
  }
  const unknown = await run(['explode']);
  t.equal(unknown.code, 2);
});

t.test('a gateway off the local networks is refused', async (t) => {
  const out = capture();
  const err = capture();
  const code = await main(['scan', '--no-wan', '--gateway', 'http://198.51.100.7/rootDesc.xml'], { stdout: out.stream, stderr: err.stream });
  t.equal(code, 2);
  t.match(err.text(), /EXP_ERR_URL_NOT_ALLOWED/);
  const named = capture();
  t.equal(await main(['scan', '--no-wan', '--gateway', 'http://router.example/rootDesc.xml'], { stdout: capture().stream, stderr: named.stream }), 2, 'names are refused (DNS could point anywhere)');
});

t.test('scan --format json against a loopback IGD: a valid report with every mapping', async (t) => {
  const igd = await startFakeIgd({
    mappings: [
      { protocol: 'TCP', externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP QTS', leaseDuration: 0 },
      { protocol: 'UDP', externalPort: 3074, internalClient: '10.0.0.7', internalPort: 3074, description: 'Xbox', leaseDuration: 3600 },
      { protocol: 'TCP', externalPort: 4444, internalClient: '10.0.0.8', internalPort: 4444, description: '\u001b]0;pwned\u0007<script>alert(1)</script>' },
    ],
  });
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--format', 'json', '--fail-on', 'none']);
  t.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ExposureReport;
  t.doesNotThrow(() => validateReport(report));
  t.equal(report.discovery.method, 'gateway-url');
  t.equal(report.gateways.length, 1);
  const [gateway] = report.gateways;
  t.equal(gateway?.igdVersion, 2);
  t.equal(gateway?.externalIp, '11.22.33.44');
  t.equal(gateway?.externalIpClass, 'public');
  t.equal(gateway?.connectionStatus, 'Connected');
  t.equal(gateway?.uptimeSeconds, 3725);
  t.same(gateway?.firewall, { enabled: true, inboundPinholeAllowed: true });
  t.equal(gateway?.mappings.length, 3);
  t.equal(gateway?.mappings.find((m) => m.externalPort === 4444)?.description, '\u001b]0;pwned\u0007<script>alert(1)</script>');
  const rules = new Set(report.findings.map((f) => f.rule));
  for (const rule of ['upnp-igd-enabled', 'upnp-mapping', 'upnp-description-markup']) t.ok(rules.has(rule), rule);
  // Router-scoped ids carry the router's UDN token (README "Finding ids"); found here by rule and door.
  const admin = report.findings.find((f) => f.rule === 'upnp-mapping' && f.exposure === 'tcp-8080');
  t.match(admin?.id, /^upnp-mapping-udn-[0-9a-f]{8}-tcp-8080$/);
  t.equal(admin?.severity, 'critical', 'admin port + permanent lease');
  t.equal(report.findings.find((f) => f.rule === 'upnp-mapping' && f.exposure === 'udp-3074')?.severity, 'low');
  t.equal(report.summary.highestSeverity, 'critical');
  t.equal(report.summary.mappings, 3);
  t.equal(report.natPmp.present, false);
});

t.test('text output strips control characters from network strings', async (t) => {
  const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 4444, internalClient: '10.0.0.8', internalPort: 4444, description: '\u001b[2J\u001b]0;pwned\u0007evil\u202eexe.txt' }] });
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--fail-on', 'none']);
  t.equal(result.code, 0);
  t.notOk(result.stdout.includes('\u001b'), 'no escape character reaches the terminal');
  t.notOk(result.stdout.includes('\u0007') || result.stdout.includes('\u202e'));
  t.match(result.stdout, /\\x1b\[2J\\x1b\]0;pwned\\x07evil\\u202eexe\.txt/, 'shown visibly instead');
  t.match(result.stdout, /Fake Router/);
  t.match(result.stdout, /External IP\s+11\.22\.33\.44 \(public\)/);
  t.match(result.stdout, /TCP\s+4444\s+10\.0\.0\.8:4444/);
});

t.test('exit codes follow --fail-on', async (t) => {
  const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 22, internalClient: '10.0.0.5', internalPort: 22, description: 'ssh', leaseDuration: 600 }] });
  t.teardown(igd.close);
  t.equal((await run(['scan', '--gateway', igd.url, '--format', 'json'])).code, 1, 'high finding, default --fail-on high');
  t.equal((await run(['scan', '--gateway', igd.url, '--format', 'json', '--fail-on', 'critical'])).code, 0);
  t.equal((await run(['scan', '--gateway', igd.url, '--format', 'json', '--fail-on', 'none'])).code, 0);
});

t.test('--output writes the report to a file, nothing on stdout', async (t) => {
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-'));
  const file = path.join(dir, 'report.json');
  const result = await run(['scan', '--gateway', igd.url, '--format', 'json', '--output', file]);
  t.equal(result.code, 0);
  t.equal(result.stdout, '');
  const report = JSON.parse(await readFile(file, 'utf8')) as unknown;
  t.doesNotThrow(() => validateReport(report));
  t.equal((await stat(file)).mode & 0o777, 0o600, 'reports describe the network: owner-only');
  const bad = await run(['scan', '--gateway', igd.url, '--output', path.join(dir, 'missing', 'x.json')]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /EXP_ERR_OUTPUT/);
});

t.test('an unreachable gateway is a failed inside view: exit 3, never "nothing found"', async (t) => {
  const igd = await startFakeIgd();
  const url = igd.url;
  await igd.close();
  const result = await run(['scan', '--gateway', url, '--format', 'json', '--no-wan']);
  t.equal(result.code, 3, 'incomplete');
  t.match(result.stderr, /the inside view failed: EXP_ERR_HTTP_NETWORK/);
  const report = JSON.parse(result.stdout) as ExposureReport;
  t.equal(report.gateways.length, 0);
  t.equal(report.warnings[0]?.code, 'EXP_ERR_HTTP_NETWORK');
  t.ok(report.findings.some((f) => f.id === 'upnp-igd-not-found'));
  t.equal(report.coverage.inside.status, 'failed');
  t.equal(report.coverage.inside.reason?.code, 'EXP_ERR_HTTP_NETWORK');
  t.equal(report.coverage.complete, false);
  t.notMatch(report.summary.headline, /nothing found/i);
  t.match(report.summary.headline, /^Incomplete scan: the inside view failed/);

  const text = await run(['scan', '--gateway', url, '--no-wan', '--no-color']);
  t.equal(text.code, 3);
  t.match(text.stdout, /^INCOMPLETE SCAN: /m, 'the banner');
  t.match(text.stdout, /Inside view \(the router's own tables\): FAILED \(EXP_ERR_HTTP_NETWORK\)/);
  t.notMatch(text.stdout, /0\/100/, 'no reassuring score');
  t.match(text.stdout, /Risk score {2}not given \(the inside view failed\)/);
  t.ok(text.stdout.indexOf('INCOMPLETE SCAN') < text.stdout.indexOf('Verdict'), 'the banner comes first');

  const failOn = await run(['scan', '--gateway', url, '--no-wan', '--format', 'json', '--fail-on', 'info']);
  t.equal(failOn.code, 1, 'a finding at --fail-on still wins over incomplete');
});

t.test('a description with control URLs on another host: those services are never called', async (t) => {
  const igd = await startFakeIgd({ foreignControlHost: '127.0.0.2' });
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--format', 'json', '--fail-on', 'none']);
  const report = JSON.parse(result.stdout) as ExposureReport;
  t.equal(igd.actions.length, 0, 'no SOAP request reached anyone');
  t.ok((report.gateways[0]?.rejectedUrls?.length ?? 0) >= 2);
  t.ok(report.findings.some((f) => f.rule === 'upnp-control-url-foreign'));
});

t.test('--format markdown and html, to stdout and to a file', async (t) => {
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const markdown = await run(['scan', '--gateway', igd.url, '--format', 'markdown', '--fail-on', 'none']);
  t.equal(markdown.code, 0);
  t.match(markdown.stdout, /^# Exposure report, /);
  t.match(markdown.stdout, /^\*\*Verdict:\*\* /m);
  t.match(markdown.stdout, /^## Findings$/m);
  const dir = await mkdtemp(path.join(tmpdir(), 'exposure-'));
  const file = path.join(dir, 'report.html');
  const html = await run(['scan', '--gateway', igd.url, '--format', 'html', '--output', file, '--fail-on', 'none']);
  t.equal(html.code, 0);
  t.equal(html.stdout, '');
  const page = await readFile(file, 'utf8');
  t.match(page, /^<!DOCTYPE html>/);
  t.match(page, /Content-Security-Policy/);
  t.match(page, /<svg [^>]*class="diagram"/);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const bad = await run(['scan', '--gateway', igd.url, '--format', 'pdf']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /text, json, markdown, html/);
});
