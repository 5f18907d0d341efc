import type { PortScanEngine, PortScanOptions } from '../../src/net/portscan/types.js';

/**
 * A scan engine that scans nothing: it records the target it was asked to scan and answers every port closed
 * (or what `answer` says). Tests of the agent's caller-only rule use it, so that even a mutant agent that scans
 * someone else sends nothing anywhere (ask with udp: false, no igd, no fingerprint).
 */
export function recordingEngine(answer: (options: PortScanOptions) => Awaited<ReturnType<PortScanEngine['scan']>>['ports'] = (options) => options.ports.map((port) => ({ port, protocol: 'tcp', state: 'closed' }))): {
  engine: PortScanEngine;
  targets: string[];
} {
  const targets: string[] = [];
  const engine: PortScanEngine = {
    name: 'connect',
    scan(options) {
      targets.push(options.target);
      return Promise.resolve({ engine: 'connect', target: options.target, ports: answer(options), durationMs: 0, warnings: [] });
    },
  };
  return { engine, targets };
}
