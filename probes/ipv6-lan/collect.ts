import type os from 'node:os';
import type { Neighbour } from '../../src/net/neighbours.js';
import { classifyIpv6, isEui64, prefix64, type Ipv6Class } from './address.js';
import type { ObservationKinds } from '../../src/core/observation.js';

// The kinds the manifest declares, read through the kernel (a manifest loads its action, so the action never imports it).
type Ipv6Inventory = ObservationKinds['ipv6-inventory'];
type Ipv6LanAddress = ObservationKinds['ipv6-address'];
type Ipv6Source = Ipv6LanAddress['sources'][number];

/** A NAS the vendor fingerprints recognised on the LAN, by its IPv4 address. */
export interface NasHost {
  ipv4: string;
  vendor: string;
  model?: string;
}

export interface CollectInput {
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** --interface: only this one. */
  only?: string | undefined;
  neighbours6: readonly Neighbour[];
  neighbours4: readonly Neighbour[];
  /** This host's temporary addresses (canonical text). */
  temporary: ReadonlySet<string>;
  nasHosts: readonly NasHost[];
  allowDocumentation: boolean;
  /** Hosts the mDNS query named, their addresses already limited to this host's /64s and subnets (mdns-scope.ts). */
  mdnsHosts?: readonly MdnsLanHost[];
}

/** One host the mDNS answers named, with the interface it answered on. */
export interface MdnsLanHost {
  interface: string;
  name: string;
  ipv4: readonly string[];
  ipv6: readonly string[];
  services: NonNullable<Ipv6LanAddress['mdns']>['services'];
}

/** More global addresses than this on one home LAN is a flood, not a home: the first are kept, in priority order. */
export const MAX_ADDRESSES = 256;

const NO_MAC = '00:00:00:00:00:00';

function dropKey(kind: Ipv6Class): keyof Ipv6Inventory['dropped'] {
  if (kind === 'link-local') return 'linkLocal';
  if (kind === 'ula') return 'ula';
  if (kind === 'documentation') return 'documentation';
  return 'other';
}

/**
 * The LAN's global IPv6 addresses from what this host knows, each once (canonical text) with every source that
 * named it, the device's IPv4 address when the MAC ties them, and the NAS it belongs to when the fingerprints
 * recognised that IPv4 address. Pure: the probe reads the tables, this joins them.
 */
export function collectAddresses(input: CollectInput): { addresses: Ipv6LanAddress[]; dropped: Ipv6Inventory['dropped']; truncated: boolean } {
  const dropped = { linkLocal: 0, ula: 0, documentation: 0, other: 0 };
  const found = new Map<string, Ipv6LanAddress>();
  const macToIpv4 = new Map<string, string>();
  for (const neighbour of input.neighbours4) if (!macToIpv4.has(neighbour.mac)) macToIpv4.set(neighbour.mac, neighbour.address);
  const nasByIpv4 = new Map(input.nasHosts.map((host) => [host.ipv4, host]));

  const add = (raw: string, source: Ipv6Source, fill: Omit<Partial<Ipv6LanAddress>, 'address' | 'sources'>): void => {
    const { class: kind, canonical } = classifyIpv6(raw, input.allowDocumentation);
    if (kind !== 'global' || canonical === undefined) {
      if (kind !== 'invalid') dropped[dropKey(kind)]++;
      return;
    }
    const known = found.get(canonical);
    if (known) {
      if (!known.sources.includes(source)) known.sources.push(source);
      known.router ||= fill.router === true;
      if (known.mac === undefined && fill.mac !== undefined) known.mac = fill.mac;
      if (known.ipv4 === undefined && fill.ipv4 !== undefined) known.ipv4 = fill.ipv4;
      if (known.mdns === undefined && fill.mdns !== undefined) known.mdns = fill.mdns;
      return;
    }
    found.set(canonical, {
      address: canonical,
      prefix: prefix64(canonical) ?? '',
      sources: [source],
      thisHost: fill.thisHost ?? false,
      ...(fill.interface !== undefined ? { interface: fill.interface } : {}),
      ...(fill.mac !== undefined ? { mac: fill.mac } : {}),
      ...(fill.ipv4 !== undefined ? { ipv4: fill.ipv4 } : {}),
      ...(fill.mdns !== undefined ? { mdns: fill.mdns } : {}),
      temporary: fill.temporary ?? (isEui64(canonical) ? false : null),
      router: fill.router ?? false,
    });
  };

  for (const [name, infos] of Object.entries(input.interfaces)) {
    if (input.only !== undefined && name !== input.only) continue;
    const list = (infos ?? []).filter((info) => !info.internal);
    const ipv4 = list.find((info) => info.family === 'IPv4')?.address;
    for (const info of list) {
      if (info.family !== 'IPv6') continue;
      const canonical = classifyIpv6(info.address, true).canonical;
      add(info.address, 'interface', {
        thisHost: true,
        interface: name,
        ...(info.mac && info.mac !== NO_MAC ? { mac: info.mac.toLowerCase() } : {}),
        ...(ipv4 !== undefined ? { ipv4 } : {}),
        temporary: canonical !== undefined && input.temporary.has(canonical),
      });
    }
  }
  for (const neighbour of input.neighbours6) {
    const ipv4 = macToIpv4.get(neighbour.mac);
    add(neighbour.address, 'neighbour', { interface: neighbour.interface, mac: neighbour.mac, router: neighbour.router, ...(ipv4 !== undefined ? { ipv4 } : {}) });
  }
  // After the tables: a device the neighbour table knows keeps its MAC's IPv4; mDNS adds the ones it never saw, with the
  // IPv4 address from the device's A record, so the NAS join below works for them too.
  for (const host of input.mdnsHosts ?? []) {
    const mdns = { name: host.name.slice(0, 300), services: host.services.slice(0, 16) };
    for (const address of host.ipv6) add(address, 'mdns', { interface: host.interface, mdns, ...(host.ipv4[0] !== undefined ? { ipv4: host.ipv4[0] } : {}) });
  }
  for (const address of found.values()) {
    const nas = address.ipv4 !== undefined ? nasByIpv4.get(address.ipv4) : undefined;
    if (!nas || address.thisHost) continue;
    address.nas = { vendor: nas.vendor.slice(0, 100), ...(nas.model !== undefined ? { model: nas.model.slice(0, 200) } : {}) };
    address.sources.push('nas-host');
  }
  // This host's and the NAS hosts' first: the outside scan takes the first 64.
  const rank = (address: Ipv6LanAddress): number => (address.thisHost ? 0 : address.nas ? 1 : address.router ? 3 : 2);
  const sorted = [...found.values()].sort((a, b) => rank(a) - rank(b) || (a.temporary === true ? 1 : 0) - (b.temporary === true ? 1 : 0) || a.address.localeCompare(b.address));
  return { addresses: sorted.slice(0, MAX_ADDRESSES), dropped, truncated: sorted.length > MAX_ADDRESSES };
}
