// The IPv6 outside view against the real agent (i16-agent) on ::1: what it scans, what it refuses, and the
// skipped / failed states that keep an empty IPv6 view from reading as "nothing found".
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { buildAgent } from '../../src/server/agent/app.js';
import { connectEngine } from '../../src/net/portscan/connect.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation, ObservationKinds } from '../../src/core/observation.js';
import type { ProbeContext } from '../../src/core/probe.js';
import { Scope } from '../../src/core/scope.js';
import { createWan6ScanProbe, ipv6Targets, MAX_TARGETS } from '../../probes/wan6-scan/index.js';
import { ipv6AgentUrl } from '../../probes/wan6-scan/agent-url.js';
import { ipv6Coverage } from '../../src/rules/ipv6.js';
import { countingListener } from '../support/agent-client.js';
import { scanOptionsFromRequest } from '../../src/server/api/scan-request.js';
import { parseScanArgs } from '../../src/cli/scan-args.js';

const TOKEN = 's'.repeat(43);
const at = '2026-01-01T00:00:00.000Z';
type Scan = ObservationKinds['ipv6-scan'];

async function agent(t: Test, host: string): Promise<number> {
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(connectEngine), limits: { rateLimitMax: 100 } });
  await app.listen({ host, port: 0 });
  t.teardown(() => app.close());
  return (app.server.address() as AddressInfo).port;
}

const address = (text: string, thisHost = false): Observation => ({
  probe: 'ipv6-lan',
  kind: 'ipv6-address',
  subject: text,
  at,
  data: { address: text, prefix: '::/64', sources: [thisHost ? 'interface' : 'neighbour'], thisHost, temporary: null, router: false },
});

function context(options: Partial<ScanOptions>, observations: Observation[]): ProbeContext {
  return {
    options: { ...DEFAULT_SCAN_OPTIONS, timeoutSeconds: 20, vantageToken: TOKEN, ...options },
    scope: new Scope([{ interface: 'lo', address: '127.0.0.1', cidr: '127.0.0.0/8' }]),
    observations,
    deadline: Date.now() + 20_000,
    signal: new AbortController().signal,
    progress: () => undefined,
    publish: () => undefined,
  };
}

const noLookup = { lookup: () => Promise.reject(new Error('no resolver in this test')) };

async function run(options: Partial<ScanOptions>, observations: Observation[], lookup = noLookup): Promise<Scan> {
  const [observation] = await createWan6ScanProbe(lookup).run(context(options, observations));
  if (observation?.kind !== 'ipv6-scan') throw new Error('no ipv6-scan observation');
  return observation.data;
}

t.test('the real agent over ::1 scans the caller and refuses what is outside its /64', async (t) => {
  const listener = await countingListener(t, '::1', 0);
  if (!listener) throw new Error('no listener on ::1');
  const port = await agent(t, '::1');
  // ::1 stands for this host's global address here: loopback is the only IPv6 this test may touch.
  const scan = await run({ vantage6Url: `http://[::1]:${port}`, ports: String(listener.port) }, [address('::1', true), address('2001:db8:1:2::20')]);
  t.match(scan, { status: 'scanned', requested: true, callerAddress: '::1', prefix: '::/64', agentUrl: `http://[::1]:${port}`, engine: 'connect', targets: ['::1', '2001:db8:1:2::20'] });
  t.same(scan.hosts.map((host) => [host.address, host.open.map((entry) => entry.port)]), [['::1', [listener.port]]]);
  t.equal(listener.connections(), 1, 'the open port was really connected to, once');
  t.match(scan.refused, [{ address: '2001:db8:1:2::20', reason: /documentation|outside the caller's prefix/ }]);
  t.ok(scan.portsAsked >= 1, 'the port set plus the NAS admin ports');
  const coverage = ipv6Coverage([{ probe: 'wan6-scan', kind: 'ipv6-scan', subject: 'wan6', at, data: scan }]);
  t.match(coverage, { status: 'partial', requested: true, vantage: 'agent', reason: { code: 'EXP_ERR_IPV6_VANTAGE', message: /did not scan 1 of 2/ } });
});

t.test('an agent reached over IPv4 cannot scan IPv6: failed, with the reason, not "nothing found"', async (t) => {
  const port = await agent(t, '127.0.0.1');
  const scan = await run({ vantage6Url: `http://127.0.0.1:${port}`, ports: '9' }, [address('::1', true)]);
  t.match(scan, { status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason: /needs an IPv6 connection/ });
  t.match(ipv6Coverage([{ probe: 'wan6-scan', kind: 'ipv6-scan', subject: 'wan6', at, data: scan }]), { status: 'failed', requested: true });
});

t.test('an agent that does not answer over IPv6: failed', async (t) => {
  // A port that was free a moment ago: nobody listens on it.
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const nobody = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const scan = await run({ vantage6Url: `http://[::1]:${nobody}`, ports: '9' }, [address('::1', true)]);
  t.match(scan, { status: 'failed', code: 'EXP_ERR_IPV6_VANTAGE', reason: /Cannot reach the agent/ });
});

t.test('skipped: no global address, no IPv6 agent, --no-wan', async (t) => {
  t.match(await run({ vantage6Url: 'http://[::1]:9' }, []), { status: 'skipped', requested: false, code: 'EXP_ERR_IPV6_NO_GLOBAL', reason: 'this network has no global IPv6: nothing to reach over IPv6' });
  t.match(await run({ vantageUrl: 'http://192.0.2.7:7447' }, [address('2400:4050::1')]), { status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason: /--vantage6/, targets: ['2400:4050::1'] }, 'an IPv4-only agent: the IPv6 half of the asked outside view failed');
  t.match(await run({}, [address('2400:4050::1')]), { status: 'skipped', requested: false, reason: /no vantage agent was named/ });
  t.match(await run({ wan: false }, [address('2400:4050::1')]), { status: 'skipped', code: 'EXP_ERR_WAN_SKIPPED' });
});

t.test('it runs when an outside view was asked for, or when global addresses went unchecked', async (t) => {
  const probe = createWan6ScanProbe(noLookup);
  t.notOk(probe.appliesTo(context({}, [])), 'no agent, no global address: nothing to say');
  t.ok(probe.appliesTo(context({}, [address('2400:4050::1')])));
  t.ok(probe.appliesTo(context({ vantageUrl: 'http://192.0.2.7:7447' }, [])), '"no global IPv6" is said when an outside view was asked');
  t.notOk(probe.appliesTo(context({ wan: false }, [address('2400:4050::1')])));
});

t.test('the agent URL over IPv6: --vantage6, an IPv6 literal, a name with an IPv6 address', async (t) => {
  const signal = new AbortController().signal;
  const lookup = (answers: Record<string, string[]>) => (name: string) => Promise.resolve(answers[name] ?? []);
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://192.0.2.7:7447', vantage6Url: 'https://[2001:db8::7]:7447' }, lookup({}), signal), 'https://[2001:db8::7]:7447');
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://[2001:db8::7]:7447' }, lookup({}), signal), 'https://[2001:db8::7]:7447');
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://192.0.2.7:7447' }, lookup({}), signal), undefined);
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://vps.example.net:7447' }, lookup({ 'vps.example.net': ['2001:db8::7'] }), signal), 'https://vps.example.net:7447');
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://v4only.example.net:7447' }, lookup({}), signal), undefined);
  t.equal(await ipv6AgentUrl({ vantageUrl: 'https://broken.example.net:7447' }, () => Promise.reject(new Error('ENOTFOUND')), signal), undefined);
  t.equal(await ipv6AgentUrl({}, lookup({}), signal), undefined);
});

t.test('at most 64 targets, in the inventory\'s order', async (t) => {
  const many = Array.from({ length: 100 }, (_, index) => address(`2400:4050::${(index + 1).toString(16)}`));
  const targets = ipv6Targets(context({}, many));
  t.equal(targets.length, MAX_TARGETS);
  t.equal(targets[0], '2400:4050::1');
});

t.test('the API: a scan with the server\'s agent gets its IPv6 URL too (exposure serve --vantage6)', async (t) => {
  const server = { url: 'https://192.0.2.7:7447', url6: 'https://[2001:db8::7]:7447', token: TOKEN };
  t.match(scanOptionsFromRequest({ vantage: true }, server), { vantageUrl: server.url, vantage6Url: server.url6 });
  t.notOk('vantage6Url' in scanOptionsFromRequest({ vantage: false }, server), 'no agent asked, neither over IPv6');
  t.notOk('vantage6Url' in scanOptionsFromRequest({ vantage: true }, { url: server.url, token: TOKEN }));
});

t.test('--vantage6 on the command line: the same token, checked before any scan work', async (t) => {
  const token = ['--vantage-token', TOKEN];
  t.equal(parseScanArgs(['--vantage6', 'https://[2001:db8::7]:7447', ...token]).scan.vantage6Url, 'https://[2001:db8::7]:7447');
  t.match(parseScanArgs(['--vantage', 'https://192.0.2.7:7447', '--vantage6', 'https://[2001:db8::7]:7447', ...token]).scan, { vantageUrl: 'https://192.0.2.7:7447', vantage6Url: 'https://[2001:db8::7]:7447', vantageToken: TOKEN });
  const previous = process.env['EXPOSURE_VANTAGE_TOKEN'];
  delete process.env['EXPOSURE_VANTAGE_TOKEN'];
  t.teardown(() => {
    if (previous !== undefined) process.env['EXPOSURE_VANTAGE_TOKEN'] = previous;
  });
  const refused: Array<[string[], RegExp]> = [
    [['--vantage6', 'https://[2001:db8::7]:7447'], /needs the agent token/],
    [['--vantage6', 'https://[2001:db8::7]:7447', '--no-wan', ...token], /contradict/],
    [['--vantage6', 'not a url', ...token], /is not a URL/],
    [['--vantage6', 'ftp://[2001:db8::7]/', ...token], /https: \(or http:\)/],
  ];
  for (const [argv, message] of refused) t.throws(() => parseScanArgs(argv), { code: 'EXP_ERR_USAGE', message }, argv.join(' '));
});

t.test('many ports: only the first addresses are asked, within the agent\'s work bound; the rest are listed', async (t) => {
  const bodies: Array<{ ipv6Targets?: string[]; ports?: string }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as { ipv6Targets?: string[] });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ address: '::1', engine: 'connect', startedAt: at, durationMs: 1, portSpec: '1-40000', ports: [], warnings: [], hosts: [{ address: '::1', ports: [] }], hostsRefused: [], scope: { portsAsked: 40000, portsInScope: 40000, ipv6Prefix: '::/64' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const scan = await run({ vantage6Url: `http://[::1]:${port}`, ports: '1-40000' }, [address('::1', true), address('2400:4050::20'), address('2400:4050::30')]);
  t.same(bodies.map((body) => body.ipv6Targets), [['::1']], 'one address: 40,000 ports each, at most 65,535 in all');
  t.match(scan, { status: 'scanned', targets: ['::1', '2400:4050::20', '2400:4050::30'] });
  t.match(scan.refused, [{ address: '2400:4050::20', reason: /not asked: .*--ports/ }, { address: '2400:4050::30' }]);
});

t.test('a bad --vantage6 URL is reported under its own name', async (t) => {
  const { parseScanArgs } = await import('../../src/cli/scan-args.js');
  t.throws(() => parseScanArgs(['--vantage6', 'not a url', '--vantage-token', 'x']), { code: 'EXP_ERR_USAGE', message: /^--vantage6 not a url is not a URL/ });
  t.throws(() => parseScanArgs(['--vantage6', 'ftp://[2001:db8::7]:7447', '--vantage-token', 'x']), { code: 'EXP_ERR_USAGE', message: /^--vantage6 must be an https: \(or http:\) URL/ });
});
