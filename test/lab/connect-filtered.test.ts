// The connect engine against what loopback cannot do: a firewall that drops, and ICMP unreachables. The engine
// runs in a child process inside the lab's wan namespace and scans the router's WAN address, nothing else.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binaries, withLab } from './lab.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';
import type { ConnectScanStats } from '../../src/net/portscan/connect.js';
import type { PortResult } from '../../src/net/portscan/types.js';

const SCAN = `
import { createConnectEngine } from ${JSON.stringify(new URL('../../src/net/portscan/connect.ts', import.meta.url).href)};
let stats;
const [target, ...ports] = process.argv.slice(2);
const engine = createConnectEngine({ initialTimeoutMs: 300, onStats: (s) => (stats = s) });
const result = await engine.scan({ target, ports: ports.map(Number), timeoutMs: 30000 });
console.log(JSON.stringify({ ports: result.ports, warnings: result.warnings, stats }));
`;

const LISTEN = `require('node:net').createServer((s) => s.on('error', () => {})).listen(7000, '0.0.0.0', () => console.log('ready'));`;

t.test('drop is filtered after a retry, ICMP unreachable is filtered at once, RST is closed', async (t) => {
  const lab = await withLab(t);
  if (!lab) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exposure-connect-lab-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'scan.mts');
  writeFileSync(script, SCAN);

  const listener = lab.spawn(lab.router, process.execPath, ['-e', LISTEN]);
  await new Promise<void>((resolve) => listener.stdout?.once('data', () => resolve()));
  const rule = async (...args: string[]): Promise<void> => {
    const result = await lab.exec(lab.router, binaries.iptablesLegacy, ['-I', 'INPUT', '-i', 'wan0', '-p', 'tcp', ...args]);
    t.equal(result.code, 0, result.stderr);
  };
  await rule('--dport', '1000:1004', '-j', 'DROP');
  await rule('--dport', '2000', '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable');
  await rule('--dport', '2001', '-j', 'REJECT', '--reject-with', 'icmp-net-unreachable');
  await rule('--dport', '2002', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable');
  await rule('--dport', '3000', '-j', 'REJECT', '--reject-with', 'tcp-reset');

  const ports = [999, 1000, 1001, 1002, 1003, 1004, 2000, 2001, 2002, 3000, 7000];
  const run = await lab.exec(lab.wan, process.execPath, [...TS_LOADER_ARGS, script, lab.router.wanAddress, ...ports.map(String)], { timeoutMs: 60_000 });
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { ports: PortResult[]; warnings: string[]; stats: ConnectScanStats };
  const state = new Map(report.ports.map((p) => [p.port, p.state]));
  t.same(report.ports.map((p) => p.port), ports, 'every port once');
  t.equal(state.get(7000), 'open');
  t.equal(state.get(999), 'closed', 'the router answers RST');
  t.equal(state.get(3000), 'closed', 'REJECT with tcp-reset');
  for (const port of [1000, 1001, 1002, 1003, 1004]) t.equal(state.get(port), 'filtered', `${port}: dropped`);
  t.equal(state.get(2000), 'filtered', 'ICMP host unreachable');
  t.equal(state.get(2001), 'filtered', 'ICMP net unreachable');
  // Linux reports an ICMP port unreachable to a TCP connect as ECONNREFUSED: nmap -sT says closed too.
  t.equal(state.get(2002), 'closed', 'ICMP port unreachable');
  t.equal(report.stats.attempts, ports.length + 5, 'only the five dropped ports were tried twice');
  t.equal(report.stats.losses, 0);
  t.same(report.warnings, []);
});
