import dgram from 'node:dgram';
import { createError, abortError } from '../core/errors.js';

export const SSDP_MULTICAST_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;

export const IGD_SEARCH_TARGETS: readonly string[] = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
];

/** One answer is a few hundred bytes; anything over this is not an SSDP answer worth reading. */
const MAX_DATAGRAM_BYTES = 8192;
const MAX_HEADER_VALUE = 1024;

export interface SsdpAnswer {
  from: string;
  location: string;
  st: string;
  usn: string;
  server: string;
}

/** The timers discovery waits on; tests pass a fake clock (test/support/clock.ts) instead of sleeping. */
export interface SsdpTimers {
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const SYSTEM_TIMERS: SsdpTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Stop listening before the window ends: `graceMs` after the first answer `when` accepts (the IGD at the default
 * gateway), so a second IGD on the LAN still has that long to answer. Without such an answer the whole window runs.
 */
export interface SsdpEarlyStop {
  when: (answer: SsdpAnswer) => boolean;
  graceMs: number;
}

export interface SsdpSearchOptions {
  /** Local IPv4 addresses to send multicast M-SEARCH from (one socket each). */
  interfaceAddresses: readonly string[];
  /** Addresses that also get a unicast M-SEARCH (the default gateways). */
  unicastTargets: readonly string[];
  windowMs: number;
  maxAnswers?: number;
  searchTargets?: readonly string[];
  signal?: AbortSignal;
  /** Destination port, for tests only; SSDP is always 1900 on a real network. */
  port?: number;
  earlyStop?: SsdpEarlyStop;
  /** Each new answer as it arrives (progress, tests). */
  onAnswer?: (answer: SsdpAnswer) => void;
  timers?: SsdpTimers;
}

export interface SsdpSearchResult {
  answers: SsdpAnswer[];
  truncated: boolean;
  /** How long answers were collected: the window, or less when earlyStop ended it. */
  listenedMs: number;
  stoppedEarly: boolean;
}

function mSearch(host: string, searchTarget: string, multicast: boolean): Buffer {
  const lines = ['M-SEARCH * HTTP/1.1', `HOST: ${host}:${SSDP_PORT}`, 'MAN: "ssdp:discover"'];
  // MX only belongs to multicast searches (UDA 1.1 §1.3.2); devices spread their answers over MX seconds.
  if (multicast) lines.push('MX: 1');
  lines.push(`ST: ${searchTarget}`, 'USER-AGENT: exposure-scanner UPnP/1.1', '', '');
  return Buffer.from(lines.join('\r\n'));
}

/** Parses an M-SEARCH answer; anything that is not a `200` with a LOCATION is ignored. */
export function parseSsdpAnswer(message: Buffer, from: string): SsdpAnswer | undefined {
  if (message.length > MAX_DATAGRAM_BYTES) return undefined;
  const lines = message.toString('latin1').split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim().slice(0, MAX_HEADER_VALUE));
  }
  const location = headers.get('location');
  if (!location) return undefined;
  return { from, location, st: headers.get('st') ?? '', usn: headers.get('usn') ?? '', server: headers.get('server') ?? '' };
}

/**
 * Sends M-SEARCH for the IGD search targets on every given interface and to every unicast target, and collects
 * every distinct answer for the whole window, or until `earlyStop` ends it: several IGDs (or a hostile device
 * pretending to be one) must all be seen, not just the first.
 */
export async function ssdpSearch(options: SsdpSearchOptions): Promise<SsdpSearchResult> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, 'SSDP discovery');
  const maxAnswers = options.maxAnswers ?? 256;
  const port = options.port ?? SSDP_PORT;
  const targets = options.searchTargets ?? IGD_SEARCH_TARGETS;
  const timers = options.timers ?? SYSTEM_TIMERS;
  const answers = new Map<string, SsdpAnswer>();
  let truncated = false;
  const sockets: dgram.Socket[] = [];
  const listening = new Listening(timers, options.windowMs, signal);

  const onMessage = (message: Buffer, remote: dgram.RemoteInfo): void => {
    const answer = parseSsdpAnswer(message, remote.address);
    if (!answer) return;
    const key = `${answer.from}\n${answer.usn}\n${answer.location}`;
    if (answers.has(key)) return;
    if (answers.size >= maxAnswers) {
      truncated = true;
      return;
    }
    answers.set(key, answer);
    options.onAnswer?.(answer);
    if (options.earlyStop?.when(answer)) listening.endWithin(options.earlyStop.graceMs);
  };

  const open = async (bindAddress: string | undefined): Promise<dgram.Socket> => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    sockets.push(socket);
    socket.on('message', onMessage);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => reject(createError('EXP_ERR_SOCKET', `Cannot open a UDP socket on ${bindAddress ?? 'any address'}: ${error.message}`, { cause: error })));
      socket.bind({ address: bindAddress, port: 0 }, () => resolve());
    });
    // Late errors (e.g. ICMP unreachable surfacing as ECONNREFUSED) must not crash the process.
    socket.on('error', () => undefined);
    return socket;
  };

  const send = (socket: dgram.Socket, payload: Buffer, address: string): void => {
    socket.send(payload, port, address, () => undefined);
  };

  try {
    // The default gateways first: their unicast answer ends the window early (earlyStop), so their search goes out
    // before the multicast sockets are even bound.
    const unicastSocket = options.unicastTargets.length > 0 ? await open(undefined) : undefined;
    const unicastBurst = (): void => {
      if (unicastSocket) for (const target of targets) for (const gateway of options.unicastTargets) send(unicastSocket, mSearch(gateway, target, false), gateway);
    };
    unicastBurst();
    const multicastSockets: dgram.Socket[] = [];
    for (const address of options.interfaceAddresses) {
      const socket = await open(address);
      socket.setMulticastInterface(address);
      // UDA's recommended TTL; the LAN is the only place an IGD should answer from.
      socket.setMulticastTTL(2);
      multicastSockets.push(socket);
    }
    const multicastBurst = (): void => {
      for (const target of targets) for (const socket of multicastSockets) send(socket, mSearch(SSDP_MULTICAST_ADDRESS, target, true), SSDP_MULTICAST_ADDRESS);
    };
    const burst = (): void => {
      multicastBurst();
      unicastBurst();
    };
    multicastBurst();
    // UDP is lossy even on a LAN; a second burst a third into the window catches a dropped search.
    const resend = timers.setTimeout(burst, Math.floor(options.windowMs / 3));
    try {
      await listening.done;
    } finally {
      timers.clearTimeout(resend);
    }
  } finally {
    listening.stop();
    for (const socket of sockets) socket.close();
  }
  return { answers: [...answers.values()], truncated, listenedMs: listening.elapsed(), stoppedEarly: listening.endedEarly };
}

/** The listening window: ends at windowMs, earlier once endWithin() is called, or rejects when the signal aborts. */
class Listening {
  readonly done: Promise<void>;
  endedEarly = false;
  private readonly started: number;
  private readonly end: number;
  private timer: unknown;
  private finish: () => void = () => undefined;
  private readonly onAbort: () => void;

  constructor(
    private readonly timers: SsdpTimers,
    windowMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.started = timers.now();
    this.end = this.started + windowMs;
    let reject: (error: unknown) => void = () => undefined;
    this.done = new Promise<void>((resolve, rejectDone) => {
      this.finish = resolve;
      reject = rejectDone;
    });
    // An answer may come in before the caller awaits done (sockets open first); a rejection then is not unhandled.
    this.done.catch(() => undefined);
    this.onAbort = () => {
      this.stop();
      reject(abortError(signal, 'SSDP discovery'));
    };
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = timers.setTimeout(() => this.finish(), windowMs);
  }

  /** Ends the window ms from now, unless it ends sooner anyway; the first call sets the end. */
  endWithin(ms: number): void {
    if (this.endedEarly) return;
    const at = this.timers.now() + ms;
    if (at >= this.end) return;
    this.endedEarly = true;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.finish(), ms);
  }

  elapsed(): number {
    return Math.min(this.timers.now(), this.end) - this.started;
  }

  stop(): void {
    this.timers.clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
