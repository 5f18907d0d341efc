import type { Warning } from '../../src/core/report.generated.js';
import type { Ipv6FirewallReading } from '../../src/net/igd-firewall.js';

/** Where an address was learnt. */
export type Ipv6Source = 'interface' | 'neighbour' | 'nas-host';

/** One global IPv6 address of the LAN: a fact, with where it was learnt and whose it is when that is known. */
export interface Ipv6LanAddress {
  address: string;
  /** Its /64, the unit a router hands a LAN and the agent scopes to. */
  prefix: string;
  sources: Ipv6Source[];
  /** One of this machine's own addresses. */
  thisHost: boolean;
  interface?: string;
  mac?: string;
  /** The IPv4 address of the same device (same MAC, or this host's address on the interface), when known. */
  ipv4?: string;
  /** The NAS the vendor fingerprints recognised on that IPv4 address (vendor and model as the pack named it). */
  nas?: { vendor: string; model?: string };
  /**
   * A temporary (privacy, RFC 8981) address: it changes daily, another address of the same device stays. Kept (the
   * device answers on it too) and marked; null when it cannot be told (a neighbour's addresses).
   */
  temporary: boolean | null;
  /** The device announced itself as a router (NDP R flag). */
  router: boolean;
}

/** How the addresses were looked for, so a short list is never read as "nothing has IPv6". */
export interface Ipv6Inventory {
  interfaces: { read: boolean; globalAddresses: number };
  neighbourTable: { status: 'read' | 'failed' | 'not-run'; entries: number; truncated: boolean; rejected: number; error?: string };
  nasHosts: { recognised: number; withIpv6: number };
  /** mDNS AAAA queries: not tried (multicast from this host is not sent without a lab to test it in). */
  mdns: 'not-tried';
  /** The ICMPv6 echo to ff02::1 that would fill the neighbour table: not sent (decision 0021). */
  warm: 'not-sent';
  dropped: { linkLocal: number; ula: number; documentation: number; other: number };
  /** Documentation prefixes (2001:db8::/32) were accepted as global: a test lab. */
  documentationPrefixes: boolean;
  addressesTruncated: boolean;
  warnings: Warning[];
}

export type Ipv6Firewall = Ipv6FirewallReading;
