import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createNmapEngine, findNmap, nmapEngine } from '../../src/net/portscan/nmap.js';
import type { PortResult } from '../../src/net/portscan/types.js';
import { closedPort as closedPortOn } from '../support/ports.js';

// Every scan here targets 127.0.0.1, and only ports of listeners this file starts or has just seen closed.
const target = '127.0.0.1';

const nmap = await findNmap();
const ci = process.env['CI'] !== undefined && !['', 'false', '0'].includes(process.env['CI']);
if (nmap === undefined && ci) t.fail('nmap is not on PATH, and CI installs it');
const skip = nmap === undefined && !ci ? 'nmap is not installed (apt install nmap)' : false;

/** Every process this test file starts, seen by Node itself before it is spawned. */
const spawned: ChildProcess[] = [];
diagnosticsChannel.subscribe('child_process', (message) => spawned.push((message as { process: ChildProcess }).process));

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, target, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

const closedPort = (): Promise<number> => closedPortOn(target);

const sockets = new Set<net.Socket>();
t.teardown(() => { for (const socket of sockets) socket.destroy(); });
const track = (socket: net.Socket): void => { sockets.add(socket); socket.on('error', () => undefined).on('close', () => sockets.delete(socket)); };

const sshPort = await listen(net.createServer((socket) => { track(socket); socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'); }));
const webServer = http.createServer((_, res) => { res.setHeader('Server', 'nginx/1.22.1'); res.end('<html><title>QTS</title></html>'); });
webServer.on('connection', track);
const webPort = await listen(webServer);
/** Accepts and never says a word: -sV then waits on it for a long time, which the abort and timeout tests need. */
const silentPort = await listen(net.createServer(track));
const closedPorts = [await closedPort(), await closedPort()];

const sorted = (ports: number[]): number[] => [...new Set(ports)].sort((a, b) => a - b);
const byPort = (ports: PortResult[]): Map<number, PortResult> => new Map(ports.map((result) => [result.port, result]));

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

t.test('findNmap finds nmap 7.x on PATH and caches it', { skip }, async (t) => {
  t.match(nmap, { path: /nmap$/, version: /^7\.\d+/ });
  const before = spawned.length;
  t.same(await findNmap(), nmap);
  t.equal(spawned.length, before, 'no second `nmap --version`');
});

t.test('open and closed states, every requested port present, argv kept', { skip }, async (t) => {
  const ports = sorted([sshPort, webPort, ...closedPorts]);
  const result = await nmapEngine.scan({ target, ports, timeoutMs: 30_000 });
  t.equal(result.engine, 'nmap');
  t.same(result.ports.map((entry) => entry.port), ports, 'one result per requested port, in order');
  const states = byPort(result.ports);
  t.equal(states.get(sshPort)?.state, 'open');
  t.equal(states.get(webPort)?.state, 'open');
  for (const port of closedPorts) t.equal(states.get(port)?.state, 'closed');
  t.equal(result.command?.[0], nmap?.path);
  t.same(result.command?.slice(-2), ['--', target], 'target last, after --');
  t.ok(result.command?.includes('-sT'), 'a connect scan by default, even as root');
  t.same(result.warnings, []);
});

t.test('-sV: product and version, and progress as nmap reports it', { skip }, async (t) => {
  const ports = sorted([sshPort, webPort, closedPorts[0]!]);
  const calls: [number, number][] = [];
  const processEvents = ['uncaughtException', 'unhandledRejection', 'SIGINT', 'SIGTERM', 'exit', 'beforeExit'] as const;
  const listeners = (): number[] => processEvents.map((event) => process.listenerCount(event));
  const before = listeners();
  let during: number[] | undefined;
  const started = Date.now();
  const result = await nmapEngine.scan({
    target, ports, timeoutMs: 60_000, serviceDetection: true,
    onProgress: (done, total) => { calls.push([done, total]); during ??= listeners(); },
  });
  t.same(during, before, `no process.on(...) while nmap runs (${processEvents.join(', ')})`);
  t.comment(`-sV on ${ports.length} ports took ${Date.now() - started} ms, ${calls.length} progress calls`);
  const states = byPort(result.ports);
  t.match(states.get(sshPort), { state: 'open', service: 'ssh', product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3' });
  t.match(states.get(webPort), { state: 'open', service: 'http', product: 'nginx', version: '1.22.1' });
  t.equal(states.get(closedPorts[0]!)?.state, 'closed');
  t.ok(result.command?.includes('-sV'));
  t.same(calls.at(-1), [3, 3], 'ends at total');
  t.ok(calls.some(([done]) => done < 3), 'progress from <taskprogress> before the end');
  t.ok(calls.every(([done, total], index) => total === 3 && done >= (calls[index - 1]?.[0] ?? 0)), 'never goes back');
});

t.test('an AbortSignal kills nmap and rejects with EXP_ERR_ABORTED', { skip }, async (t) => {
  const controller = new AbortController();
  const before = spawned.length;
  const scan = nmapEngine.scan({ target, ports: [silentPort], timeoutMs: 60_000, serviceDetection: true, signal: controller.signal });
  setTimeout(() => controller.abort(), 800);
  const started = Date.now();
  await t.rejects(scan, { code: 'EXP_ERR_ABORTED' });
  t.ok(Date.now() - started < 3000, 'promptly');
  const child = spawned[before];
  t.ok(child?.pid, 'nmap had been started');
  t.ok(isGone(child!.pid!), `nmap (pid ${child?.pid}) is gone when the promise rejects`);
  t.equal(child?.signalCode, 'SIGTERM', 'SIGTERM was enough');
});

t.test('the time limit kills nmap and rejects with EXP_ERR_TIMEOUT', { skip }, async (t) => {
  const before = spawned.length;
  const started = Date.now();
  await t.rejects(nmapEngine.scan({ target, ports: [silentPort], timeoutMs: 1500, serviceDetection: true }), { code: 'EXP_ERR_TIMEOUT' });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 1400 && elapsed < 4000, `stopped at the limit (${elapsed} ms)`);
  t.ok(isGone(spawned[before]!.pid!), 'nmap is gone');
});

t.test('a signal already aborted starts nothing', { skip }, async (t) => {
  const before = spawned.length;
  await t.rejects(nmapEngine.scan({ target, ports: [sshPort], timeoutMs: 5000, signal: AbortSignal.abort() }), { code: 'EXP_ERR_ABORTED' });
  t.equal(spawned.length, before);
});

t.test('targets that are not one IPv4 or IPv6 address are refused before any process starts', async (t) => {
  const written = path.join(os.tmpdir(), `exposure-nmap-injection-${process.pid}`);
  t.teardown(() => rmSync(written, { force: true }));
  const before = spawned.length;
  const hostile = [
    `127.0.0.1 --script http-title -oN ${written}`,
    '-iL /etc/passwd',
    `-oN ${written}`,
    '127.0.0.1\n-oN /tmp/x',
    '127.0.0.1/24',
    '127.0.0.1,2',
    '0x7f.1',
    '::1/128',
    'fe80::1%lo',
    '::ffff:127.0.0.1',
    '-6',
    'localhost',
    '',
  ];
  for (const candidate of hostile) {
    await t.rejects(nmapEngine.scan({ target: candidate, ports: [sshPort], timeoutMs: 5000 }), { code: 'EXP_ERR_USAGE' }, JSON.stringify(candidate));
  }
  t.equal(spawned.length, before, 'not one process (validation also comes before the first `nmap --version`)');
  t.notOk(existsSync(written), 'no file written');
});

t.test('ports and time limits that nmap would misread are refused', async (t) => {
  const before = spawned.length;
  for (const ports of [[], [0], [65536], [80, 22], [22, 22], [1.5], [Number.NaN]]) {
    await t.rejects(nmapEngine.scan({ target, ports, timeoutMs: 5000 }), { code: 'EXP_ERR_USAGE' }, JSON.stringify(ports));
  }
  for (const timeoutMs of [0, -1, 1.5, 2 ** 31, Number.POSITIVE_INFINITY]) {
    await t.rejects(nmapEngine.scan({ target, ports: [sshPort], timeoutMs }), { code: 'EXP_ERR_USAGE' }, String(timeoutMs));
  }
  t.equal(spawned.length, before);
});

t.test('a real nmap warning on stderr is kept and drops no result', { skip }, async (t) => {
  // nmap warns on stderr when the current folder holds an nmap-services file (and does not use it).
  const folder = mkdtempSync(path.join(os.tmpdir(), 'exposure-nmap-cwd-'));
  writeFileSync(path.join(folder, 'nmap-services'), '');
  const previous = process.cwd();
  process.chdir(folder);
  t.teardown(() => { process.chdir(previous); rmSync(folder, { recursive: true, force: true }); });
  const ports = sorted([sshPort, webPort, closedPorts[1]!]);
  const result = await nmapEngine.scan({ target, ports, timeoutMs: 30_000 });
  t.match(result.warnings, [/^Warning: File \.\/nmap-services exists/]);
  t.same(result.ports.map((entry) => [entry.port, entry.state]), ports.map((port) => [port, port === closedPorts[1] ? 'closed' : 'open']));
});

t.test('nmap failing without results is an error carrying what nmap said', { skip }, async (t) => {
  // A broken service-probes file in NMAPDIR makes the real nmap quit with status 1 before scanning.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'exposure-nmapdir-'));
  writeFileSync(path.join(folder, 'nmap-service-probes'), 'Probe TCP NULL q||\nmatch broken\n');
  const previous = process.env['NMAPDIR'];
  process.env['NMAPDIR'] = folder;
  t.teardown(() => {
    if (previous === undefined) delete process.env['NMAPDIR'];
    else process.env['NMAPDIR'] = previous;
    rmSync(folder, { recursive: true, force: true });
  });
  await t.rejects(nmapEngine.scan({ target, ports: [sshPort], timeoutMs: 30_000, serviceDetection: true }), {
    code: 'EXP_ERR_NMAP_FAILED',
    message: /nmap exited with code 1 without results: InitMatch: parse error on line 2 .*QUITTING!/,
  });
});

t.test('a SYN scan only when asked and root', { skip }, async (t) => {
  const ports = sorted([sshPort, closedPorts[0]!]);
  const result = await createNmapEngine({ synScan: true }).scan({ target, ports, timeoutMs: 30_000 });
  if (process.getuid?.() === 0) {
    t.ok(result.command?.includes('-sS'));
    t.same(result.warnings, []);
  } else {
    t.ok(result.command?.includes('-sT'));
    t.match(result.warnings, [/needs root/]);
  }
  t.same(result.ports.map((entry) => entry.state), ports.map((port) => (port === sshPort ? 'open' : 'closed')), 'same states as -sT on loopback');
});

t.test('a scan spawns nmap once: no `nmap --version` before it', { skip }, async (t) => {
  // A fresh instance of the module, with nothing cached, as in a process that scans at once.
  const fresh = (await import(`../../src/net/portscan/nmap.js?fresh=${Date.now()}`)) as typeof import('../../src/net/portscan/nmap.js');
  const before = spawned.length;
  const result = await fresh.nmapEngine.scan({ target, ports: [sshPort], timeoutMs: 30_000 });
  t.equal(result.ports[0]?.state, 'open');
  const started = spawned.slice(before).map((child) => child.spawnargs.slice(1));
  t.equal(started.length, 1, 'one process');
  t.notOk(started[0]?.includes('--version'), 'the scan itself, not a version check');
});
