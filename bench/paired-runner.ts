/**
 * The engines as a running program uses them, against bare nmap, in one process (for bench/wan-scan.ts, run inside
 * a lab namespace). The vantage agent and `exposure scan` are processes that are already running when a scan
 * starts, so what an engine costs is its scan, not Node's start-up. Each round runs bare nmap (spawned from this
 * process, its output read to the end, as a shell would run it) and one full-range scan per engine, in an order
 * that rotates from round to round; a round's ratios compare runs seconds apart, so drift in the machine's speed
 * (bare nmap alone moves by up to 20% over a bench here) cancels out of them. Prints one JSON line.
 *
 *   node bench/paired-runner.js --target 11.1.2.1 [--rounds 21] [--engines nmap,connect]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createConnectEngine } from '../src/net/portscan/connect.js';
import { nmapEngine } from '../src/net/portscan/nmap.js';
import { parsePortSpec } from '../src/net/portscan/port-spec.js';
import type { PortScanEngine } from '../src/net/portscan/types.js';
import { nmapCounts, type StateCounts } from './nmap-output.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    rounds: { type: 'string', default: '21' },
    engines: { type: 'string', default: 'nmap,connect' },
  },
});
const target = values.target ?? '';
const rounds = Number(values.rounds);
const engines: Record<string, PortScanEngine> = { nmap: nmapEngine, connect: createConnectEngine() };
const chosen = values.engines.split(',').filter((name) => name in engines);
const ALL = parsePortSpec('all');
const TIMEOUT_MS = 600_000;

interface Run {
  ms: number;
  /** CPU this process (all its threads, not nmap's) spent on the run: what the engine itself costs. */
  ownCpuMs: number;
  counts: StateCounts;
  openPorts: number[];
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function bareNmap(ports: string): Promise<Run> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn('nmap', ['-sT', '-n', '-Pn', '-p', ports, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const ownCpuMs = cpuMsSince(cpu);
      if (code !== 0) reject(new Error(`bare nmap exited with ${String(code)}`));
      else resolve({ ms, ownCpuMs, ...nmapCounts(Buffer.concat(chunks).toString('utf8')) });
    });
  });
}

async function engineScan(engine: PortScanEngine, ports: readonly number[]): Promise<Run> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await engine.scan({ target, ports, timeoutMs: TIMEOUT_MS });
  const ms = performance.now() - started;
  const ownCpuMs = cpuMsSince(cpu);
  const counts: StateCounts = { open: 0, closed: 0, filtered: 0 };
  for (const port of result.ports) counts[port.state]++;
  return { ms, ownCpuMs, counts, openPorts: result.ports.filter((port) => port.state === 'open').map((port) => port.port) };
}

// A running program has loaded its modules and warmed up before its first real scan; so does this one.
await bareNmap('1-1024');
for (const name of chosen) await engineScan(engines[name]!, parsePortSpec('1-1024'));

const commands = ['nmap', ...chosen.map((name) => `${name} engine`)];
const results: Array<Record<string, Run>> = [];
for (let round = 0; round < rounds; round++) {
  const runs: Record<string, Run> = {};
  for (let i = 0; i < commands.length; i++) {
    const command = commands[(i + round) % commands.length]!;
    runs[command] = command === 'nmap' ? await bareNmap('1-65535') : await engineScan(engines[command.replace(' engine', '')]!, ALL);
  }
  results.push(runs);
  console.error(`  paired round ${round + 1}: ${commands.map((command) => `${command} ${runs[command]!.ms.toFixed(0)} ms`).join(', ')}`);
}
process.stdout.write(`${JSON.stringify({ commands, rounds: results })}\n`);
