import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { readBanner, type BannerLimits } from './banner.js';
import { ConcurrencyWindow, RttTimeout } from './connect-window.js';

/** Port states as bytes (0: not yet known): one Uint8Array slot per port keeps a 65,535-port scan at 64 KiB. */
export const OPEN = 1;
export const CLOSED = 2;
export const FILTERED = 3;

export interface ShardTuning {
  initialConcurrency: number;
  maxConcurrency: number;
  initialTimeoutMs: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Extra tries for a port whose try timed out. */
  retries: number;
  banner: BannerLimits | undefined;
}

export interface ShardJob {
  target: string;
  ports: Uint16Array;
  tuning: ShardTuning;
}

export interface ShardStats {
  attempts: number;
  retries: number;
  losses: number;
  resourceErrors: number;
  peakWindow: number;
  finalWindow: number;
  peakInFlight: number;
  finalTimeoutMs: number;
  smoothedRttMs: number | undefined;
}

export interface ShardOutcome {
  /** One of OPEN, CLOSED, FILTERED per port of the job, same order. */
  states: Uint8Array;
  /** [index in the job, escaped banner] */
  banners: Array<[number, string]>;
  warnings: string[];
  stats: ShardStats;
}

/** This machine is short of sockets, buffers or source ports: try the port again later, with fewer in flight. */
const RESOURCE_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EAGAIN']);
/** ICMP unreachable (or no route at all): nmap -sT calls these filtered, and a retry would get the same answer. */
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
/** A local firewall refused to send: not the target's doing, but the port cannot be reached from here either. */
const LOCAL_POLICY = new Set(['EPERM', 'EACCES']);

/**
 * Presumed-silent probes may hold at most this many windows' worth of sockets: enough that a few filtered ports
 * in a mostly answering range cost nothing, not so many that a path which drops because it is overloaded gets
 * flooded with more (its losses halve the window, and this bound with it).
 */
const SILENT_PER_WINDOW = 4;

interface Probe {
  index: number;
  socket: net.Socket;
  sentAt: number;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  /** Unanswered for longer than answers take: out of the window, still holding its socket. */
  presumedSilent: boolean;
}

/**
 * Random order, as nmap scans: early answers from all over the range measure the path before a filtered block
 * is reached, and a filtered block is spread over the whole scan instead of stalling one part of it.
 */
function shuffled(count: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const swap = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = swap;
  }
  return order;
}

/**
 * Scans one list of ports on one target. Ports are taken from the list only as the window lets them in, so a
 * 65,535-port job holds at most a window's worth of sockets, timers and closures at any time.
 */
export class ConnectShard {
  private readonly states: Uint8Array;
  private readonly tries: Uint8Array;
  private readonly order: Uint32Array;
  private readonly banners: Array<[number, string]> = [];
  private readonly again: number[] = [];
  private readonly live = new Set<Probe>();
  private readonly bannerSockets = new Set<net.Socket>();
  private readonly window: ConcurrencyWindow;
  private readonly rtt: RttTimeout;
  private readonly warnings = new Map<string, string>();
  private next = 0;
  private inFlight = 0;
  private presumedSilent = 0;
  private settledCount = 0;
  private paused = false;
  private backoffMs = 10;
  private stopped = false;
  private resolve: ((outcome: ShardOutcome) => void) | undefined;
  private readonly stats = { attempts: 0, retries: 0, losses: 0, resourceErrors: 0, peakInFlight: 0 };

  constructor(
    private readonly target: string,
    private readonly ports: ArrayLike<number>,
    private readonly tuning: ShardTuning,
    private readonly onSettled: (count: number) => void = () => undefined,
  ) {
    this.states = new Uint8Array(ports.length);
    this.tries = new Uint8Array(ports.length);
    this.order = shuffled(ports.length);
    this.window = new ConcurrencyWindow({ initial: tuning.initialConcurrency, max: tuning.maxConcurrency });
    this.rtt = new RttTimeout({ initialMs: tuning.initialTimeoutMs, minMs: tuning.minTimeoutMs, maxMs: tuning.maxTimeoutMs });
  }

  run(): Promise<ShardOutcome> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.pump();
    });
  }

  /** Destroys every socket at once; run() then never settles (the caller has already given up on it). */
  stop(): void {
    this.stopped = true;
    for (const probe of this.live) {
      clearTimeout(probe.timer);
      probe.socket.destroy();
    }
    this.live.clear();
    for (const socket of this.bannerSockets) socket.destroy();
    this.bannerSockets.clear();
  }

  private pump(): void {
    if (this.stopped || this.paused) return;
    const budget = this.tuning.maxConcurrency;
    while (
      this.inFlight - this.presumedSilent < this.window.size &&
      this.presumedSilent < SILENT_PER_WINDOW * this.window.size &&
      this.inFlight + this.bannerSockets.size < budget
    ) {
      const index = this.again.pop() ?? (this.next < this.order.length ? this.order[this.next++] : undefined);
      if (index === undefined) break;
      this.launch(index);
    }
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.inFlight);
    if (this.settledCount === this.ports.length && this.bannerSockets.size === 0) this.finish();
  }

  private launch(index: number): void {
    const socket = new net.Socket();
    const probe: Probe = { index, socket, sentAt: performance.now(), timer: undefined, settled: false, presumedSilent: false };
    this.tries[index] = (this.tries[index] ?? 0) + 1;
    this.inFlight++;
    this.stats.attempts++;
    this.live.add(probe);
    socket.on('connect', () => this.onConnect(probe));
    socket.on('error', (error: NodeJS.ErrnoException) => this.onError(probe, error.code ?? ''));
    const timeoutMs = this.rtt.timeoutMs;
    const presumeMs = this.rtt.presumeSilentMs;
    if (presumeMs !== undefined && presumeMs < timeoutMs) {
      probe.timer = setTimeout(() => this.presumeSilent(probe, timeoutMs - presumeMs), presumeMs);
    } else {
      this.armTimeout(probe, timeoutMs);
    }
    socket.connect(this.ports[index] ?? 0, this.target);
  }

  private armTimeout(probe: Probe, ms: number): void {
    probe.timer = setTimeout(() => {
      // A timer can fire while the answer already waits in the poll queue (timers run first in each loop turn
      // and a busy loop makes turns long): look again after this turn's I/O before calling the port silent.
      setImmediate(() => this.onTimeout(probe));
    }, ms);
  }

  private presumeSilent(probe: Probe, remainingMs: number): void {
    if (probe.settled || this.stopped) return;
    probe.presumedSilent = true;
    this.presumedSilent++;
    this.armTimeout(probe, remainingMs);
    this.pump();
  }

  /** Marks the probe done once; false when something else (answer, timeout, stop) got there first. */
  private settle(probe: Probe): boolean {
    if (probe.settled || this.stopped) return false;
    probe.settled = true;
    clearTimeout(probe.timer);
    this.live.delete(probe);
    this.inFlight--;
    if (probe.presumedSilent) this.presumedSilent--;
    return true;
  }

  /** An answer came back: it measures the path and, after a silent first try, shows a loss. */
  private answered(probe: Probe): void {
    const now = performance.now();
    this.rtt.sample(now - probe.sentAt);
    this.window.onAnswer(this.rtt.queueing);
    if ((this.tries[probe.index] ?? 0) > 1) {
      this.stats.losses++;
      this.window.onLoss(probe.sentAt, now);
    }
    this.backoffMs = 10;
  }

  private onConnect(probe: Probe): void {
    if (!this.settle(probe)) return;
    this.answered(probe);
    this.record(probe.index, OPEN);
    const banner = this.tuning.banner;
    if (banner === undefined) {
      // RST instead of FIN: no TIME_WAIT left on either side for a connection that carried nothing.
      probe.socket.resetAndDestroy();
    } else {
      const { socket } = probe;
      this.bannerSockets.add(socket);
      void readBanner(socket, banner).then((text) => {
        if (!this.bannerSockets.delete(socket)) return; // stopped meanwhile
        if (text !== undefined) this.banners.push([probe.index, text]);
        // After the peer's FIN, Node 20's resetAndDestroy() leaves the loop spinning at 100% CPU (measured with
        // a service that sends its banner and closes): a plain destroy is right there anyway.
        if (socket.readableEnded || socket.destroyed) socket.destroy();
        else socket.resetAndDestroy();
        this.pump();
      });
    }
    this.pump();
  }

  private onError(probe: Probe, code: string): void {
    if (!this.settle(probe)) return;
    if (code === 'ECONNREFUSED') {
      this.answered(probe);
      this.record(probe.index, CLOSED);
    } else if (UNREACHABLE.has(code)) {
      this.answered(probe);
      this.record(probe.index, FILTERED);
    } else if (RESOURCE_ERRORS.has(code)) {
      this.shortOfResources(probe, code);
      return;
    } else if (LOCAL_POLICY.has(code)) {
      this.warn(code, `${code}: this machine's own firewall refused some connections; those ports are reported filtered`);
      this.record(probe.index, FILTERED);
    } else {
      // ETIMEDOUT from the kernel, or something unexpected: treat it like silence, which gets the retry.
      if (code !== 'ETIMEDOUT') this.warn(code, `connect failed with ${code || 'an unknown error'} on some ports; retried, then reported filtered`);
      this.unanswered(probe.index);
    }
    this.pump();
  }

  private onTimeout(probe: Probe): void {
    if (!this.settle(probe)) return;
    probe.socket.destroy();
    this.unanswered(probe.index);
    this.pump();
  }

  private unanswered(index: number): void {
    this.window.onSilence();
    if ((this.tries[index] ?? 0) <= this.tuning.retries) {
      this.stats.retries++;
      this.again.push(index);
    } else {
      this.record(index, FILTERED);
    }
  }

  private shortOfResources(probe: Probe, code: string): void {
    this.stats.resourceErrors++;
    // Not the port's fault: give its try back and let it go out again once sockets are free.
    this.tries[probe.index] = (this.tries[probe.index] ?? 1) - 1;
    this.again.push(probe.index);
    this.window.onResourceShortage(this.inFlight + 1, performance.now());
    this.warn('resources', `${code}: this machine ran short of sockets; fewer connections were kept in flight (window ${this.window.size})`);
    if (this.paused) return;
    this.paused = true;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(1000, this.backoffMs * 2);
    setTimeout(() => {
      this.paused = false;
      this.pump();
    }, wait);
  }

  private record(index: number, state: number): void {
    this.states[index] = state;
    this.settledCount++;
    this.onSettled(this.settledCount);
  }

  private warn(key: string, message: string): void {
    // One message per cause, updated in place: the last one says how far the window had to come down.
    this.warnings.set(key, message);
  }

  private finish(): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.({
      states: this.states,
      banners: this.banners,
      warnings: [...this.warnings.values()],
      stats: {
        ...this.stats,
        peakWindow: this.window.peak,
        finalWindow: this.window.size,
        finalTimeoutMs: this.rtt.timeoutMs,
        smoothedRttMs: this.rtt.smoothedMs,
      },
    });
  }
}
