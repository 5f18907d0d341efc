/**
 * One port scan in its own process, for bench/wan-scan.ts (run inside a lab namespace with `node --import tsx`).
 * Prints one JSON line: states counted, open ports with banners, the engine's time, the whole process's time
 * (performance.now() counts from process start: Node and tsx start-up included) and peak RSS (threads included).
 *
 *   node --import tsx bench/scan-runner.ts --engine connect|nmap --target 11.1.2.1 [--ports all] [--banners]
 *        [--threads N] [--max-concurrency N] [--timeout-ms N]
 */
import { parseArgs } from 'node:util';
import type { ConnectScanStats } from '../src/net/portscan/connect.js';
import { parsePortSpec } from '../src/net/portscan/port-spec.js';
import type { PortScanEngine } from '../src/net/portscan/types.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'connect' },
    target: { type: 'string' },
    ports: { type: 'string', default: 'all' },
    banners: { type: 'boolean', default: false },
    threads: { type: 'string' },
    'max-concurrency': { type: 'string' },
    'timeout-ms': { type: 'string', default: '600000' },
  },
});

const optionalNumber = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

let stats: ConnectScanStats | undefined;
async function engineNamed(name: string): Promise<PortScanEngine> {
  // Each engine is loaded only when asked for: the process measures one engine's start-up, not both.
  if (name === 'connect') {
    const { createConnectEngine } = await import('../src/net/portscan/connect.js');
    return createConnectEngine({
      threads: optionalNumber(values.threads),
      maxConcurrency: optionalNumber(values['max-concurrency']),
      onStats: (s) => (stats = s),
    });
  }
  if (name === 'nmap') return (await import('../src/net/portscan/nmap.js')).nmapEngine;
  throw new Error(`unknown engine ${name}`);
}

const engine = await engineNamed(values.engine);
const ports = parsePortSpec(values.ports);
const scanStarted = performance.now();
const result = await engine.scan({
  target: values.target ?? '',
  ports,
  timeoutMs: Number(values['timeout-ms']),
  serviceDetection: values.banners,
});
const scanMs = performance.now() - scanStarted;
const counts = { open: 0, closed: 0, filtered: 0 };
for (const port of result.ports) counts[port.state]++;
process.stdout.write(
  `${JSON.stringify({
    engine: result.engine,
    ports: result.ports.length,
    counts,
    open: result.ports.filter((port) => port.state === 'open').map(({ port, banner }) => ({ port, banner })),
    scanMs: Math.round(scanMs),
    processMs: Math.round(performance.now()),
    maxRssKiB: process.resourceUsage().maxRSS,
    stats,
    warnings: result.warnings,
    command: result.command,
  })}\n`,
);
