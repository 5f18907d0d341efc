// GET /v1/whoami and the source-port record behind it: what the agent tells a caller about itself (its address
// and source port after every NAT), what it remembers (the last 10 minutes, bounded), and its own rate limit.
// A fake clock moves time; no request is ever made to anything but the agent on loopback.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import whoamiSchema from '../../schemas/agent-whoami-response.schema.json' with { type: 'json' };
import { buildAgent, clientKey, type AgentOptions } from '../../src/server/agent/app.js';
import { SourcePortLog } from '../../src/server/agent/source-ports.js';
import { recordingEngine } from '../support/recording-engine.js';
import { request } from '../support/agent-client.js';

const TOKEN = 'w'.repeat(43);

async function agent(t: Test, host: string, options: Partial<AgentOptions> = {}): Promise<{ port: number; clock: { now: number } }> {
  const clock = { now: 1_000_000 };
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(recordingEngine().engine), sourcePorts: { now: () => clock.now }, ...options });
  await app.listen({ host, port: 0 });
  t.teardown(() => app.close());
  return { port: (app.server.address() as AddressInfo).port, clock };
}

t.test('whoami answers the address and source port, and every port seen in the last 10 minutes, newest first', async (t) => {
  const { port, clock } = await agent(t, '127.0.0.1');
  const first = await request(port, { token: TOKEN });
  t.equal(first.status, 200, JSON.stringify(first.body));
  const firstPort = first.body['port'] as number;
  t.same(first.body, { address: '127.0.0.1', family: 'IPv4', port: firstPort, seenPorts: [firstPort] });
  t.same(Object.keys(first.body).sort(), [...whoamiSchema.required].sort(), 'the schema\'s fields, no more');

  clock.now += 5 * 60 * 1000;
  const second = await request(port, { token: TOKEN });
  const secondPort = second.body['port'] as number;
  t.same(second.body['seenPorts'], [secondPort, firstPort], 'both, newest first');

  // A scan request's source port counts too (the scan itself is refused here: nothing is scanned).
  const scan = await request(port, { token: TOKEN, body: { ports: '1', udp: false, portSet: { psidOffset: 4, psidLength: 8, psid: 1 } } });
  t.equal(scan.status, 403);
  clock.now += 5 * 60 * 1000 + 1;
  const third = await request(port, { token: TOKEN });
  const seen = third.body['seenPorts'] as number[];
  t.equal(seen.length, 3, 'the first port has expired (10 minutes and 1 ms old); the scan\'s and the second remain');
  t.equal(seen[0], third.body['port']);
  t.notOk(seen.includes(firstPort));
  t.ok(seen.includes(secondPort));

  clock.now += 11 * 60 * 1000;
  const later = await request(port, { token: TOKEN });
  t.same(later.body['seenPorts'], [later.body['port']], 'after 10 quiet minutes only this one');
});

t.test('a request without the token is not recorded', async (t) => {
  const { port } = await agent(t, '127.0.0.1');
  const refused = await request(port, { token: 'x'.repeat(43) });
  t.equal(refused.status, 401);
  const answer = await request(port, { token: TOKEN });
  t.same(answer.body['seenPorts'], [answer.body['port']], 'the refused request left no port behind');
});

t.test('an IPv6 caller is answered as IPv6; an IPv4-mapped one as IPv4', async (t) => {
  const six = await agent(t, '::1');
  const answer = await request(six.port, { token: TOKEN, host: '::1' });
  t.match(answer.body, { address: '::1', family: 'IPv6' });
  const mapped = await agent(t, '::ffff:127.0.0.1');
  const four = await request(mapped.port, { token: TOKEN });
  t.match(four.body, { address: '127.0.0.1', family: 'IPv4' });
});

t.test('whoami has its own, larger allowance than scans', async (t) => {
  const { port } = await agent(t, '127.0.0.1', { limits: { rateLimitMax: 2, whoamiRateLimitMax: 5 } });
  for (let i = 0; i < 5; i++) t.equal((await request(port, { token: TOKEN })).status, 200, `whoami ${i + 1}`);
  const limited = await request(port, { token: TOKEN });
  t.equal(limited.status, 429);
  t.match(limited.body.error, { code: 'EXP_ERR_AGENT_RATE_LIMITED', message: /^Too many whoami requests from this address: at most 5 per 600 s/ });
  const scan = await request(port, { token: TOKEN, body: { ports: '1', udp: false } });
  t.equal(scan.status, 200, 'the scan allowance is untouched by whoami calls');
});

t.test('the record is bounded: 64 ports per address, the least recently seen addresses go first', async (t) => {
  const clock = { now: 0 };
  const log = new SourcePortLog({ now: () => clock.now, maxAddresses: 3 });
  for (let port = 1000; port < 1100; port++) log.record('192.0.2.1', port);
  const seen = log.seen('192.0.2.1');
  t.equal(seen.length, 64);
  t.equal(seen[0], 1099, 'newest first');
  t.equal(seen.at(-1), 1036, 'the oldest 36 were dropped');
  log.record('192.0.2.1', 1050);
  t.equal(log.seen('192.0.2.1')[0], 1050, 'a port seen again is fresh again');
  log.record('192.0.2.2', 1);
  log.record('192.0.2.3', 1);
  log.record('192.0.2.1', 7);
  log.record('192.0.2.4', 1);
  t.equal(log.size, 3);
  t.same(log.seen('192.0.2.2'), [], 'the address seen longest ago was evicted');
  t.equal(log.seen('192.0.2.1')[0], 7, 'not the one first seen but seen again since');
  log.record('192.0.2.1', 0);
  log.record('192.0.2.1', 65_536);
  t.equal(log.seen('192.0.2.1')[0], 7, 'no port 0 or above 65535');
});

t.test('rate limits count an IPv6 caller by its /64', async (t) => {
  t.equal(clientKey('2001:db8:1:2::10'), '2001:db8:1:2::/64');
  t.equal(clientKey('2001:db8:1:2:ffff:1:2:3'), '2001:db8:1:2::/64', 'another address of the same home');
  t.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  t.equal(clientKey('192.0.2.7'), '192.0.2.7');
});
