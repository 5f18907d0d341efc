import t from 'tap';
import net from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildAgent, callerAddress } from '../../src/server/agent/app.js';
import { loadOrCreateToken, tokenMatches, bearerToken } from '../../src/server/token.js';
import { connectEngine } from '../../src/net/portscan/connect.js';
import { requestVantageScan } from '../../src/net/vantage-client.js';
import { startFakeQnap } from '../support/fake-qnap.js';
import { closedPort } from '../support/ports.js';

// inject() presents itself as 127.0.0.1, so every scan in this file is a loopback scan.
const TOKEN = 'a'.repeat(43);
const auth = { authorization: `Bearer ${TOKEN}` };

async function listener(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.2\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function agent(limits = {}) {
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(connectEngine), limits });
  return app;
}

t.test('scans the caller and only the caller', async (t) => {
  const open = await listener();
  t.teardown(open.close);
  const app = await agent();
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: `${open.port},1`, udp: false, serviceDetection: true } });
  t.equal(response.statusCode, 200, response.body);
  const body = response.json<{ address: string; engine: string; ports: Array<{ port: number; state: string; banner?: string }> }>();
  t.equal(body.address, '127.0.0.1', 'the address the request came from');
  t.equal(body.engine, 'connect');
  t.equal(body.ports.find((p) => p.port === open.port)?.state, 'open');
  t.match(body.ports.find((p) => p.port === open.port)?.banner, /SSH-2\.0/);
  t.equal(body.ports.find((p) => p.port === 1)?.state, 'closed');
});

t.test('a request cannot name a target, or anything else unknown', async (t) => {
  const app = await agent();
  t.teardown(() => app.close());
  for (const payload of [{ target: '8.8.8.8' }, { ports: '80', host: '10.0.0.1' }, { ports: '80', igd: { port: 80, path: '/x', host: '1.2.3.4' } }]) {
    const response = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
    t.equal(response.json<{ error: { code: string } }>().error.code, 'EXP_ERR_AGENT_BAD_REQUEST');
  }
});

t.test('injection strings in ports and paths are refused by the schema', async (t) => {
  const app = await agent();
  t.teardown(() => app.close());
  for (const payload of [{ ports: '80 -oN /tmp/x' }, { ports: '80;id' }, { ports: '--script=x' }, { ports: '80', igd: { port: 80, path: '/a?b=$(id)' } }, { ports: '99999' }, { ports: 'http' }]) {
    const response = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
  }
});

t.test('authentication: missing, wrong, malformed tokens are refused; healthz is open', async (t) => {
  const app = await agent();
  t.teardown(() => app.close());
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(1)}` }]) {
    const response = await app.inject({ method: 'POST', url: '/v1/scan', headers, payload: { ports: '1' } });
    t.equal(response.statusCode, 401);
    t.equal(response.json<{ error: { code: string } }>().error.code, 'EXP_ERR_AGENT_UNAUTHORIZED');
    t.equal(response.headers['www-authenticate'], 'Bearer');
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/nope' })).statusCode, 404);
});

t.test('limits: port-set size, duration, body size, rate', async (t) => {
  const app = await agent({ maxPorts: 100, maxDurationSeconds: 30, rateLimitMax: 3, maxConcurrentScans: 1 });
  t.teardown(() => app.close());
  const tooMany = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: '1-101' } });
  t.equal(tooMany.statusCode, 413);
  t.equal(tooMany.json<{ error: { code: string } }>().error.code, 'EXP_ERR_AGENT_TOO_LARGE');
  const tooLong = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: '1', udp: false, timeoutSeconds: 900 } });
  t.equal(tooLong.statusCode, 200, 'a longer time limit than allowed is cut to the limit, not refused');
  const huge = await app.inject({ method: 'POST', url: '/v1/scan', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ ports: '1', pad: 'x'.repeat(100_000) }) });
  t.equal(huge.statusCode, 413);
  const limited = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: '1', udp: false } });
  t.equal(limited.statusCode, 429, 'the fourth request in the window');
  t.equal(limited.json<{ error: { code: string } }>().error.code, 'EXP_ERR_AGENT_RATE_LIMITED');
  t.notMatch(limited.body, /at .*\.(ts|js):\d+/, 'no stack trace');
});

t.test('failed token guesses count against the rate limit', async (t) => {
  const app = await agent({ rateLimitMax: 3 });
  t.teardown(() => app.close());
  const codes: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    codes.push((await app.inject({ method: 'POST', url: '/v1/scan', headers: { authorization: 'Bearer guess' }, payload: { ports: '1' } })).statusCode);
  }
  t.same(codes, [401, 401, 401, 429, 429]);
  t.equal((await app.inject({ method: 'GET', url: '/v1/healthz' })).statusCode, 200, 'health checks are not limited');
});

t.test('one scan per client at a time', async (t) => {
  const app = await agent({ rateLimitMax: 10 });
  t.teardown(() => app.close());
  const [first, second] = await Promise.all([
    app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: '1-2000', udp: false } }),
    new Promise((resolve) => setTimeout(resolve, 20)).then(() => app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: '1', udp: false } })),
  ]);
  t.equal(first.statusCode, 200);
  t.equal(second.statusCode, 429);
  t.equal(second.json<{ error: { code: string } }>().error.code, 'EXP_ERR_AGENT_BUSY');
});

t.test('over a real socket, with the scanner-side client validating the answer', async (t) => {
  const open = await listener();
  t.teardown(open.close);
  const app = await agent();
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const answer = await requestVantageScan(`http://127.0.0.1:${port}`, TOKEN, { ports: String(open.port), udp: true }, { signal: new AbortController().signal, timeoutMs: 20_000 });
  t.equal(answer.address, '127.0.0.1');
  t.equal(answer.ports.find((p) => p.port === open.port && p.protocol === 'TCP')?.state, 'open');
  t.same(answer.ports.filter((p) => p.protocol === 'UDP').map((p) => p.port), [1900, 5351]);
  await t.rejects(requestVantageScan(`http://127.0.0.1:${port}`, 'wrong-token', { ports: '1' }, { signal: new AbortController().signal, timeoutMs: 5000 }), { code: 'EXP_ERR_VANTAGE', message: /401/ });
});

t.test('tokens: created once with mode 0600, compared in constant time, refused when readable by others', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'agent-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sub', 'token');
  const created = await loadOrCreateToken(file);
  t.equal(created.created, true);
  t.ok(created.token.length >= 43);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const again = await loadOrCreateToken(file);
  t.same({ created: again.created, token: again.token }, { created: false, token: created.token });
  await chmod(file, 0o644);
  await t.rejects(loadOrCreateToken(file), { code: 'EXP_ERR_AGENT_CONFIG' });
  const short = path.join(dir, 'short');
  await writeFile(short, 'abc\n', { mode: 0o600 });
  await t.rejects(loadOrCreateToken(short), { code: 'EXP_ERR_AGENT_CONFIG' });
  t.ok(tokenMatches(created.token, created.token));
  t.notOk(tokenMatches(created.token, `${created.token} `));
  t.notOk(tokenMatches(created.token, undefined));
  t.equal(bearerToken('Bearer abc'), 'abc');
  t.equal(bearerToken('Bearer a b'), undefined);
  t.equal(bearerToken(`Bearer ${'x'.repeat(600)}`), undefined);
  t.ok((await readFile(file, 'utf8')).startsWith(created.token));
});

t.test('caller address: IPv4 (IPv4-mapped too) and IPv6 in canonical form; nothing else', async (t) => {
  t.equal(callerAddress('203.0.113.5'), '203.0.113.5');
  t.equal(callerAddress('::ffff:203.0.113.5'), '203.0.113.5');
  t.equal(callerAddress('2001:db8::1'), '2001:db8::1');
  t.equal(callerAddress('2001:DB8:0:0::1'), '2001:db8::1');
  t.equal(callerAddress('fe80::1%lo'), undefined, 'a zone id names a link of this machine');
  t.equal(callerAddress('::ffff:102:304'), undefined, 'an IPv4-mapped address not in dotted form is not taken for IPv4');
  t.equal(callerAddress(undefined), undefined);
});

t.test('fingerprints on request: the caller only, its open ports only, and the answer passes the client schema', async (t) => {
  const qnap = await startFakeQnap({ firmware: { version: '5.0.0', number: '1850', build: '20211101' }, flags: { stunnelPort: '0' } });
  t.teardown(() => qnap.close());
  const closed = await closedPort();
  const app = await agent();
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const answer = await requestVantageScan(`http://127.0.0.1:${port}`, TOKEN, { ports: `${qnap.port},${closed}`, udp: false, fingerprint: true }, { signal: new AbortController().signal, timeoutMs: 20_000 });
  // Agents since vendor packs send the facts as `fingerprint` (scanners still read an older agent's `qnap`).
  t.equal(answer.fingerprint?.device?.firmware?.full, '5.0.0.1850 build 20211101');
  t.same(answer.fingerprint?.services.map((service) => service.port), [qnap.port], 'only the open port');
  t.ok(qnap.requests.every((request) => !request.headers.authorization && !request.headers.cookie), 'no credentials');
  const plain = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: String(qnap.port), udp: false } });
  t.equal(plain.json<{ fingerprint?: unknown }>().fingerprint, undefined, 'no fingerprints unless asked');
  const bad = await app.inject({ method: 'POST', url: '/v1/scan', headers: auth, payload: { ports: String(qnap.port), fingerprint: 'yes' } });
  t.equal(bad.statusCode, 400);
});
