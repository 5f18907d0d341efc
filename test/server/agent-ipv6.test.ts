// The agent over IPv6: a caller is scanned at its own address, and may name other addresses only inside its own
// /64 (or the /56 its operator allows); anything else is refused, listed with the reason, and never contacted.
// The caller here is ::1, whose /64 holds no global address: the engine's recorded targets prove that ::2,
// 2001:db8::1 and the rest were never handed to it; a real listener on ::1 proves the caller itself was scanned.
// The prefix rules themselves are checked on documentation addresses, with no socket at all.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { buildAgent, type AgentOptions } from '../../src/server/agent/app.js';
import { connectEngine } from '../../src/net/portscan/connect.js';
import type { PortScanEngine } from '../../src/net/portscan/types.js';
import { decideIpv6Targets, notGlobalReason } from '../../src/server/agent/ipv6-scope.js';
import { planScan } from '../../src/server/agent/scan-plan.js';
import { ipv6Value } from '../../src/net/portscan/ipv6.js';
import { recordingEngine } from '../support/recording-engine.js';
import { startFakeQnap } from '../support/fake-qnap.js';
import { requestVantageScan } from '../../src/net/vantage-client.js';
import { countingListener, request } from '../support/agent-client.js';

const TOKEN = 's'.repeat(43);

async function agent(t: Test, host: string, engine: PortScanEngine, options: Partial<AgentOptions> = {}): Promise<number> {
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine), limits: { rateLimitMax: 100 }, ...options });
  await app.listen({ host, port: 0 });
  t.teardown(() => app.close());
  return (app.server.address() as AddressInfo).port;
}

type Hosts = Array<{ address: string; ports: Array<{ port: number; state: string }> }>;
type Refused = Array<{ address: string; reason: string }>;

t.test('targets outside the caller\'s /64 or not global are refused with the reason, and never scanned', async (t) => {
  const recording = recordingEngine();
  const port = await agent(t, '::1', recording.engine);
  const targets = ['::1', '::2', '2001:db8::1', 'fe80::1', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '2400:4050::1', '0:0:0:0:0:0:0:1', '1.2.3.4'];
  const answer = await request(port, { token: TOKEN, host: '::1', body: { ports: '22,80', ipv6Targets: targets } });
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.same(recording.targets, ['::1'], 'the engine was handed the caller\'s own address, once, and nothing else');
  t.same((answer.body['hosts'] as Hosts).map((host) => host.address), ['::1']);
  const refused = Object.fromEntries((answer.body['hostsRefused'] as Refused).map((entry) => [entry.address, entry.reason]));
  t.same(Object.keys(refused).sort(), ['1.2.3.4', '2001:db8::1', '2400:4050::1', '::2', '::ffff:7f00:1', 'fd00::1', 'fe80::1', 'ff02::1'].sort());
  t.match(refused['::2'], /outside the caller's prefix ::\/64|not a global unicast/);
  t.match(refused['2001:db8::1'], /documentation/);
  t.match(refused['2400:4050::1'], /outside the caller's prefix ::\/64/);
  t.match(refused['fe80::1'], /link-local/);
  t.match(refused['fd00::1'], /unique local/);
  t.match(refused['ff02::1'], /multicast/);
  t.match(refused['::ffff:7f00:1'], /IPv4-mapped/);
  t.match(refused['1.2.3.4'], /not an IPv6 address/);
  t.match(answer.body['scope'], { portsAsked: 2, portsInScope: 2, ipv6Prefix: '::/64' });
  t.same(answer.body['ports'], [], 'per-target results are in hosts');
});

t.test('an IPv6 caller is really scanned, at its own address: a listener on ::1 sees the connection', async (t) => {
  const listener = await countingListener(t, '::1', 0);
  if (!listener) throw new Error('no listener on ::1');
  const port = await agent(t, '::1', connectEngine);
  const plain = await request(port, { token: TOKEN, host: '::1', body: { ports: String(listener.port) } });
  t.equal(plain.status, 200, JSON.stringify(plain.body));
  t.equal(plain.body['address'], '::1');
  t.same(plain.body['ports'], [{ port: listener.port, protocol: 'TCP', state: 'open' }], 'no UDP checks over IPv6, even by default');
  t.equal(listener.connections(), 1);
  const named = await request(port, { token: TOKEN, host: '::1', body: { ports: String(listener.port), ipv6Targets: ['::1', '2001:db8::1'], udp: true } });
  t.same((named.body['hosts'] as Hosts)[0], { address: '::1', ports: [{ port: listener.port, protocol: 'TCP', state: 'open' }] });
  t.match(named.body['warnings'], [/UDP and IGD checks are IPv4 router checks/]);
  t.equal(listener.connections(), 2);
});

t.test('the fingerprints run on IPv6 targets: a NAS UI over IPv6 is recognised, per host', async (t) => {
  const qnap = await startFakeQnap({ host: '::1', tls: 'qnap-default', firmware: { version: '5.1.1', number: '2491', build: '20230815' } });
  t.teardown(() => qnap.close());
  const port = await agent(t, '::1', connectEngine);
  const answer = await requestVantageScan(`http://[::1]:${port}`, TOKEN, { ports: String(qnap.port), ipv6Targets: ['::1'], fingerprint: true }, { signal: new AbortController().signal, timeoutMs: 20_000 });
  const host = answer.hosts?.[0];
  t.equal(host?.address, '::1');
  t.same(host?.ports.map((entry) => entry.state), ['open']);
  t.equal(host?.fingerprint?.device?.firmware?.full, '5.1.1.2491 build 20230815', 'read over https://[::1]');
  t.same(host?.fingerprint?.services.map((service) => service.scheme), ['https']);
  t.ok(qnap.requests.length > 0 && qnap.requests.every((request) => !request.headers.authorization), 'asked, and without credentials');
});

t.test('what an IPv6 or IPv4 request may not carry: 400 before any work', async (t) => {
  const recording = recordingEngine();
  const six = await agent(t, '::1', recording.engine);
  const four = await agent(t, '127.0.0.1', recording.engine);
  const cases: Array<[number, string, unknown, RegExp]> = [
    [four, '127.0.0.1', { ports: '80', ipv6Targets: ['::1'] }, /needs an IPv6 connection/],
    [six, '::1', { ports: '80', portSet: { psidOffset: 4, psidLength: 8, psid: 1 } }, /portSet is for a shared IPv4 address/],
    [six, '::1', { ports: '80', ipv6Targets: Array.from({ length: 1000 }, (_, index) => `2001:db8::${index.toString(16)}`) }, /must NOT have more than 64 items/],
    [six, '::1', { ports: '80', ipv6Targets: [] }, /must NOT have fewer than 1 items/],
    [six, '::1', { ports: '80', ipv6Targets: ['::1', '::1'] }, /duplicate items/],
    [six, '::1', { ports: '80', ipv6Targets: ['example.com'] }, /must match pattern/],
    [six, '::1', { ports: '80', ipv6Targets: ['fe80::1%lo'] }, /must match pattern/],
    [six, '::1', { ports: '80', ipv6Targets: ['::1/64'] }, /must match pattern/],
    [six, '::1', { ports: '80', ipv6Targets: [`${'1:'.repeat(30)}1`] }, /must NOT have more than 45 characters/],
    [six, '::1', { ports: '80', ipv6Targets: '::1' }, /must be array/],
    [six, '::1', { ports: '80', ipv6Targets: [{ address: '::1' }] }, /must be string/],
  ];
  for (const [port, host, body, message] of cases) {
    const answer = await request(port, { token: TOKEN, host, body });
    t.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
    t.equal(answer.body.error?.code, 'EXP_ERR_AGENT_BAD_REQUEST');
    t.match(answer.body.error?.message, message);
  }
  t.same(recording.targets, [], 'the engine was never asked to scan anything');
});

const DOCS = { prefixLength: 64 as const, allowDocumentationPrefixes: true };

t.test('the /64 and, when the operator allows it, the /56', async (t) => {
  const caller = '2001:db8:1:2::10';
  const targets = ['2001:db8:1:2::20', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:3::1', '2001:db8:1:ff::1', '2001:db8:1:100::1', '2001:db8:2::1', '2001:DB8:1:2:0:0:0:10'];
  const narrow = decideIpv6Targets(caller, targets, DOCS);
  t.same(narrow.allowed, ['2001:db8:1:2::20', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::10']);
  t.equal(narrow.prefix, '2001:db8:1:2::/64');
  t.same(narrow.refused.map((entry) => entry.address), ['2001:db8:1:3::1', '2001:db8:1:ff::1', '2001:db8:1:100::1', '2001:db8:2::1']);
  t.ok(narrow.refused.every((entry) => entry.reason === "outside the caller's prefix 2001:db8:1:2::/64"));
  const wide = decideIpv6Targets(caller, targets, { ...DOCS, prefixLength: 56 });
  t.equal(wide.prefix, '2001:db8:1::/56');
  t.same(wide.allowed, ['2001:db8:1:2::20', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:3::1', '2001:db8:1:ff::1', '2001:db8:1:2::10']);
  t.same(wide.refused.map((entry) => entry.address), ['2001:db8:1:100::1', '2001:db8:2::1'], 'the next /56 and beyond stay out');
});

t.test('documentation prefixes only where the lab allows them; special ranges never', async (t) => {
  const caller = '2001:db8:1:2::10';
  const strict = decideIpv6Targets(caller, ['2001:db8:1:2::20', caller], { prefixLength: 64, allowDocumentationPrefixes: false });
  t.same(strict.allowed, [caller], 'the caller\'s own address is always its own');
  t.match(strict.refused, [{ address: '2001:db8:1:2::20', reason: /documentation address \(2001:db8::\/32\)/ }]);
  const global = (text: string): string | undefined => notGlobalReason(ipv6Value(text) ?? 0n, false);
  t.equal(global('2400:4050:1:200::5'), undefined, 'a Japanese IPoE address is global');
  t.equal(global('2001:4860::1'), undefined);
  t.match(global('3fff::1'), /documentation/);
  t.match(global('2001::1'), /Teredo/);
  t.match(global('2002:c000:204::1'), /6to4/);
  t.match(global('::'), /unspecified/);
  t.match(global('64:ff9b::1'), /not a global unicast/);
  t.match(global('4000::1'), /not a global unicast/);
});

t.test('the total work (targets x ports) is bounded by --max-ports', async (t) => {
  const targets = Array.from({ length: 64 }, (_, index) => `2001:db8:1:2::${(index + 1).toString(16)}`);
  const context = { caller: { address: '2001:db8:1:2::1', family: 6 as const }, seenPorts: [], maxPorts: 65_535, ipv6: DOCS };
  const ask = (ports: string, count = 64): ReturnType<typeof planScan> => planScan({ ...context, request: { ports, ipv6Targets: targets.slice(0, count) as [string, ...string[]] } });
  t.match(ask('1-1000'), { refused: false, targets: { length: 64 }, ports: { length: 1000 } }, '64 targets x 1,000 ports: 64,000 probes');
  t.match(ask('1-1024'), { refused: true, status: 413, code: 'EXP_ERR_AGENT_TOO_LARGE', message: /64 targets x 1024 ports is 65536/ });
  t.match(ask('all', 2), { refused: true, status: 413 }, 'two targets in full: twice the limit');
  t.match(ask('all', 1), { refused: false }, 'one target in full: the limit');
  t.match(planScan({ ...context, maxPorts: 100, request: { ports: 'all' } }), { refused: true, status: 413 }, 'the caller alone, as for IPv4');
});

t.test('an answer with hosts is kept within the budget like one without: banners go first, every state stays', async (t) => {
  const { fitAnswer } = await import('../../src/server/agent/fit-answer.js');
  const ports = Array.from({ length: 1000 }, (_, index) => ({ port: index + 1, protocol: 'TCP' as const, state: 'open' as const, banner: 'x'.repeat(1000) }));
  const answer = { address: '::1', engine: 'connect' as const, startedAt: '', durationMs: 0, portSpec: '1-1000', ports: [], warnings: [], hosts: [{ address: '::1', ports }, { address: '::2', ports }] };
  const fitted = fitAnswer(answer, 200_000);
  t.equal(fitted.hosts?.length, 2);
  t.ok(fitted.hosts?.every((host) => host.ports.length === 1000 && host.ports.every((port) => port.banner === undefined && port.state === 'open')));
  t.match(fitted.warnings, [/TCP banners were left out/]);
  t.ok(Buffer.byteLength(JSON.stringify(fitted)) <= 200_000);
  t.equal(fitAnswer(answer, 10_000_000), answer, 'an answer within the budget is left alone');
});

t.test('the operator\'s /56 reaches the agent; the CLI takes 64 or 56 and nothing else', async (t) => {
  const recording = recordingEngine();
  const port = await agent(t, '::1', recording.engine, { ipv6: { prefixLength: 56 } });
  const answer = await request(port, { token: TOKEN, host: '::1', body: { ports: '80', ipv6Targets: ['::1', '::100:0:0:0:1'] } });
  t.match(answer.body['scope'], { ipv6Prefix: '::/56' });
  t.match(answer.body['hostsRefused'], [{ address: '::100:0:0:0:1', reason: /not a global unicast/ }], 'inside the /56, still not global');
  const { agentCommand } = await import('../../src/cli/agent.js');
  const { capture } = await import('../support/cli.js');
  for (const scope of ['48', '64x', '']) {
    await t.rejects(agentCommand(['--ipv6-scope', scope, '--engine', 'connect'], { stdout: capture().stream, stderr: capture().stream }, new AbortController().signal), { code: 'EXP_ERR_USAGE', message: /--ipv6-scope must be 64/ }, scope);
  }
});
