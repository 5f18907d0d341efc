// --ports all through the real agent: 65,535 TCP port states and the two UDP checks come back, within every
// limit on both sides (request schema, agent limits, response schema, the client's byte limit), and pass the
// client's validation. The agent scans its caller, 127.0.0.1.
import t, { type Test } from 'tap';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import requestSchema from '../../schemas/agent-scan-request.schema.json' with { type: 'json' };
import responseSchema from '../../schemas/agent-scan-response.schema.json' with { type: 'json' };
import { buildAgent, DEFAULT_AGENT_LIMITS } from '../../src/server/agent/app.js';
import { fitAnswer } from '../../src/server/agent/fit-answer.js';
import { connectEngine } from '../../src/net/portscan/connect.js';
import { selectEngine } from '../../src/net/portscan/engines.js';
import type { PortScanEngine } from '../../src/net/portscan/types.js';
import { requestVantageScan } from '../../src/net/vantage-client.js';
import { AGENT_MAX_PORT_ENTRIES, AGENT_MAX_RESPONSE_BYTES, AGENT_RESPONSE_BUDGET_BYTES } from '../../src/core/agent-limits.js';
import { SCAN_LIMITS } from '../../src/core/options.js';
import { recordingEngine } from '../support/recording-engine.js';

const TOKEN = 'f'.repeat(43);

t.test('the limits agree on both sides', async (t) => {
  t.equal(responseSchema.properties.ports.maxItems, AGENT_MAX_PORT_ENTRIES, 'the response schema holds 65,535 TCP ports and 2 UDP checks');
  t.equal(DEFAULT_AGENT_LIMITS.maxPorts, 65_535, 'an agent started with the defaults accepts --ports all');
  t.ok(AGENT_RESPONSE_BUDGET_BYTES < AGENT_MAX_RESPONSE_BYTES, "the agent's budget is within what the client reads");
  t.equal(requestSchema.properties.timeoutSeconds.maximum, SCAN_LIMITS.timeoutSeconds.max, 'every --timeout the scanner accepts can be asked of the agent (it cuts it to --max-duration)');
  t.equal(requestSchema.properties.timeoutSeconds.type, 'integer', 'a fractional time limit is a 400, never a 500');
});

async function openPort(t: Test): Promise<number> {
  const server = net.createServer((socket) => socket.on('error', () => undefined).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function fullRange(t: Test, engine: PortScanEngine): Promise<void> {
  const open = await openPort(t);
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine) });
  t.teardown(() => app.close());
  let bytes = 0;
  app.addHook('onSend', (_request, _reply, payload, done) => {
    bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : 0;
    done(null, payload);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const started = performance.now();
  // What `exposure scan --ports all --vantage URL` sends: the probe formats the port list as 1-65535.
  const answer = await requestVantageScan(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, TOKEN, { ports: '1-65535', udp: true, timeoutSeconds: 120 }, { signal: new AbortController().signal, timeoutMs: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  t.comment(`${engine.name}: 65,535 ports through the agent in ${seconds.toFixed(2)} s, answer ${bytes} bytes`);
  const tcp = answer.ports.filter((port) => port.protocol === 'TCP');
  t.equal(tcp.length, 65_535, 'a state for every TCP port');
  t.same([...new Set(tcp.map((port) => port.port))].length, 65_535, 'each port once');
  t.equal(tcp.find((port) => port.port === open)?.state, 'open');
  t.ok(tcp.filter((port) => port.state === 'closed').length > 60_000, 'loopback refuses the rest');
  t.same(answer.ports.filter((port) => port.protocol === 'UDP').map((port) => port.port), [1900, 5351]);
  t.equal(answer.portSpec, '1-65535');
  t.equal(answer.address, '127.0.0.1');
  t.ok(bytes > 0 && bytes < AGENT_RESPONSE_BUDGET_BYTES, `${bytes} bytes, within the agent's budget`);
}

t.test('--ports all through the agent with the built-in connect engine', (t) => fullRange(t, connectEngine));

function nmapMissing(): string | false {
  try {
    execFileSync('nmap', ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'nmap is not installed';
  }
}

t.test('--ports all through the agent with nmap', { skip: nmapMissing() }, async (t) => fullRange(t, await selectEngine('nmap', false)));

t.test('a caller answering on every port with a long banner still gets every state, within the budget', async (t) => {
  // What portspoof-like tarpits do. Every text at its longest, in control characters (six bytes each in JSON,
  // \u0001): 65,535 ports of 1,624 characters would be 640 MB of JSON, more than V8's longest string.
  const text = (length: number): string => '\u0001'.repeat(length);
  const { engine } = recordingEngine((options) => options.ports.map((port) => ({ port, protocol: 'tcp', state: 'open', service: text(200), product: text(200), version: text(200), banner: text(1024) })));
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine) });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const answer = await requestVantageScan(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, TOKEN, { ports: 'all', udp: false }, { signal: new AbortController().signal, timeoutMs: 60_000 });
  t.equal(answer.ports.length, 65_535);
  t.ok(answer.ports.every((port) => port.state === 'open'));
  t.notOk(answer.ports.some((port) => port.banner !== undefined), 'banners went first');
  t.notOk(answer.ports.some((port) => port.service !== undefined), 'then the service details');
  t.match(answer.warnings.at(-1), /TCP banners, services, products and versions were left out/);
});

t.test('fitAnswer: banners first, then service details; every state stays', async (t) => {
  const ports = Array.from({ length: 100 }, (_, index) => ({ port: index + 1, protocol: 'TCP' as const, state: 'open' as const, service: 'http', banner: 'b'.repeat(100) }));
  const answer = { address: '127.0.0.1', engine: 'connect' as const, startedAt: '', durationMs: 0, portSpec: '1-100', ports: [...ports, { port: 1900, protocol: 'UDP' as const, state: 'open' as const, banner: 'SERVER: x' }], warnings: [] };
  const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
  // The count is generous by a byte per port (commas), never short.
  t.equal(fitAnswer(answer, size(answer) + answer.ports.length), answer, 'untouched when it fits');
  const noBanners = fitAnswer(answer, size(answer) - 1);
  t.ok(noBanners.ports.every((port) => port.protocol === 'UDP' || (port.banner === undefined && port.service === 'http')));
  t.equal(noBanners.ports.find((port) => port.protocol === 'UDP')?.banner, 'SERVER: x', 'the UDP answers keep theirs');
  const bare = fitAnswer(answer, 6000);
  t.ok(bare.ports.every((port) => port.protocol === 'UDP' || Object.keys(port).length === 3));
  t.equal(bare.ports.length, 101);
  t.equal(bare.warnings.length, 1);
});
