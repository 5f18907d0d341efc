import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeBanner } from '../../src/net/portscan/banner.js';
import { connectEngine, createConnectEngine, type ConnectEngineOptions, type ConnectScanStats } from '../../src/net/portscan/connect.js';
import { ConcurrencyWindow, RttTimeout } from '../../src/net/portscan/connect-window.js';
import type { PortResult, PortScanOptions } from '../../src/net/portscan/types.js';
import type { TapTest } from '../lab/lab.js';
import { closedPort as closedPortOn } from '../support/ports.js';
import { builtModule } from '../support/built.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

// Every scan here targets 127.0.0.1, and only ports of listeners this file starts or has just seen closed.
const target = '127.0.0.1';
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Listener {
  port: number;
  /** Connections accepted so far, and those still open. */
  accepted: number;
  open: Set<net.Socket>;
  /** Bytes the scanner sent: must stay 0. */
  received: number;
}

async function listen(onConnection: (socket: net.Socket) => void = () => undefined): Promise<Listener> {
  const listener: Listener = { port: 0, accepted: 0, open: new Set(), received: 0 };
  const server = net.createServer((socket) => {
    listener.accepted++;
    listener.open.add(socket);
    socket.on('data', (chunk) => (listener.received += chunk.length));
    socket.on('error', () => undefined); // the scanner closes with RST
    socket.on('close', () => listener.open.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, target, resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of listener.open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  listener.port = (server.address() as net.AddressInfo).port;
  return listener;
}

const closedPort = (): Promise<number> => closedPortOn(target);

const sorted = (ports: number[]): number[] => [...new Set(ports)].sort((a, b) => a - b);
const byPort = (ports: PortResult[]): Map<number, PortResult> => new Map(ports.map((result) => [result.port, result]));
const scanOptions = (ports: number[], extra: Partial<PortScanOptions> = {}): PortScanOptions => ({ target, ports: sorted(ports), timeoutMs: 20_000, ...extra });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(5);
  return condition();
}

function engineWithStats(options: ConnectEngineOptions = {}): { engine: ReturnType<typeof createConnectEngine>; stats: () => ConnectScanStats | undefined } {
  let last: ConnectScanStats | undefined;
  return { engine: createConnectEngine({ ...options, onStats: (stats) => (last = stats) }), stats: () => last };
}

const banner = await listen((socket) => socket.write('SSH-2.0-Test_1.0\r\n'));
const silent = await listen();
const closed = await closedPort();

t.test('refuses anything but one IPv4 or IPv6 address, before any connection', async (t) => {
  for (const bad of ['127.0.0.1; rm -rf /', 'localhost', '1.2.3.4/24', '', ' 127.0.0.1', '127.1', '0x7f.0.0.1', '127.0.0.1:80', '::1/128', 'fe80::1%lo', '::ffff:127.0.0.1', '[::1]', '::1 ']) {
    await t.rejects(connectEngine.scan({ target: bad, ports: [silent.port], timeoutMs: 5000 }), { code: 'EXP_ERR_USAGE' }, JSON.stringify(bad));
  }
  await t.rejects(connectEngine.scan({ target: 42 as unknown as string, ports: [silent.port], timeoutMs: 5000 }), { code: 'EXP_ERR_USAGE' });
  t.equal(silent.accepted, 0, 'nothing connected');
});

t.test('refuses bad ports, time limits and tuning', async (t) => {
  for (const ports of [[0], [65536], [2, 1], [5, 5], [1.5], [Number.NaN]]) {
    await t.rejects(connectEngine.scan({ target, ports, timeoutMs: 5000 }), { code: 'EXP_ERR_USAGE' }, JSON.stringify(ports));
  }
  for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    await t.rejects(connectEngine.scan({ target, ports: [silent.port], timeoutMs }), { code: 'EXP_ERR_USAGE' });
  }
  t.throws(() => createConnectEngine({ maxConcurrency: 0 }), { code: 'EXP_ERR_USAGE' });
  t.throws(() => createConnectEngine({ minTimeoutMs: 500, maxTimeoutMs: 100 }), { code: 'EXP_ERR_USAGE' });
  t.throws(() => createConnectEngine({ bannerBytes: 1.5 }), { code: 'EXP_ERR_USAGE' });
  t.equal(silent.accepted, 0);
});

t.test('open, closed, and every port reported once, in order', async (t) => {
  const ports = sorted([banner.port, silent.port, closed]);
  const result = await connectEngine.scan(scanOptions(ports));
  t.equal(result.engine, 'connect');
  t.equal(result.target, target);
  t.same(result.ports.map((r) => r.port), ports);
  const states = byPort(result.ports);
  t.equal(states.get(banner.port)?.state, 'open');
  t.equal(states.get(silent.port)?.state, 'open');
  t.equal(states.get(closed)?.state, 'closed');
  t.notOk(result.ports.some((r) => r.banner !== undefined), 'no banners unless asked');
  t.ok(await until(() => banner.open.size === 0 && silent.open.size === 0, 1000), 'every connection closed');
  t.same(result.warnings, []);
});

t.test('edges: an empty port list, a time limit beyond what setTimeout takes', async (t) => {
  const result = await connectEngine.scan({ target, ports: [], timeoutMs: 1000 });
  t.same(result.ports, []);
  const long = await connectEngine.scan(scanOptions([closed], { timeoutMs: 1e12 }));
  t.equal(long.ports[0]?.state, 'closed', 'a huge limit is no limit, not 1 ms');
});

t.test('banners: what the service says first, escaped, and nothing is ever sent', async (t) => {
  const binary = await listen((socket) => socket.write(Buffer.from([0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x5c, 0xff, 0x0d, 0x0a])));
  const utf8 = await listen((socket) => socket.write('QNAP é ‮\n'));
  const received = [banner, silent, binary, utf8].map((l) => l.received);
  const result = await createConnectEngine({ bannerWaitMs: 300 }).scan(scanOptions([banner.port, silent.port, binary.port, utf8.port, closed], { serviceDetection: true }));
  const states = byPort(result.ports);
  t.equal(states.get(banner.port)?.banner, 'SSH-2.0-Test_1.0\\r\\n');
  t.equal(states.get(binary.port)?.banner, '\\x00\\x1b[31m\\\\\\xff\\r\\n');
  t.equal(states.get(utf8.port)?.banner, 'QNAP \\xc3\\xa9 \\xe2\\x80\\xae\\n', 'non-ASCII as bytes: no bidi override survives');
  t.equal(states.get(silent.port)?.banner, undefined, 'a silent service has no banner');
  t.equal(states.get(silent.port)?.state, 'open');
  t.equal(states.get(closed)?.banner, undefined);
  t.same([banner, silent, binary, utf8].map((l) => l.received), received, 'the scanner wrote nothing');
  // the option overrides serviceDetection both ways
  const off = await createConnectEngine({ banners: false }).scan(scanOptions([banner.port], { serviceDetection: true }));
  t.equal(off.ports[0]?.banner, undefined);
  const on = await createConnectEngine({ banners: true, bannerWaitMs: 300 }).scan(scanOptions([banner.port]));
  t.equal(on.ports[0]?.banner, 'SSH-2.0-Test_1.0\\r\\n');
});

t.test('escapeBanner is lossless and plain ASCII', async (t) => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const text = escapeBanner(all);
  t.match(text, /^[\x20-\x7e]*$/);
  const back = text.replace(/\\(x([0-9a-f]{2})|[\\rnt])/g, (_, what: string, hex: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : ({ '\\': '\\', r: '\r', n: '\n', t: '\t' } as Record<string, string>)[what] ?? '',
  );
  t.same(Buffer.from(back, 'latin1'), Buffer.from(all));
});

t.test('banners are bounded in bytes', async (t) => {
  const flood = await listen((socket) => {
    socket.write('A'.repeat(100_000));
    socket.on('drain', () => undefined);
  });
  const small = await createConnectEngine({ banners: true, bannerBytes: 16, bannerWaitMs: 2000 }).scan(scanOptions([flood.port]));
  t.equal(small.ports[0]?.banner, 'A'.repeat(16));
  t.ok(small.durationMs < 1500, `stops reading once it has enough (${small.durationMs} ms)`);
  const standard = await createConnectEngine({ banners: true, bannerWaitMs: 2000 }).scan(scanOptions([flood.port]));
  t.equal(standard.ports[0]?.banner, 'A'.repeat(256), 'default: 256 bytes');
});

t.test('banners are bounded in time', async (t) => {
  const trickle = await listen((socket) => {
    const timer = setInterval(() => socket.write('x'), 20);
    socket.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  const result = await createConnectEngine({ banners: true, bannerWaitMs: 300 }).scan(scanOptions([trickle.port, silent.port]));
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 250 && elapsed < 1500, `waited about bannerWaitMs (${elapsed} ms)`);
  const states = byPort(result.ports);
  t.match(states.get(trickle.port)?.banner, /^x{3,20}$/, 'what came in time');
  t.equal(states.get(silent.port)?.banner, undefined);
});

t.test('many ports, a small window: each reported once, never more in flight than allowed', async (t) => {
  const open = await Promise.all(Array.from({ length: 150 }, () => listen()));
  const closedMany: number[] = [];
  for (let i = 0; i < 150; i++) closedMany.push(await closedPort());
  const ports = sorted([...open.map((l) => l.port), ...closedMany]);
  const { engine, stats } = engineWithStats({ maxConcurrency: 8, initialConcurrency: 2 });
  const calls: Array<[number, number]> = [];
  const result = await engine.scan(scanOptions(ports, { onProgress: (done, total) => calls.push([done, total]) }));
  t.same(result.ports.map((r) => r.port), ports, 'each port once, in order');
  const openSet = new Set(open.map((l) => l.port));
  t.ok(result.ports.every((r) => r.state === (openSet.has(r.port) ? 'open' : 'closed')), 'states right');
  t.ok(open.every((l) => l.accepted === 1), 'one connection per open port: no duplicate tries');
  t.ok((stats()?.peakInFlight ?? Infinity) <= 8, `peak in flight ${stats()?.peakInFlight}`);
  t.equal(stats()?.attempts, ports.length);
  t.same(calls.at(-1), [ports.length, ports.length], 'progress ends at total');
  t.ok(calls.every(([done], i) => i === 0 || done >= (calls[i - 1]?.[0] ?? 0)), 'progress never goes back');
});

t.test('ConcurrencyWindow and RttTimeout arithmetic', async (t) => {
  const w = new ConcurrencyWindow({ initial: 4, max: 100 });
  t.equal(w.size, 4);
  for (let i = 0; i < 4; i++) w.onAnswer(false);
  t.equal(w.size, 8, 'slow start: one more per answer');
  w.onLoss(10, 20);
  t.equal(w.size, 4, 'loss halves');
  w.onLoss(15, 21);
  t.equal(w.size, 4, 'a loss of a probe sent before the last decrease is old news');
  for (let i = 0; i < 20; i++) w.onSilence();
  t.equal(w.size, 4, 'silence never grows past the slow-start threshold');
  for (let i = 0; i < 5; i++) w.onAnswer(false);
  t.equal(w.size, 5, 'above it, about one per window of answers');
  for (let i = 0; i < 40; i++) w.onAnswer(true);
  t.ok(w.size <= 5, 'queueing: no growth');
  w.onResourceShortage(3, 30);
  t.equal(w.size, 2, 'resource shortage: a ceiling under what was in flight');

  const busy = new ConcurrencyWindow({ initial: 8, max: 100 });
  for (let i = 0; i < 12; i++) busy.onAnswer(false);
  t.equal(busy.size, 20);
  for (let i = 0; i < 100; i++) busy.onAnswer(true);
  t.equal(busy.size, 8, 'queueing shrinks the window, but never below where it started');

  const fresh = new ConcurrencyWindow({ initial: 4, max: 100 });
  for (let i = 0; i < 200; i++) fresh.onSilence();
  t.equal(fresh.size, 100, 'a silent host (nothing ever lost) still gets the full window');

  const rtt = new RttTimeout({ initialMs: 1000, minMs: 100, maxMs: 3000 });
  t.equal(rtt.timeoutMs, 1000, 'nothing measured yet');
  t.equal(rtt.presumeSilentMs, undefined, 'no probe is presumed silent before anything was measured');
  rtt.sample(1);
  t.equal(rtt.timeoutMs, 100, 'floor');
  t.equal(rtt.presumeSilentMs, 10, 'presumed silent after twice the usual wait, at least 10 ms');
  t.notOk(rtt.queueing);
  for (let i = 0; i < 50; i++) rtt.sample(400);
  t.ok(rtt.timeoutMs >= 400 && rtt.timeoutMs <= 1000, `follows the path (${rtt.timeoutMs})`);
  t.ok(rtt.queueing, '400 ms against a fastest 1 ms is queueing');
  for (let i = 0; i < 50; i++) rtt.sample(100_000);
  t.equal(rtt.timeoutMs, 3000, 'ceiling');
});

/**
 * Linux drops a SYN to a listener whose accept queue is full, so the connect times out exactly as against a
 * firewall that drops: a real "filtered" on loopback, without iptables. perl (in every Debian) listens with a
 * backlog of 0 and never accepts; one connection fills the queue.
 */
async function fullBacklog(t: TapTest): Promise<number | undefined> {
  const perl = spawn('perl', [
    '-e',
    'use Socket; socket(S, PF_INET, SOCK_STREAM, 0) or die; bind(S, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die; ' +
      'listen(S, 0) or die; $| = 1; print((unpack_sockaddr_in(getsockname(S)))[0], "\\n"); sleep 120;',
  ]);
  t.teardown(() => void perl.kill('SIGKILL'));
  const port = await new Promise<number | undefined>((resolve) => {
    perl.on('error', () => resolve(undefined));
    perl.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  if (port === undefined) return undefined;
  for (let i = 0; i < 2; i++) {
    const filler = net.connect(port, target);
    filler.on('error', () => undefined);
    t.teardown(() => void filler.destroy());
  }
  await sleep(100);
  return port;
}

const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

t.test('filtered: no answer, one retry, then filtered', { skip: hasPerl ? false : 'perl is not installed' }, async (t) => {
  const port = await fullBacklog(t);
  if (port === undefined) return t.fail('perl listener did not start');
  const { engine, stats } = engineWithStats({ initialTimeoutMs: 200 });
  const started = Date.now();
  const result = await engine.scan(scanOptions([port, banner.port]));
  const states = byPort(result.ports);
  t.equal(states.get(port)?.state, 'filtered');
  t.equal(states.get(banner.port)?.state, 'open');
  t.equal(stats()?.attempts, 3, 'the silent port was tried twice');
  t.equal(stats()?.retries, 1);
  t.ok(Date.now() - started >= 200, 'waited for it');
});

t.test('the overall time limit rejects with EXP_ERR_TIMEOUT and stops', { skip: hasPerl ? false : 'perl is not installed' }, async (t) => {
  const port = await fullBacklog(t);
  if (port === undefined) return t.fail('perl listener did not start');
  const started = Date.now();
  await t.rejects(createConnectEngine({ initialTimeoutMs: 5000 }).scan(scanOptions([port], { timeoutMs: 300 })), { code: 'EXP_ERR_TIMEOUT' });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 290 && elapsed < 1000, `on time (${elapsed} ms)`);
});

t.test('abort: rejects at once and destroys every socket', async (t) => {
  const listeners = await Promise.all(Array.from({ length: 20 }, () => listen()));
  const controller = new AbortController();
  const engine = createConnectEngine({ banners: true, bannerWaitMs: 30_000 });
  const scan = engine.scan(scanOptions(listeners.map((l) => l.port), { signal: controller.signal }));
  t.ok(await until(() => listeners.every((l) => l.open.size === 1), 2000), 'all 20 connected, waiting for banners');
  const started = Date.now();
  controller.abort();
  await t.rejects(scan, { code: 'EXP_ERR_ABORTED' });
  t.ok(Date.now() - started < 100, 'rejected at once');
  t.ok(await until(() => listeners.every((l) => l.open.size === 0), 500), 'every connection closed');

  await t.rejects(engine.scan(scanOptions([silent.port], { signal: AbortSignal.abort() })), { code: 'EXP_ERR_ABORTED' }, 'already aborted');
  await t.rejects(engine.scan(scanOptions([silent.port], { signal: AbortSignal.timeout(50) })), { code: 'EXP_ERR_TIMEOUT' }, 'an AbortSignal.timeout() is a timeout');
});

/** Runs `script` (ESM, may import the project's .ts files by absolute path) in a child node with tsx and `ulimit -n`. */
function child(t: TapTest, script: string, fdLimit: number, args: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exposure-connect-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'child.mts');
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const proc = spawn('sh', ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, ...TS_LOADER_ARGS, file, ...args], { cwd: root });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`child exited ${String(code)}: ${err.slice(-2000)}`));
    });
  });
}

const connectModule = JSON.stringify(new URL('../../src/net/portscan/connect.ts', import.meta.url).href);

t.test('fd exhaustion: backs off, never crashes, finishes once descriptors come back', async (t) => {
  const listeners = await Promise.all(Array.from({ length: 40 }, () => listen()));
  const ports = sorted(listeners.map((l) => l.port));
  const output = await child(
    t,
    `import { openSync, closeSync } from 'node:fs';
import { createConnectEngine } from ${connectModule};
let stats;
const engine = createConnectEngine({ maxConcurrency: 64, onStats: (s) => (stats = s) });
const scan = engine.scan({ target: '127.0.0.1', ports: process.argv.slice(2).map(Number), timeoutMs: 30000 });
// Take every descriptor left, after the scan has sized its budget: the next connects fail with EMFILE.
const held = [];
for (;;) { try { held.push(openSync('/dev/null', 'r')); } catch { break; } }
setTimeout(() => { for (const fd of held) closeSync(fd); }, 300);
const result = await scan;
console.log(JSON.stringify({ states: result.ports.map((p) => p.state), warnings: result.warnings, stats, held: held.length }));`,
    256,
    ports.map(String),
  );
  const report = JSON.parse(output) as { states: string[]; warnings: string[]; stats: ConnectScanStats; held: number };
  t.ok(report.held > 0, `the child held ${report.held} descriptors`);
  t.same(report.states, ports.map(() => 'open'), 'every port open once descriptors came back');
  t.ok(report.stats.resourceErrors > 0, `EMFILE seen ${report.stats.resourceErrors} times`);
  t.match(report.warnings.join('\n'), /EMFILE/);
  t.ok(listeners.every((l) => l.accepted === 1), 'no port connected twice');
});

t.test('the socket budget stays under the process fd limit', async (t) => {
  const listeners = await Promise.all(Array.from({ length: 60 }, () => listen()));
  const ports = sorted(listeners.map((l) => l.port));
  const output = await child(
    t,
    `import { createConnectEngine } from ${connectModule};
let stats;
const engine = createConnectEngine({ maxConcurrency: 5000, initialConcurrency: 5000, banners: true, bannerWaitMs: 200, onStats: (s) => (stats = s) });
const result = await engine.scan({ target: '127.0.0.1', ports: process.argv.slice(2).map(Number), timeoutMs: 30000 });
console.log(JSON.stringify({ states: result.ports.map((p) => p.state), stats }));`,
    100,
    ports.map(String),
  );
  const report = JSON.parse(output) as { states: string[]; stats: ConnectScanStats };
  t.same(report.states, ports.map(() => 'open'));
  t.ok(report.stats.socketBudget < 100 - 30, `budget ${report.stats.socketBudget} under the limit of 100`);
  t.ok(report.stats.peakInFlight <= report.stats.socketBudget);
  t.equal(report.stats.resourceErrors, 0, 'the budget alone kept it out of EMFILE');
});

/**
 * Worker threads cannot load .ts under tsx or tap's loader on Node 20 (hooks do not follow into workers; the
 * engine then scans on the main thread and says so). So this test compiles the engine, as `npm run build` does,
 * and runs the compiled code: that is the path a full-range scan takes in the shipped program.
 */
t.test('worker threads, as built: same results, abort stops them', async (t) => {
  // The threads load the compiled file (a worker cannot load .ts): the one `npm run build` emitted for dist/.
  const compiled = JSON.stringify(builtModule('src/net/portscan/connect.js'));
  const listeners = await Promise.all(Array.from({ length: 8 }, () => listen((socket) => socket.write('hi\n'))));
  // Found closed only after the listeners hold their ports: a port released earlier can be handed to one of them.
  const closedNow = await closedPort();
  const ports = sorted([...listeners.map((l) => l.port), closedNow]);
  const output = await child(
    t,
    `import { createConnectEngine } from ${compiled};
let stats;
const ports = process.argv.slice(2).map(Number);
const engine = createConnectEngine({ threads: 2, banners: true, bannerWaitMs: 300, onStats: (s) => (stats = s) });
const result = await engine.scan({ target: '127.0.0.1', ports, timeoutMs: 30000 });
const slow = createConnectEngine({ threads: 2, banners: true, bannerWaitMs: 60000 });
const controller = new AbortController();
setTimeout(() => controller.abort(), 500);
let aborted;
const before = Date.now();
try { await slow.scan({ target: '127.0.0.1', ports, timeoutMs: 60000, signal: controller.signal }); } catch (error) { aborted = { code: error.code, ms: Date.now() - before }; }
console.log(JSON.stringify({ result, stats, aborted }));`,
    1024,
    ports.map(String),
  );
  const report = JSON.parse(output) as { result: { ports: PortResult[]; warnings: string[] }; stats: ConnectScanStats; aborted: { code: string; ms: number } };
  t.equal(report.stats.threads, 2, 'two threads');
  t.same(report.result.warnings, [], 'no thread fell back to the main thread');
  t.same(report.result.ports.map((r) => r.port), ports);
  for (const r of report.result.ports) {
    if (r.port === closedNow) t.equal(r.state, 'closed');
    else t.same([r.state, r.banner], ['open', 'hi\\n'], String(r.port));
  }
  t.equal(report.aborted.code, 'EXP_ERR_ABORTED');
  t.ok(report.aborted.ms < 700, `abort took effect at once (${report.aborted.ms} ms)`);
  t.ok(await until(() => listeners.every((l) => l.open.size === 0), 1000), 'the threads closed every socket');
});
