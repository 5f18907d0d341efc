/**
 * The built-in TCP connect engine (issue 3), for machines without nmap. States have nmap -sT's meanings:
 * open (connected), closed (refused: RST), filtered (no answer after one retry, or an ICMP unreachable).
 * Nothing is ever written to an open port; with banners on, whatever the service says first is read (bounded in
 * bytes and time) and kept escaped, see banner.ts. Adaptive concurrency and timeouts: connect-window.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { abortError, createError } from '../../core/errors.js';
import { CLOSED, ConnectShard, OPEN, type ShardJob, type ShardOutcome, type ShardStats, type ShardTuning } from './connect-shard.js';
import { startWorkerShard, type RunningShard } from './connect-worker.js';
import { scanTarget } from './target.js';
import type { PortResult, PortScanEngine, PortScanOptions, PortScanResult } from './types.js';

export interface ConnectEngineOptions {
  /** Connection attempts in flight at the start, before anything has been measured. Default 64. */
  initialConcurrency?: number;
  /** Most attempts in flight (plus open banner reads); also held under the process's free file descriptors. Default 512. */
  maxConcurrency?: number;
  /** Per-port time limit until a round trip has been measured. Default 1000 ms. */
  initialTimeoutMs?: number;
  /** Floor and ceiling of the per-port limit derived from round trips. Defaults 100 and 3000 ms. */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Extra tries for a port that timed out (nmap -sT retries too). Default 1. */
  retries?: number;
  /** Read what open ports say first. Default: when the scan asks for `serviceDetection`. */
  banners?: boolean;
  /** Most banner bytes kept per port. Default 256. */
  bannerBytes?: number;
  /** How long an open port gets to speak first. Default 1000 ms. */
  bannerWaitMs?: number;
  /**
   * Worker threads. Default: for 4,096 ports or more, one per core up to 4; otherwise none (the scan runs on
   * this thread). 0 forces this thread.
   */
  threads?: number;
  /** Diagnostics for benchmarks and tests: how the feedback loops behaved. */
  onStats?: (stats: ConnectScanStats) => void;
}

export interface ConnectScanStats extends Omit<ShardStats, 'smoothedRttMs'> {
  threads: number;
  /** Sockets the scan allowed itself: maxConcurrency, held under the free file descriptors. */
  socketBudget: number;
  /** Slowest shard's smoothed round trip. */
  smoothedRttMs: number | undefined;
}

const DEFAULTS = {
  initialConcurrency: 64,
  maxConcurrency: 512,
  initialTimeoutMs: 1000,
  minTimeoutMs: 100,
  maxTimeoutMs: 3000,
  retries: 1,
  bannerBytes: 256,
  bannerWaitMs: 1000,
};
const THREADS_FROM_PORTS = 4096;
const MAX_THREADS = 4;
/** File descriptors left to the rest of the program (its own sockets, files, the workers' pipes). */
const FD_RESERVE = 64;
const PROGRESS_EVERY_MS = 100;
/** setTimeout's ceiling; a longer delay would fire after 1 ms. About 24 days: no limit, in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createConnectEngine(options: ConnectEngineOptions = {}): PortScanEngine {
  const settings = { ...DEFAULTS, ...dropUndefined(options) };
  checkInteger('initialConcurrency', settings.initialConcurrency, 1, 65_535);
  checkInteger('maxConcurrency', settings.maxConcurrency, 1, 65_535);
  checkInteger('initialTimeoutMs', settings.initialTimeoutMs, 1, 600_000);
  checkInteger('minTimeoutMs', settings.minTimeoutMs, 1, 600_000);
  checkInteger('maxTimeoutMs', settings.maxTimeoutMs, settings.minTimeoutMs, 600_000);
  checkInteger('retries', settings.retries, 0, 5);
  checkInteger('bannerBytes', settings.bannerBytes, 1, 65_536);
  checkInteger('bannerWaitMs', settings.bannerWaitMs, 1, 60_000);
  if (options.threads !== undefined) checkInteger('threads', options.threads, 0, 64);
  return { name: 'connect', scan: (scanOptions) => scan(scanOptions, settings, options) };
}

export const connectEngine: PortScanEngine = createConnectEngine();

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw createError('EXP_ERR_USAGE', `connect engine: ${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
}

/** Checks the options before any connection; returns the target as the sockets get it (IPv6 canonical). */
function validate(options: PortScanOptions): string {
  // Before any connection: a name would go to DNS (which could point anywhere), a CIDR would be many targets.
  const target: unknown = options.target; // typed, but it may come from an API request
  const parsed = scanTarget(target);
  if (parsed === undefined) {
    throw createError('EXP_ERR_USAGE', `The connect engine scans one IPv4 or IPv6 address; "${String(target).slice(0, 60)}" is not one`, {
      hint: 'Give the address itself, e.g. 203.0.113.7 or 2001:db8::7 (no names, no ranges, no zone ids).',
    });
  }
  let previous = 0;
  for (const port of options.ports) {
    if (!Number.isInteger(port) || port <= previous || port > 65_535) {
      throw createError('EXP_ERR_USAGE', 'Ports must be sorted, unique integers from 1 to 65535', { hint: 'Build the list with parsePortSpec().' });
    }
    previous = port;
  }
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw createError('EXP_ERR_USAGE', `The scan time limit must be a positive number of milliseconds (got ${String(options.timeoutMs)})`);
  }
  return parsed.address;
}

/** Free file descriptors under the soft limit (Linux /proc); undefined elsewhere, where EMFILE handling must do. */
function freeFileDescriptors(): number | undefined {
  try {
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (limit === undefined) return undefined;
    return Number(limit) - readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

function startLocalShard(job: ShardJob, onSettled: (settled: number) => void): RunningShard {
  const shard = new ConnectShard(job.target, job.ports, job.tuning, onSettled);
  return { outcome: shard.run(), stop: () => shard.stop() };
}

type Settings = typeof DEFAULTS;

async function scan(options: PortScanOptions, settings: Settings, engine: ConnectEngineOptions): Promise<PortScanResult> {
  const target = validate(options);
  const { signal, ports, timeoutMs } = options;
  if (signal?.aborted) throw abortError(signal, 'The port scan');
  const started = performance.now();

  const free = freeFileDescriptors();
  const socketBudget = Math.max(1, Math.min(settings.maxConcurrency, free === undefined ? Infinity : free - FD_RESERVE));
  const threads = Math.min(
    engine.threads ?? (ports.length >= THREADS_FROM_PORTS ? Math.min(availableParallelism(), MAX_THREADS) : 0),
    Math.max(1, Math.floor(ports.length / 2)),
    socketBudget,
  );
  const shardCount = Math.max(1, threads);
  const grabBanners = engine.banners ?? options.serviceDetection === true;
  const tuning: ShardTuning = {
    initialConcurrency: Math.max(1, Math.ceil(settings.initialConcurrency / shardCount)),
    maxConcurrency: Math.max(1, Math.floor(socketBudget / shardCount)),
    initialTimeoutMs: settings.initialTimeoutMs,
    minTimeoutMs: settings.minTimeoutMs,
    maxTimeoutMs: settings.maxTimeoutMs,
    retries: settings.retries,
    banner: grabBanners ? { maxBytes: settings.bannerBytes, waitMs: settings.bannerWaitMs } : undefined,
  };
  // Interleaved, not in blocks: a filtered range then slows every shard a little instead of one shard a lot.
  const jobs: ShardJob[] = Array.from({ length: shardCount }, (_, shard) => {
    const own = new Uint16Array(Math.ceil((ports.length - shard) / shardCount));
    for (let i = 0; i < own.length; i++) own[i] = ports[shard + i * shardCount] ?? 0;
    return { target, ports: own, tuning };
  });

  const settledByShard = new Array<number>(shardCount).fill(0);
  let lastProgress = 0;
  const progress = (shard: number, settled: number): void => {
    settledByShard[shard] = settled;
    const now = performance.now();
    if (!options.onProgress || now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    options.onProgress(settledByShard.reduce((a, b) => a + b, 0), ports.length);
  };

  const warnings: string[] = [];
  const running = jobs.map((job, shard): RunningShard => {
    const onSettled = (settled: number): void => progress(shard, settled);
    return threads === 0 ? startLocalShard(job, onSettled) : startWorkerShard(job, onSettled, () => startLocalShard(job, onSettled), warnings);
  });

  const outcomes = await new Promise<ShardOutcome[]>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const shard of running) shard.stop();
      reject(error);
    };
    const onAbort = (): void => fail(abortError(signal, 'The port scan'));
    const timer = setTimeout(() => {
      const done = settledByShard.reduce((a, b) => a + b, 0);
      fail(
        createError('EXP_ERR_TIMEOUT', `The port scan of ${target} did not finish within ${timeoutMs} ms (${done} of ${ports.length} ports done)`, {
          hint: 'Raise --timeout, or scan fewer ports.',
        }),
      );
    }, Math.min(timeoutMs, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
    Promise.all(running.map((shard) => shard.outcome)).then((all) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(all);
    }, fail);
  });

  const results = assemble(ports, outcomes);
  options.onProgress?.(ports.length, ports.length);
  engine.onStats?.(combineStats(outcomes, threads, socketBudget));
  for (const outcome of outcomes) for (const warning of outcome.warnings) if (!warnings.includes(warning)) warnings.push(warning);
  return { engine: 'connect', target, ports: results, durationMs: Math.round(performance.now() - started), warnings };
}

function assemble(ports: readonly number[], outcomes: ShardOutcome[]): PortResult[] {
  const count = outcomes.length;
  const results = ports.map((port, index): PortResult => {
    const state = outcomes[index % count]?.states[Math.floor(index / count)];
    return { port, protocol: 'tcp', state: state === OPEN ? 'open' : state === CLOSED ? 'closed' : 'filtered' };
  });
  outcomes.forEach((outcome, shard) => {
    for (const [index, banner] of outcome.banners) {
      const result = results[shard + index * count];
      if (result) result.banner = banner;
    }
  });
  return results;
}

function combineStats(outcomes: ShardOutcome[], threads: number, socketBudget: number): ConnectScanStats {
  const all = outcomes.map((outcome) => outcome.stats);
  const sum = (pick: (stats: ShardStats) => number): number => all.reduce((total, stats) => total + pick(stats), 0);
  const rtts = all.map((stats) => stats.smoothedRttMs).filter((rtt): rtt is number => rtt !== undefined);
  return {
    threads,
    socketBudget,
    attempts: sum((s) => s.attempts),
    retries: sum((s) => s.retries),
    losses: sum((s) => s.losses),
    resourceErrors: sum((s) => s.resourceErrors),
    peakWindow: sum((s) => s.peakWindow),
    finalWindow: sum((s) => s.finalWindow),
    peakInFlight: sum((s) => s.peakInFlight),
    finalTimeoutMs: Math.max(...all.map((s) => s.finalTimeoutMs)),
    smoothedRttMs: rtts.length > 0 ? Math.max(...rtts) : undefined,
  };
}
