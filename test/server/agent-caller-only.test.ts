// The one property that keeps the agent from being an open scanner: it scans the address the TCP connection came
// from, and nothing a request says. Each test here fails for an agent that honours X-Forwarded-For, Forwarded
// (or X-Real-IP), a body field, that refuses or mis-scans an IPv4-mapped IPv6 peer or an IPv6 peer, or that scans 127.0.0.1
// when the connection came from another loopback address. The engine only records whom it was asked to scan
// (udp: false, no igd, no fingerprint), so even a mutant sends nothing anywhere.
import t, { type Test } from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAgent, type AgentOptions } from '../../src/server/agent/app.js';
import type { PortScanEngine } from '../../src/net/portscan/types.js';
import { recordingEngine } from '../support/recording-engine.js';

const TOKEN = 'c'.repeat(43);
const STRANGER = '203.0.113.9';

interface Agent {
  port: number;
  /** Whom the engine was asked to scan, in order. */
  targets: string[];
  /** The TCP peer of each request, as the socket had it. */
  peers: string[];
  lines: string[];
}

async function agent(t: Test, host = '127.0.0.1', options: Partial<AgentOptions> = {}, engine?: PortScanEngine): Promise<Agent> {
  const recording = recordingEngine();
  const lines: string[] = [];
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine ?? recording.engine), log: (line) => lines.push(line), ...options });
  const peers: string[] = [];
  app.addHook('onRequest', (request, _reply, done) => {
    peers.push(request.socket.remoteAddress ?? '');
    done();
  });
  await app.listen({ host, port: 0 });
  t.teardown(() => app.close());
  return { port: (app.server.address() as AddressInfo).port, targets: recording.targets, peers, lines };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { address?: string; error?: { code: string; message: string } };
}

/** One request over a real socket, from `localAddress`, with whatever headers and body a client likes. */
function post(port: number, body: unknown, options: { headers?: Record<string, string>; localAddress?: string; host?: string; path?: string } = {}): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method: 'POST',
        path: options.path ?? '/v1/scan',
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...options.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Answer['body'] }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const SCAN = { ports: '1-3', udp: false };

t.test('proxy headers are not trusted: X-Forwarded-For, Forwarded, X-Real-IP', async (t) => {
  const { port, targets } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 100 } });
  const spoofs: Array<Record<string, string>> = [
    { 'x-forwarded-for': STRANGER },
    { 'x-forwarded-for': `${STRANGER}, 127.0.0.1` },
    { forwarded: `for=${STRANGER}` },
    { forwarded: `for=${STRANGER};proto=https;by=127.0.0.1` },
    { 'x-real-ip': STRANGER },
    { 'x-forwarded-for': STRANGER, forwarded: `for=${STRANGER}`, 'x-real-ip': STRANGER, 'x-client-ip': STRANGER, 'true-client-ip': STRANGER },
  ];
  for (const headers of spoofs) {
    const answer = await post(port, SCAN, { headers });
    t.equal(answer.status, 200, JSON.stringify(headers));
    t.equal(answer.body.address, '127.0.0.1', `${JSON.stringify(headers)}: the answer names the TCP peer`);
  }
  t.same(targets, Array(spoofs.length).fill('127.0.0.1'), 'every scan was of the TCP peer, none of the named address');
});

t.test('a body cannot name a target: any such field is refused, and nothing is scanned', async (t) => {
  const { port, targets } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 100 } });
  for (const field of ['target', 'address', 'host', 'ip', 'addr', 'targets', 'hosts']) {
    for (const value of [STRANGER, [STRANGER]]) {
      const answer = await post(port, { ...SCAN, [field]: value });
      t.equal(answer.status, 400, `${field}: ${JSON.stringify(value)}`);
      t.equal(answer.body.error?.code, 'EXP_ERR_AGENT_BAD_REQUEST');
    }
  }
  const nested = await post(port, { ...SCAN, igd: { port: 80, path: '/rootDesc.xml', host: STRANGER } });
  t.equal(nested.status, 400, 'nor can the igd check');
  t.same(targets, [], 'the engine was never asked to scan anyone');
});

t.test('an IPv4-mapped IPv6 peer (::ffff:127.0.0.1) is its IPv4 address: scanned as 127.0.0.1, not refused', async (t) => {
  // A socket bound to the mapped address takes IPv4 connections and reports their peers mapped, as a dual-stack
  // "::" listener does, without listening beyond loopback.
  const { port, targets, peers } = await agent(t, '::ffff:127.0.0.1');
  const answer = await post(port, SCAN);
  t.same(peers, ['::ffff:127.0.0.1'], 'the peer really was IPv4-mapped');
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.equal(answer.body.address, '127.0.0.1');
  t.same(targets, ['127.0.0.1'], 'the engine was given the IPv4 address');
});

t.test('a second loopback address: a connection from 127.0.0.2 scans 127.0.0.2, not 127.0.0.1', async (t) => {
  const { port, targets, peers } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 100 } });
  const plain = await post(port, SCAN, { localAddress: '127.0.0.2' });
  // Whatever the request says of 127.0.0.1 (the agent's own address, the Host header, a proxy header).
  const spoofed = await post(port, SCAN, { localAddress: '127.0.0.2', headers: { host: `127.0.0.1:${port}`, 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1' } });
  t.same(peers, ['127.0.0.2', '127.0.0.2'], 'the connections came from 127.0.0.2');
  t.same([plain.status, spoofed.status], [200, 200]);
  t.same([plain.body.address, spoofed.body.address], ['127.0.0.2', '127.0.0.2']);
  t.same(targets, ['127.0.0.2', '127.0.0.2']);
  const local = await post(port, SCAN);
  t.equal(local.body.address, '127.0.0.1', 'and one from 127.0.0.1 scans 127.0.0.1');
  t.same(targets.at(-1), '127.0.0.1');
});

t.test('an IPv6 peer (::1) is scanned at its own address, whatever the headers say', async (t) => {
  const { port, targets } = await agent(t, '::1');
  const answer = await post(port, SCAN, { host: '::1', headers: { 'x-forwarded-for': '127.0.0.1' } });
  t.equal(answer.status, 200, JSON.stringify(answer.body));
  t.equal(answer.body.address, '::1');
  t.same(targets, ['::1']);
});

/** An engine that holds every scan until released; `started` resolves when the agent has handed it a scan. */
function heldEngine(ports: (options: Parameters<PortScanEngine['scan']>[0]) => Awaited<ReturnType<PortScanEngine['scan']>>['ports'] = () => []): { engine: PortScanEngine; started: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  let begun = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (begun = resolve));
  const engine: PortScanEngine = {
    name: 'connect',
    async scan(options) {
      begun();
      await held;
      return { engine: 'connect', target: options.target, ports: ports(options), durationMs: 0, warnings: [] };
    },
  };
  return { engine, started, release };
}

t.test('429: a message and Retry-After, for the rate limit and for a scan already running', async (t) => {
  const { engine: slow, started, release } = heldEngine((options) => options.ports.map((port) => ({ port, protocol: 'tcp', state: 'closed' })));
  const { port, lines } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 3, maxDurationSeconds: 60 } }, slow);
  const first = post(port, { ...SCAN, timeoutSeconds: 40 });
  await started;
  const busy = await post(port, SCAN);
  t.equal(busy.status, 429);
  t.equal(busy.body.error?.code, 'EXP_ERR_AGENT_BUSY');
  t.match(busy.body.error?.message, /already running; it ends within \d+ s/);
  const busyRetry = Number(busy.headers['retry-after']);
  t.ok(Number.isInteger(busyRetry) && busyRetry >= 40 && busyRetry <= 45, `Retry-After ${busy.headers['retry-after']}: the running scan's limit`);
  release();
  t.equal((await first).status, 200);
  t.equal((await post(port, SCAN)).status, 200, 'the third');
  const limited = await post(port, SCAN);
  t.equal(limited.status, 429, 'the fourth request in the window');
  t.equal(limited.body.error?.code, 'EXP_ERR_AGENT_RATE_LIMITED');
  t.match(limited.body.error?.message, /^Too many scan requests from this address: at most 3 per 600 s; retry in \d+ s$/);
  const retry = Number(limited.headers['retry-after']);
  t.ok(Number.isInteger(retry) && retry > 0 && retry <= 600, `Retry-After ${limited.headers['retry-after']}`);
  t.equal(lines.filter((line) => / 429 /.test(line)).length, 2, 'both logged');
});

t.test('503 when the agent is full carries Retry-After too', async (t) => {
  const { engine: slow, started, release } = heldEngine();
  const { port } = await agent(t, '127.0.0.1', { limits: { maxConcurrentScans: 1 } }, slow);
  const first = post(port, SCAN);
  await started;
  const full = await post(port, SCAN, { localAddress: '127.0.0.2' });
  t.equal(full.status, 503);
  t.equal(full.headers['retry-after'], '30');
  release();
  await first;
});

t.test('one log line per refused request: time, status, code, client; never the token', async (t) => {
  const { port, lines } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 6, maxPorts: 10 } });
  const guess = `${'g'.repeat(40)}SECRET`;
  const sent: Array<[Promise<Answer>, number]> = [
    [post(port, SCAN, { headers: { authorization: `Bearer ${guess}` } }), 401],
    [post(port, { ...SCAN, target: STRANGER }), 400],
    [post(port, { ...SCAN, timeoutSeconds: 1.5 }), 400],
    [post(port, { ports: '1-100', udp: false }), 413],
    [post(port, SCAN, { path: `/v1/nope?token=${TOKEN}` }), 404],
  ];
  for (const [answer, status] of sent) t.equal((await answer).status, status);
  t.equal((await post(port, SCAN)).status, 200, 'a scan');
  t.equal((await post(port, SCAN, { localAddress: '127.0.0.2', headers: { authorization: `Bearer ${guess}` } })).status, 401);
  t.equal(lines.length, 6, lines.join('\n'));
  t.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z exposure agent: refused 401 EXP_ERR_AGENT_UNAUTHORIZED from 127\.0\.0\.1 \(POST \/v1\/scan\)$/);
  t.match(lines[1], / refused 400 EXP_ERR_AGENT_BAD_REQUEST from 127\.0\.0\.1 /);
  t.match(lines[2], / refused 400 EXP_ERR_AGENT_BAD_REQUEST /, 'a fractional timeoutSeconds is a 400, not a 500');
  t.match(lines[3], / refused 413 EXP_ERR_AGENT_TOO_LARGE /);
  t.match(lines[4], / refused 404 EXP_ERR_AGENT_BAD_REQUEST from 127\.0\.0\.1 \(POST no such route\)$/, 'the route, not the URL the client sent');
  t.match(lines[5], / refused 401 EXP_ERR_AGENT_UNAUTHORIZED from 127\.0\.0\.2 /);
  for (const line of lines) {
    t.notMatch(line, /SECRET|Bearer|authorization/i, 'no header');
    t.notOk(line.includes(TOKEN), 'never the token');
  }
});
