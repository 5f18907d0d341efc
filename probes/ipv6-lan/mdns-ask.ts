import type os from 'node:os';
import { MDNS_LIMITS, type MdnsQueryOptions, type MdnsResult } from '../../src/net/mdns.js';
import { isExposureError } from '../../src/core/errors.js';
import type { ObservationKinds } from '../../src/core/observation.js';
import { acceptIpv4FromMdns, acceptIpv6FromMdns } from './mdns-scope.js';
import type { MdnsLanHost } from './collect.js';

type Ipv6Inventory = ObservationKinds['ipv6-inventory'];
type Ipv6LanAddress = ObservationKinds['ipv6-address'];
export type MdnsQueryFunction = (options: MdnsQueryOptions) => Promise<MdnsResult>;

/** At most this many interfaces are asked (each a socket per family and one window, all at once). */
const MAX_INTERFACES = 4;

export interface MdnsAsked {
  status: Ipv6Inventory['mdns'];
  query?: NonNullable<Ipv6Inventory['mdnsQuery']>;
  hosts: MdnsLanHost[];
}

export interface MdnsAskInput {
  query: MdnsQueryFunction;
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** This host's own global addresses (collect.ts, thisHost): where to ask, and which /64s answers may name. */
  own: readonly Ipv6LanAddress[];
  allowDocumentation: boolean;
  signal: AbortSignal;
  windowMs?: number;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Asks every interface that has one of this host's global addresses (the gate: no global address of its own, no
 * query), all at once, and merges the hosts by name. A failure on one interface leaves the others; all failing is
 * 'failed'; an abort is the scan's and is thrown.
 */
export async function askMdns(input: MdnsAskInput): Promise<MdnsAsked> {
  const names = [...new Set(input.own.flatMap((address) => (address.interface !== undefined ? [address.interface] : [])))].slice(0, MAX_INTERFACES);
  if (names.length === 0) return { status: 'not-tried', hosts: [] };
  const prefixes = new Set(input.own.map((address) => address.prefix));
  const acceptIpv6 = acceptIpv6FromMdns(prefixes, input.allowDocumentation);
  const windowMs = input.windowMs ?? MDNS_LIMITS.windowMs;
  const runs = await Promise.allSettled(
    names.map((name) => {
      const ipv4 = (input.interfaces[name] ?? []).filter((info) => info.family === 'IPv4' && !info.internal);
      return input.query({
        interfaceName: name,
        ...(ipv4[0] !== undefined ? { ipv4Address: ipv4[0].address } : {}),
        acceptIpv6,
        acceptIpv4: acceptIpv4FromMdns(ipv4.flatMap((info) => (info.cidr ? [info.cidr] : []))),
        signal: input.signal,
        windowMs,
      });
    }),
  );
  input.signal.throwIfAborted();
  const hosts = new Map<string, MdnsLanHost>();
  const query: NonNullable<Ipv6Inventory['mdnsQuery']> = { asked: [], interfaces: names, sentTo: [], responders: 0, hosts: 0, addresses: 0, added: 0, dropped: 0, packetsIgnored: 0, followUp: false, truncated: false, windowMs };
  const errors: string[] = [];
  runs.forEach((run, index) => {
    if (run.status === 'rejected') {
      if (isExposureError(run.reason, 'EXP_ERR_ABORTED') || isExposureError(run.reason, 'EXP_ERR_TIMEOUT')) throw run.reason;
      errors.push(`${names[index] ?? ''}: ${errorText(run.reason)}`);
      return;
    }
    const result = run.value;
    if (query.asked.length === 0) query.asked = result.asked.slice(0, 16);
    query.sentTo.push(...result.sentTo);
    query.responders += result.responders;
    query.dropped += result.dropped.ipv4 + result.dropped.ipv6;
    query.packetsIgnored += result.packets.malformed + result.packets.mismatched + result.packets.overLimit;
    query.followUp ||= result.followUp;
    query.truncated ||= result.truncated;
    errors.push(...result.errors.map((error) => `${names[index] ?? ''}: ${error}`));
    for (const host of result.hosts) {
      const key = host.name.toLowerCase();
      const known = hosts.get(key);
      const services = host.services.map((service) => ({ type: service.type, instance: service.instance, port: service.port, ...service.txt }));
      if (!known) hosts.set(key, { interface: names[index] ?? '', name: host.name, ipv4: host.ipv4, ipv6: host.ipv6, services });
      else hosts.set(key, { ...known, ipv4: [...new Set([...known.ipv4, ...host.ipv4])], ipv6: [...new Set([...known.ipv6, ...host.ipv6])] });
    }
  });
  query.sentTo = query.sentTo.slice(0, 16);
  if (errors.length > 0) query.error = errors.join('; ').slice(0, 500);
  const list = [...hosts.values()];
  query.hosts = list.length;
  query.addresses = new Set(list.flatMap((host) => host.ipv6)).size;
  if (runs.every((run) => run.status === 'rejected')) return { status: 'failed', query, hosts: [] };
  return { status: query.responders > 0 ? 'answered' : 'no-answer', query, hosts: list };
}
