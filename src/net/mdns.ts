/**
 * One mDNS / DNS-SD question to the LAN (RFC 6762, RFC 6763): which hosts offer the NAS-ish service types, and
 * their addresses. A legacy unicast query (RFC 6762 §6.7): sent from an ephemeral port (5353 is never bound, so
 * this never joins the multicast group nor hears other hosts' traffic), answered by unicast to that port with our
 * query ID and our question repeated. One packet asks PTR for every service type; SRV and A/AAAA come in the same
 * answer's records; one follow-up packet asks SRV / A / AAAA for what the answers left open.
 *
 * Every answer comes from any device on the LAN: packets, records, names, hosts, addresses and TXT bytes are
 * bounded before they are kept, and the caller decides which addresses are acceptable (acceptIpv4 / acceptIpv6).
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { abortError, createError } from '../core/errors.js';
import { DNS_TYPE, PacketError, decodeMessage, encodeQuery, labelsOf, nameKey, type Labels, type Question, type ResourceRecord } from './mdns-packet.js';

export const MDNS_IPV4_GROUP = '224.0.0.251';
export const MDNS_IPV6_GROUP = 'ff02::fb';
export const MDNS_PORT = 5353;

/** QNAP's own type, then the types a NAS usually announces too (research: qnap/report.md §1, mDNS row). */
export const MDNS_SERVICE_TYPES: readonly string[] = ['_qdiscover._tcp.local', '_http._tcp.local', '_smb._tcp.local', '_device-info._tcp.local', '_workstation._tcp.local'];

/** TXT keys kept as facts (QNAP's _qdiscover._tcp carries them); every other key is left unread. */
export const MDNS_TXT_KEYS = ['model', 'displayModel', 'fwVer', 'fwBuildNum'] as const;
export type MdnsTxtKey = (typeof MDNS_TXT_KEYS)[number];

export const MDNS_LIMITS = {
  windowMs: 1000,
  /** Packets read in one window; later ones are counted, not parsed (a flood costs nothing but the count). */
  maxPackets: 256,
  maxHosts: 64,
  maxAddressesPerHost: 8,
  maxServicesPerHost: 16,
  /** Distinct names kept per kind of record (instances, SRV, addresses): a responder cannot grow the maps. */
  maxNames: 256,
  maxTxtValueBytes: 64,
  /** Questions in the follow-up packet. */
  maxFollowUpQuestions: 32,
} as const;

export interface MdnsService {
  /** The service type, e.g. `_qdiscover._tcp`. */
  type: string;
  /** The instance's own label (any UTF-8 the device chose; control characters replaced). */
  instance: string;
  port: number;
  txt: Partial<Record<MdnsTxtKey, string>>;
}

export interface MdnsHost {
  /** The SRV target, e.g. `labnas.local`. */
  name: string;
  ipv4: string[];
  ipv6: string[];
  services: MdnsService[];
}

export interface MdnsResult {
  asked: string[];
  /** Where the query went, e.g. `224.0.0.251:5353`, `[ff02::fb%eth0]:5353`. */
  sentTo: string[];
  hosts: MdnsHost[];
  packets: { accepted: number; malformed: number; mismatched: number; overLimit: number };
  /** Distinct source addresses of accepted packets. */
  responders: number;
  /** Distinct addresses the accept filters refused (foreign, link-local, ...). */
  dropped: { ipv4: number; ipv6: number };
  followUp: boolean;
  /** Some bound was reached: records, names, hosts or addresses beyond it were not kept. */
  truncated: boolean;
  /** A family whose socket or send failed (the other family still ran). */
  errors: string[];
}

export interface MdnsTimers {
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const SYSTEM_TIMERS: MdnsTimers = { now: () => Date.now(), setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };

export interface MdnsQueryOptions {
  /** The interface asked on: ff02::fb%<name>. Without it, no IPv6 query. */
  interfaceName?: string;
  /** The interface's IPv4 address: the multicast interface for 224.0.0.251. Without it, no IPv4 query. */
  ipv4Address?: string;
  /** Tests only: unicast to these (loopback) instead of the multicast groups. */
  destinations?: ReadonlyArray<{ address: string; port: number }>;
  windowMs?: number;
  signal?: AbortSignal;
  timers?: MdnsTimers;
  acceptIpv4?: (address: string) => boolean;
  acceptIpv6?: (address: string) => boolean;
  serviceTypes?: readonly string[];
  /** Each packet once it has been handled (tests wait on it instead of sleeping). */
  onPacket?: () => void;
}

const cleanText = (buffer: Buffer, max: number): string =>
  buffer
    .subarray(0, max)
    .toString('utf8')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f\u0080-\u009f]/g, '\ufffd');

const dotted = (labels: Labels): string => labels.map((label) => cleanText(label, 63)).join('.');

interface Srv {
  port: number;
  target: Labels;
}

/** What the answers said, by name key, each map bounded. */
class Answers {
  readonly instances = new Map<string, { type: string; labels: Labels }>();
  readonly srv = new Map<string, Srv>();
  readonly txt = new Map<string, Partial<Record<MdnsTxtKey, string>>>();
  readonly ipv4 = new Map<string, Set<string>>();
  readonly ipv6 = new Map<string, Set<string>>();
  readonly droppedIpv4 = new Set<string>();
  readonly droppedIpv6 = new Set<string>();
  truncated = false;

  constructor(
    private readonly types: ReadonlyMap<string, string>,
    private readonly acceptIpv4: (address: string) => boolean,
    private readonly acceptIpv6: (address: string) => boolean,
  ) {}

  private room<V>(map: Map<string, V>, key: string): boolean {
    if (map.has(key) || map.size < MDNS_LIMITS.maxNames) return true;
    this.truncated = true;
    return false;
  }

  private address(map: Map<string, Set<string>>, dropped: Set<string>, accept: (address: string) => boolean, key: string, address: string): void {
    if (!accept(address)) {
      if (dropped.size < 1024) dropped.add(address);
      return;
    }
    if (!this.room(map, key)) return;
    const set = map.get(key) ?? new Set<string>();
    map.set(key, set);
    if (set.has(address)) return;
    if (set.size >= MDNS_LIMITS.maxAddressesPerHost) this.truncated = true;
    else set.add(address);
  }

  add(record: ResourceRecord): void {
    const key = nameKey(record.labels);
    const { data } = record;
    if (data.kind === 'PTR') {
      const type = this.types.get(key);
      // Only the types we asked for, and only an instance directly under its type (RFC 6763 §4.1).
      if (type === undefined || data.target.length !== record.labels.length + 1 || nameKey(data.target.slice(1)) !== key) return;
      const instance = nameKey(data.target);
      if (this.room(this.instances, instance)) this.instances.set(instance, { type, labels: data.target });
    } else if (data.kind === 'SRV') {
      if (this.room(this.srv, key)) this.srv.set(key, { port: data.port, target: data.target });
    } else if (data.kind === 'TXT') {
      if (!this.room(this.txt, key)) return;
      const facts: Partial<Record<MdnsTxtKey, string>> = {};
      for (const entry of data.strings) {
        const equals = entry.indexOf(0x3d);
        if (equals <= 0) continue;
        // RFC 6763 §6.4: keys compare case-insensitively; the values kept are short facts, never markup.
        const name = MDNS_TXT_KEYS.find((wanted) => wanted.toLowerCase() === entry.subarray(0, equals).toString('latin1').toLowerCase());
        if (name !== undefined && facts[name] === undefined) facts[name] = cleanText(entry.subarray(equals + 1), MDNS_LIMITS.maxTxtValueBytes);
      }
      this.txt.set(key, facts);
    } else if (data.kind === 'A') {
      this.address(this.ipv4, this.droppedIpv4, this.acceptIpv4, key, data.address);
    } else if (data.kind === 'AAAA') {
      this.address(this.ipv6, this.droppedIpv6, this.acceptIpv6, key, data.address);
    }
  }

  /** Questions for what is still open: SRV of instances without one, A and AAAA of targets without an address. */
  openQuestions(): Question[] {
    const questions: Question[] = [];
    for (const [key, instance] of this.instances) if (!this.srv.has(key)) questions.push({ labels: instance.labels, type: DNS_TYPE.SRV });
    for (const [key, srv] of this.srv) {
      if (!this.instances.has(key)) continue;
      const target = nameKey(srv.target);
      if (srv.target.length > 0 && !this.ipv4.has(target) && !this.ipv6.has(target)) {
        questions.push({ labels: srv.target, type: DNS_TYPE.A }, { labels: srv.target, type: DNS_TYPE.AAAA });
      }
    }
    const unique = new Map(questions.map((question) => [`${question.type} ${nameKey(question.labels)}`, question]));
    return [...unique.values()].slice(0, MDNS_LIMITS.maxFollowUpQuestions);
  }

  hosts(): MdnsHost[] {
    const hosts = new Map<string, MdnsHost>();
    for (const [key, instance] of this.instances) {
      const srv = this.srv.get(key);
      if (!srv || srv.target.length === 0) continue;
      const target = nameKey(srv.target);
      let host = hosts.get(target);
      if (!host) {
        if (hosts.size >= MDNS_LIMITS.maxHosts) {
          this.truncated = true;
          continue;
        }
        host = { name: dotted(srv.target), ipv4: [...(this.ipv4.get(target) ?? [])], ipv6: [...(this.ipv6.get(target) ?? [])], services: [] };
        hosts.set(target, host);
      }
      if (host.services.length >= MDNS_LIMITS.maxServicesPerHost) {
        this.truncated = true;
        continue;
      }
      host.services.push({ type: instance.type, instance: cleanText(instance.labels[0] ?? Buffer.alloc(0), 63), port: srv.port, txt: this.txt.get(key) ?? {} });
    }
    return [...hosts.values()];
  }
}

interface Sent {
  id: number;
  questions: Set<string>;
}

const questionKey = (question: Question): string => `${question.type} ${nameKey(question.labels)}`;

/**
 * Asks once (plus one follow-up) and listens for the window. Throws only when no query could be sent at all
 * (EXP_ERR_IPV6_MDNS) or when the signal aborts; a family that fails while the other works is listed in `errors`.
 */
export async function mdnsQuery(options: MdnsQueryOptions): Promise<MdnsResult> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, 'The mDNS query');
  const timers = options.timers ?? SYSTEM_TIMERS;
  const windowMs = options.windowMs ?? MDNS_LIMITS.windowMs;
  const asked = [...(options.serviceTypes ?? MDNS_SERVICE_TYPES)];
  const types = new Map(asked.map((type) => [nameKey(labelsOf(type)), type.replace(/\.local$/i, '')]));
  const answers = new Answers(types, options.acceptIpv4 ?? (() => true), options.acceptIpv6 ?? (() => true));
  const result: MdnsResult = { asked: asked.map((type) => type.replace(/\.local$/i, '')), sentTo: [], hosts: [], packets: { accepted: 0, malformed: 0, mismatched: 0, overLimit: 0 }, responders: 0, dropped: { ipv4: 0, ipv6: 0 }, followUp: false, truncated: false, errors: [] };
  const responders = new Set<string>();
  const sent: Sent[] = [];
  let handled = 0;

  const onMessage = (packet: Buffer, remote: dgram.RemoteInfo): void => {
    try {
      if (handled >= MDNS_LIMITS.maxPackets) {
        result.packets.overLimit++;
        return;
      }
      handled++;
      let message;
      try {
        message = decodeMessage(packet);
      } catch (error) {
        if (!(error instanceof PacketError)) throw error;
        result.packets.malformed++;
        return;
      }
      // RFC 6762 §6.7: a legacy unicast answer repeats our ID and our question; anything else is not an answer to us.
      const query = sent.find((entry) => entry.id === message.id);
      const first = message.questions[0];
      if (!message.response || message.opcode !== 0 || message.rcode !== 0 || !query || !first || !query.questions.has(questionKey(first))) {
        result.packets.mismatched++;
        return;
      }
      result.packets.accepted++;
      if (responders.size < 1024) responders.add(remote.address);
      if (message.cut) answers.truncated = true;
      for (const record of message.records) answers.add(record);
    } finally {
      options.onPacket?.();
    }
  };

  const sockets: dgram.Socket[] = [];
  const open = async (family: 'udp4' | 'udp6', bindAddress: string): Promise<dgram.Socket> => {
    const socket = dgram.createSocket({ type: family, ipv6Only: family === 'udp6' });
    sockets.push(socket);
    socket.on('message', onMessage);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: bindAddress, port: 0 }, () => resolve());
    });
    // Late errors (ICMP unreachable as ECONNREFUSED) must not end the process.
    socket.on('error', () => undefined);
    return socket;
  };
  const send = (socket: dgram.Socket, payload: Buffer, port: number, address: string): Promise<void> =>
    new Promise((resolve, reject) => socket.send(payload, port, address, (error) => (error ? reject(error) : resolve())));

  /** The sockets and where each sends; a family that cannot be set up is an error line, not a failure. */
  const routes: Array<{ socket: dgram.Socket; address: string; port: number; label: string }> = [];
  const failed = (what: string, error: unknown): void => {
    result.errors.push(`${what}: ${(error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)).slice(0, 200)}`);
  };
  let windowTimer: unknown;
  let followTimer: unknown;
  let onAbort: () => void = () => undefined;
  try {
    if (options.destinations) {
      for (const destination of options.destinations) {
        try {
          const family = destination.address.includes(':') ? 'udp6' : 'udp4';
          routes.push({ socket: await open(family, family === 'udp6' ? '::1' : '127.0.0.1'), address: destination.address, port: destination.port, label: `${destination.address}:${destination.port}` });
        } catch (error) {
          failed(destination.address, error);
        }
      }
    } else {
      if (options.ipv4Address !== undefined) {
        try {
          const socket = await open('udp4', options.ipv4Address);
          socket.setMulticastInterface(options.ipv4Address);
          // RFC 6762 §11: mDNS packets go out with TTL 255 (224.0.0.251 is link-local: never routed whatever the TTL).
          socket.setMulticastTTL(255);
          routes.push({ socket, address: MDNS_IPV4_GROUP, port: MDNS_PORT, label: `${MDNS_IPV4_GROUP}:${MDNS_PORT}` });
        } catch (error) {
          failed('IPv4', error);
        }
      }
      if (options.interfaceName !== undefined) {
        try {
          const socket = await open('udp6', '::');
          socket.setMulticastInterface(`::%${options.interfaceName}`);
          socket.setMulticastTTL(255);
          routes.push({ socket, address: `${MDNS_IPV6_GROUP}%${options.interfaceName}`, port: MDNS_PORT, label: `[${MDNS_IPV6_GROUP}%${options.interfaceName}]:${MDNS_PORT}` });
        } catch (error) {
          failed('IPv6', error);
        }
      }
    }
    const ask = async (questions: Question[]): Promise<number> => {
      const used = new Set(sent.map((entry) => entry.id));
      let id = randomInt(1, 0x10000);
      while (used.has(id)) id = randomInt(1, 0x10000);
      sent.push({ id, questions: new Set(questions.map(questionKey)) });
      const payload = encodeQuery(id, questions);
      let delivered = 0;
      for (const route of routes) {
        try {
          await send(route.socket, payload, route.port, route.address);
          delivered++;
          if (!result.sentTo.includes(route.label)) result.sentTo.push(route.label);
        } catch (error) {
          failed(`send to ${route.label}`, error);
        }
      }
      return delivered;
    };

    const done = new Promise<void>((resolve, reject) => {
      onAbort = () => reject(abortError(signal, 'The mDNS query'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      windowTimer = timers.setTimeout(resolve, windowMs);
    });
    done.catch(() => undefined);
    const first = await ask([...types.keys()].map((key) => ({ labels: labelsOf(key), type: DNS_TYPE.PTR })));
    if (first === 0) {
      throw createError('EXP_ERR_IPV6_MDNS', `The mDNS query could not be sent (${result.errors.join('; ') || 'no interface to send on'})`);
    }
    // Half the window for the first answers, half for the follow-up's: responders delay shared answers 20-120 ms.
    followTimer = timers.setTimeout(() => {
      const questions = answers.openQuestions();
      if (questions.length === 0) return;
      result.followUp = true;
      void ask(questions).catch(() => undefined);
    }, Math.floor(windowMs / 2));
    await done;
  } finally {
    timers.clearTimeout(windowTimer);
    timers.clearTimeout(followTimer);
    signal?.removeEventListener('abort', onAbort);
    for (const socket of sockets) socket.close();
  }
  result.hosts = answers.hosts();
  result.responders = responders.size;
  result.dropped = { ipv4: answers.droppedIpv4.size, ipv6: answers.droppedIpv6.size };
  result.truncated = answers.truncated;
  return result;
}
