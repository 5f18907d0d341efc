/**
 * The agent's event loop is not for sale (issue 13): while it parses and checks the largest scan request its limits
 * accept (a 16 KiB body, the port list at its own limits, each item the costliest kind), /v1/healthz answers
 * within 100 ms of this process's CPU time. The engine holds every scan, so what is measured is the request's
 * parsing and checking, and nothing is scanned. CPU time, not wall time: tap runs test files side by side on two
 * cores, and the wall time a health check waits for a core says nothing about the agent blocking its own loop.
 */
import t from 'tap';
import { connect, type AddressInfo } from 'node:net';
import { buildAgent } from '../../src/server/agent/app.js';
import { MAX_SPEC_ITEMS } from '../../src/net/portscan/port-spec.js';
import type { PortScanEngine } from '../../src/net/portscan/types.js';

const TOKEN = 'agent-token-'.padEnd(48, 'x');
const LARGEST_PORTS = Array.from({ length: MAX_SPEC_ITEMS }, () => 'all').join(',');
const BODY_LIMIT = 16 * 1024;

t.test('/v1/healthz answers within 100 ms while the agent handles the largest requests it accepts', async (t) => {
  const released: (() => void)[] = [];
  const holding: PortScanEngine = {
    name: 'connect',
    scan: (options) => new Promise((resolve) => released.push(() => resolve({ engine: 'connect', target: options.target, ports: [], durationMs: 0, warnings: [] }))),
  };
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(holding), limits: { rateLimitMax: 1000, maxConcurrentScans: 16 } });
  let handling: () => void = () => undefined;
  app.addHook('preHandler', async (request) => {
    if (request.method === 'POST') handling();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    for (const release of released) release();
    await app.close();
  });
  const json = JSON.stringify({ ports: LARGEST_PORTS, udp: false, fingerprint: false, serviceDetection: false, timeoutSeconds: 900 });
  const body = json + ' '.repeat(BODY_LIMIT - 1 - Buffer.byteLength(json));
  const port = (app.server.address() as AddressInfo).port;
  // Raw requests from distinct loopback addresses (the agent runs one scan per caller), written whole.
  const send = (from: string, head: string, payload = ''): Promise<{ status: number; ms: number }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let answer = '';
      const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => {
        socket.write(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n${payload ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nauthorization: Bearer ${TOKEN}\r\n` : ''}\r\n${payload}`);
        // A held scan never answers: the status line is all this test needs from a POST.
        if (payload) setImmediate(() => resolve({ status: 0, ms: 0 }));
      });
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (!payload && answer.includes('\r\n\r\n')) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(answer.slice(9, 12)), ms: performance.now() - started }));
    });
  const latencies: number[] = [];
  const cpu: number[] = [];
  for (let wave = 0; wave < 5; wave++) {
    const inside = new Promise<void>((resolve) => {
      handling = resolve;
    });
    void send(`127.0.1.${wave + 1}`, 'POST /v1/scan HTTP/1.1', body);
    await inside;
    const before = process.cpuUsage();
    const health = await send('127.0.0.1', 'GET /v1/healthz HTTP/1.1');
    const used = process.cpuUsage(before);
    t.equal(health.status, 200);
    latencies.push(health.ms);
    cpu.push((used.user + used.system) / 1000);
  }
  t.comment(`healthz latencies: ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms wall, ${cpu.map((ms) => ms.toFixed(1)).join(', ')} ms CPU`);
  t.equal(released.length, 5, 'every large request was accepted in full and reached the engine');
  t.ok(Math.max(...cpu) < 100, `healthz within 100 ms of CPU (${Math.max(...cpu).toFixed(1)} ms)`);
});
