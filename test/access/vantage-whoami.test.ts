// The whoami client against a stand-in agent on loopback (test/access/stand-in-agent.ts, written from
// schemas/agent-whoami-response.schema.json until the real route is merged from i16-agent).
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import whoamiSchema from '../../schemas/agent-whoami-response.schema.json' with { type: 'json' };
import { parseWhoami, requestWhoami, MAX_WHOAMI_BYTES } from '../../src/net/vantage-whoami.js';
import { startStandInAgent } from './stand-in-agent.js';

const TOKEN = 'w'.repeat(43);
const fixture = (name: string): URL => new URL(`../fixtures/vantage/${name}`, import.meta.url);
const AGENT_PIN = 'sha256/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=';
const OTHER_PIN = 'sha256/EgoKMWXHSObgmiK6M/orstpKIz5Dbz5X9fwGcKNBLj0=';
const ask = (url: string, extra: { token?: string; pin?: string; timeoutMs?: number } = {}) =>
  requestWhoami(url, extra.token ?? TOKEN, { signal: new AbortController().signal, timeoutMs: extra.timeoutMs ?? 5000, ...(extra.pin ? { trust: { pin: extra.pin } } : {}) });

t.test('four requests, each on its own connection; the address and every source port seen come back', async (t) => {
  const agent = await startStandInAgent({ token: TOKEN, address: '106.72.18.52', natPort: (_port, connection) => 4928 + connection });
  t.teardown(agent.close);
  const result = await ask(agent.url);
  t.equal(agent.whoamiCalls.length, 4);
  t.equal(new Set(agent.whoamiCalls.map((call) => call.connection)).size, 4, 'no keep-alive: four connections');
  t.same(result.addresses, ['106.72.18.52']);
  t.equal(result.family, 'IPv4');
  t.same([...result.ports].sort(), [4929, 4930, 4931, 4932]);
  t.equal(result.answered, 4);
});

t.test('a wrong token is a refusal (HTTP 401), not a passing outage', async (t) => {
  const agent = await startStandInAgent({ token: TOKEN });
  t.teardown(agent.close);
  await t.rejects(ask(agent.url, { token: 'x'.repeat(43) }), { code: 'EXP_ERR_VANTAGE', httpStatus: 401 });
});

t.test('an agent without the route (older) answers 404: the error says to update it', async (t) => {
  const agent = await startStandInAgent({ token: TOKEN, whoamiStatus: 404, whoamiBody: () => '{"error":{}}' });
  t.teardown(agent.close);
  await t.rejects(ask(agent.url), { code: 'EXP_ERR_VANTAGE', httpStatus: 404, hint: /older than GET \/v1\/whoami/ });
});

t.test('hostile answers are refused', async (t) => {
  const bodies: [string, RegExp][] = [
    ['x'.repeat(MAX_WHOAMI_BYTES + 10), /more than 16384 bytes/],
    ['not json', /not JSON/],
    [JSON.stringify({ address: '1.2.3.4', family: 'IPv4', port: 5000, seenPorts: [], extra: 1 }), /unexpected field/],
    [JSON.stringify({ address: '<script>', family: 'IPv4', port: 5000, seenPorts: [] }), /not an IP address/],
    [JSON.stringify({ address: '1.2.3.4', family: 'IPv4', port: 70000, seenPorts: [] }), /port is not/],
    [JSON.stringify({ address: '1.2.3.4', family: 'IPv4', port: 5000, seenPorts: new Array(65).fill(5000) }), /seenPorts/],
    [JSON.stringify([]), /not an object/],
  ];
  for (const [body, problem] of bodies) {
    const agent = await startStandInAgent({ token: TOKEN, whoamiBody: () => body });
    await t.rejects(ask(agent.url), { code: 'EXP_ERR_VANTAGE', message: problem }, problem.source);
    await agent.close();
  }
});

t.test('one failed connection of four costs only its ports', async (t) => {
  const agent = await startStandInAgent({ token: TOKEN, whoamiBody: (connection) => (connection === 2 ? 'broken' : JSON.stringify({ address: '1.2.3.4', family: 'IPv4', port: 5000 + connection, seenPorts: [] })) });
  t.teardown(agent.close);
  const result = await ask(agent.url);
  t.equal(result.answered, 3);
  t.equal(result.failures.length, 1);
  t.notOk(result.ports.includes(5002));
});

t.test('same trust as the scan request: the pin decides, and a wrong pin sends nothing', async (t) => {
  const tls = { cert: await readFile(fixture('agent.crt')), key: await readFile(fixture('agent.key')) };
  const agent = await startStandInAgent({ token: TOKEN, tls });
  t.teardown(agent.close);
  t.same((await ask(agent.url, { pin: AGENT_PIN })).addresses, ['127.0.0.1']);
  await t.rejects(ask(agent.url, { pin: OTHER_PIN }), { code: 'EXP_ERR_VANTAGE_TLS' });
  await t.rejects(ask(agent.url), { code: 'EXP_ERR_VANTAGE_TLS' }, 'a self-signed certificate with no pin or CA');
  t.equal(agent.whoamiCalls.length, 4, 'only the pinned run reached the route');
});

t.test('the hand check agrees with the schema (ajv) on every sample', async (t) => {
  const validate = new Ajv({ strict: true }).compile(whoamiSchema);
  const samples: unknown[] = [
    { address: '1.2.3.4', family: 'IPv4', port: 1, seenPorts: [] },
    { address: '2001:db8::1', family: 'IPv6', port: 65535, seenPorts: [1, 2] },
    { address: '1.2.3.4', family: 'IPv5', port: 1, seenPorts: [] },
    { address: '1.2.3.4', family: 'IPv4', port: 0, seenPorts: [] },
    { address: '1.2.3.4', family: 'IPv4', port: 1 },
    { address: '1.2.3.4', family: 'IPv4', port: 1, seenPorts: [1.5] },
    { address: '1.2.3.4', family: 'IPv4', port: 1, seenPorts: [], more: true },
    null,
    'text',
  ];
  for (const sample of samples) {
    let ours = true;
    try {
      parseWhoami(sample);
    } catch {
      ours = false;
    }
    t.equal(ours, validate(sample), JSON.stringify(sample));
  }
});
