import type os from 'node:os';
import { ipv6Prefix, parseIpv6 } from '../../src/net/map-e.js';

export type InterfaceTable = ReturnType<typeof os.networkInterfaces>;

export interface GlobalIpv6 {
  address: string;
  /** Its /64, as a CIDR. */
  prefix64: string;
}

/** 2000::/3, global unicast (documentation 2001:db8::/32 included: the lab uses it). */
const GLOBAL_UNICAST = 0x2000n;
/** More addresses than any home host has; a longer table is cut here. */
const MAX_ADDRESSES = 64;

/**
 * This host's global IPv6 addresses (not link-local, not ULA, not loopback), optionally on one interface only.
 * Privacy addresses of one /64 share it: the /64s are what the access kind and the MAP-E rules look at.
 */
export function globalIpv6(table: InterfaceTable, only?: string): GlobalIpv6[] {
  const found: GlobalIpv6[] = [];
  for (const [name, addresses] of Object.entries(table)) {
    if (only !== undefined && name !== only) continue;
    for (const info of addresses ?? []) {
      if (found.length >= MAX_ADDRESSES) return found;
      if (info.family !== 'IPv6' || info.internal) continue;
      const value = parseIpv6(info.address);
      if (value === undefined || value >> 125n !== GLOBAL_UNICAST >> 13n) continue;
      found.push({ address: info.address, prefix64: ipv6Prefix(value, 64) });
    }
  }
  return found;
}

/** Whether the host has any non-internal IPv4 address (none at all: an IPv6-only network). */
export function hasIpv4(table: InterfaceTable, only?: string): boolean {
  return Object.entries(table).some(([name, addresses]) => (only === undefined || name === only) && (addresses ?? []).some((info) => info.family === 'IPv4' && !info.internal));
}
