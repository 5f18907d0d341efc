/** A probe's context on loopback, for tests that run one probe step against a local fake device. */
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { ProbeContext } from '../../src/core/probe.js';
import { Scope } from '../../src/core/scope.js';

export function loopbackProbeContext(): ProbeContext {
  return {
    options: { ...DEFAULT_SCAN_OPTIONS, requestTimeoutMs: 2000, maxInFlight: 2 },
    scope: new Scope([{ interface: 'lo', address: '127.0.0.1', cidr: '127.0.0.0/8' }]),
    observations: [],
    deadline: Date.now() + 20_000,
    signal: new AbortController().signal,
    progress: () => undefined,
    publish: () => undefined,
  };
}
