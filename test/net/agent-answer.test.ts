// The agent's answer is checked by the validator compiled ahead of time (decision 0013): a malformed answer from a
// real local server is refused with EXP_ERR_VANTAGE and the path of the first problem; a good one passes.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestVantageScan } from '../../src/net/vantage-client.js';
import { isExposureError } from '../../src/core/errors.js';

/** The part of a tap test the helper needs. */
interface Teardown {
  teardown: (fn: () => unknown) => void;
}

async function agentAnswering(t: Teardown, body: unknown): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const GOOD = { address: '127.0.0.1', engine: 'connect', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12, portSpec: '80', ports: [{ port: 80, protocol: 'TCP', state: 'closed' }], warnings: [] };

const ask = (url: string) => requestVantageScan(url, 'token', { ports: '80' }, { signal: new AbortController().signal, timeoutMs: 5000 });

t.test('a well-formed answer passes', async (t) => {
  const answer = await ask(await agentAnswering(t, GOOD));
  t.equal(answer.engine, 'connect');
  t.same(answer.ports, GOOD.ports);
});

t.test('a malformed answer is refused with EXP_ERR_VANTAGE naming the problem', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['an engine outside the set', { ...GOOD, engine: 'masscan' }, /\/engine must be equal to one of the allowed values/],
    ['a port state outside the set', { ...GOOD, ports: [{ port: 80, protocol: 'TCP', state: 'wide open' }] }, /\/ports\/0\/state/],
    ['an unknown field', { ...GOOD, target: '10.0.0.1' }, /must NOT have additional properties/],
    ['a missing field', { ...GOOD, warnings: undefined }, /must have required property 'warnings'/],
  ];
  for (const [what, body, message] of cases) {
    const error: unknown = await ask(await agentAnswering(t, body)).then(() => undefined, (caught: unknown) => caught);
    t.ok(isExposureError(error, 'EXP_ERR_VANTAGE'), what);
    t.match((error as Error).message, message, what);
  }
});
