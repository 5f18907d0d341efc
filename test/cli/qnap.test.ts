import t from 'tap';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { validateReport } from '../../src/report/validate.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { startFakeQnap, type FakeQnap } from '../support/fake-qnap.js';
import { startFakeDns } from '../support/fake-dns.js';
import { Scope } from '../../src/core/scope.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write(chunk: Buffer, _encoding, callback) { chunks.push(chunk.toString()); callback(); } }), text: () => chunks.join('') };
}

/** As in scan.test.ts: a loopback gateway and --no-wan, so nothing leaves 127.0.0.0/8; DNS only to the loopback fake. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; report: ExposureReport | undefined }> {
  const gateway = args.indexOf('--gateway');
  if (gateway < 0 || !args[gateway + 1]?.startsWith('http://127.')) throw new Error('unit tests must only scan loopback');
  if (args.includes('--myqnapcloud') && !args.includes('--dns-server')) throw new Error('unit tests resolve only through the loopback DNS fake');
  const out = capture();
  const err = capture();
  const code = await main([...args, '--no-wan'], { stdout: out.stream, stderr: err.stream });
  let report: ExposureReport | undefined;
  try {
    report = JSON.parse(out.text()) as ExposureReport;
  } catch {
    report = undefined;
  }
  return { code, stdout: out.text(), stderr: err.text(), report };
}

/** A loopback address of its own for each test, so a fake can sit on the real admin port 8080. */
function loopbackAddress(): string {
  return `127.${40 + (process.pid % 150)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
}

t.test('a mapping to a QNAP: the host, its firmware and the verdicts are in the report', async (t) => {
  const qnap = await startFakeQnap({ firmware: { version: '4.5.2', number: '1500', build: '20201201' }, flags: { stunnelPort: '0' } });
  t.teardown(() => qnap.close());
  const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '127.0.0.1', internalPort: qnap.port, description: 'libminiupnpc', leaseDuration: 0 }] });
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--format', 'json', '--fail-on', 'none']);
  t.equal(result.code, 0, result.stderr);
  const report = result.report!;
  t.doesNotThrow(() => validateReport(report));
  const host = report.hosts.find((candidate) => candidate.address === '127.0.0.1');
  t.ok(host);
  t.equal(host?.seenFrom, 'lan');
  t.same(host?.reasons, ['mapping']);
  t.equal(host?.device?.os, 'QTS');
  t.equal(host?.device?.firmware?.full, '4.5.2.1500 build 20201201');
  const verdict = host?.verdicts.find((candidate) => candidate.advisory === 'QSA-21-05');
  t.equal(verdict?.status, 'vulnerable');
  t.equal(verdict?.fixedVersion, '4.5.2.1566 build 20210202');
  t.ok(qnap.requests.length > 0);
});

t.test('--nas fingerprints a named address on the admin ports', async (t) => {
  const address = loopbackAddress();
  let qnap: FakeQnap;
  try {
    qnap = await startFakeQnap({ host: address, port: 8080, firmware: { version: 'h5.0.1', number: '2248', build: '20221215' }, flags: { stunnelPort: '0' } });
  } catch (error) {
    t.comment(`cannot bind ${address}:8080: ${(error as Error).message}`);
    t.pass("skipped: no free loopback 8080");
    return;
  }
  t.teardown(() => qnap.close());
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--nas', address, '--format', 'json', '--fail-on', 'none']);
  t.equal(result.code, 0, result.stderr);
  const host = result.report?.hosts.find((candidate) => candidate.address === address);
  t.same(host?.reasons, ['nas-option']);
  t.equal(host?.device?.os, 'QuTS hero');
  t.equal(host?.verdicts.find((candidate) => candidate.advisory === 'QSA-23-01')?.status, 'fixed');
  t.same(result.report?.options.nas, [address]);
});

t.test('--myqnapcloud through the loopback DNS server: the name matches the WAN address', async (t) => {
  const dns = await startFakeDns({ records: { 'mynas.myqnapcloud.com': ['11.22.33.44'], 'old.myqnapcloud.com': ['198.51.100.9'] } });
  t.teardown(() => dns.close());
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const result = await run(['scan', '--gateway', igd.url, '--myqnapcloud', 'mynas', '--myqnapcloud', 'old.myqnapcloud.com', '--myqnapcloud', 'gone', '--dns-server', dns.server, '--format', 'json', '--fail-on', 'none']);
  t.equal(result.code, 0, result.stderr);
  const section = result.report!.myqnapcloud;
  t.equal(section.checked, true);
  t.equal(section.resolver, dns.server);
  t.same(section.names.map((name) => [name.name, name.addresses, name.matchesWan]), [
    ['mynas.myqnapcloud.com', ['11.22.33.44'], true],
    ['old.myqnapcloud.com', ['198.51.100.9'], false],
    ['gone.myqnapcloud.com', [], false],
  ]);
  t.match(section.names[2]?.error, /EXP_ERR_DNS/);
  t.same(dns.questions.sort(), ['gone.myqnapcloud.com', 'mynas.myqnapcloud.com', 'old.myqnapcloud.com']);
  t.same(result.report?.options.myqnapcloud, ['mynas.myqnapcloud.com', 'old.myqnapcloud.com', 'gone.myqnapcloud.com']);
});

t.test('usage: --nas off the LAN or not an address, names outside QNAP DDNS, a bad --dns-server', async (t) => {
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const gateway = ['--gateway', igd.url];
  for (const [args, code] of [
    [['--nas', '198.51.100.20'], 'EXP_ERR_NAS_NOT_ALLOWED'],
    [['--nas', 'nas.local'], 'EXP_ERR_NAS_NOT_ALLOWED'],
    [['--nas', '::1'], 'EXP_ERR_NAS_NOT_ALLOWED'],
    [['--myqnapcloud', 'example.com', '--dns-server', '127.0.0.1:1'], 'EXP_ERR_MYQNAPCLOUD_NAME'],
    [['--myqnapcloud', 'mynas', '--dns-server', '127.0.0.1:99999'], 'EXP_ERR_USAGE'],
    [['--myqnapcloud', 'mynas', '--dns-server', 'resolver.example'], 'EXP_ERR_USAGE'],
  ] as const) {
    const result = await run(['scan', ...gateway, ...args]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, code, args.join(' '));
  }
  const help = capture();
  await main(['scan', '--help'], { stdout: help.stream, stderr: capture().stream });
  for (const option of ['--nas', '--myqnapcloud', '--dns-server']) t.match(help.text(), option);
});

t.test('scope: which mapping clients the probes may visit', async (t) => {
  const scope = new Scope([{ interface: 'eth0', address: '192.168.1.10', cidr: '192.168.1.0/24' }]);
  t.ok(scope.mappingClientAllowed('192.168.1.20', '192.168.1.1'));
  t.notOk(scope.mappingClientAllowed('192.168.2.20', '192.168.1.1'), 'another subnet');
  t.notOk(scope.mappingClientAllowed('8.8.8.8', '192.168.1.1'), 'UPnProxy-style public client');
  t.notOk(scope.mappingClientAllowed('127.0.0.1', '192.168.1.1'), 'this machine, named by a LAN router');
  t.ok(scope.mappingClientAllowed('127.0.0.1', '127.0.0.1'), 'a loopback rig');
  t.notOk(scope.mappingClientAllowed('192.168.1.20', '127.0.0.1'), 'a loopback rig never sends the probes onto the LAN');
  t.throws(() => scope.checkNasAddress('192.168.2.5'), { code: 'EXP_ERR_NAS_NOT_ALLOWED' });
  t.equal(scope.checkNasAddress('192.168.1.5'), '192.168.1.5');
});
