import { ipv6Text, ipv6Value } from '../../src/net/portscan/ipv6.js';

/** What an IPv6 address is, for the question "can the internet reach it": only `global` can. */
export type Ipv6Class = 'global' | 'documentation' | 'link-local' | 'ula' | 'multicast' | 'loopback' | 'unspecified' | 'ipv4-mapped' | 'other' | 'invalid';

/** The eight 16-bit groups of an IPv6 literal, or undefined for anything else (a zone id, a name, IPv4). */
export function ipv6Groups(address: string): number[] | undefined {
  // A zone id (fe80::1%eth0) only ever comes with link-local addresses, which are not reachable from outside.
  const value = address.length > 45 ? undefined : ipv6Value(address);
  return value === undefined ? undefined : Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - index * 16)) & 0xffffn));
}

/** The canonical text (RFC 5952: lower case, longest zero run compressed), so one address is one key. */
export function canonicalIpv6(groups: readonly number[]): string {
  return ipv6Text(groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n));
}

/**
 * The class of an address. Global unicast is 2000::/3 less the documentation prefixes (2001:db8::/32, RFC 3849;
 * 3fff::/20, RFC 9637): those never appear on a real network, so they count as global only where a test lab
 * says so (`allowDocumentation`).
 */
export function classifyIpv6(address: string, allowDocumentation = false): { class: Ipv6Class; canonical?: string } {
  const groups = ipv6Groups(address);
  if (!groups) return { class: 'invalid' };
  const canonical = canonicalIpv6(groups);
  const [first = 0, second = 0] = groups;
  const of = (kind: Ipv6Class): { class: Ipv6Class; canonical: string } => ({ class: kind, canonical });
  if (groups.every((group) => group === 0)) return of('unspecified');
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return of('loopback');
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) return of('ipv4-mapped');
  if ((first & 0xffc0) === 0xfe80) return of('link-local');
  if ((first & 0xfe00) === 0xfc00) return of('ula');
  if ((first & 0xff00) === 0xff00) return of('multicast');
  if ((first & 0xe000) !== 0x2000) return of('other');
  const documentation = (first === 0x2001 && second === 0x0db8) || (first === 0x3fff && (second & 0xf000) === 0);
  if (documentation) return of(allowDocumentation ? 'global' : 'documentation');
  // Inside 2000::/3 but never a home LAN's address (the agent refuses them too, src/server/agent/ipv6-scope.ts):
  // 2001::/23 (Teredo, benchmarking, ORCHID) and 6to4 2002::/16, which embeds somebody's IPv4 address.
  if ((first === 0x2001 && second < 0x0200) || first === 0x2002) return of('other');
  return of('global');
}

/** The /64 an address is in, as `2001:db8:1:2::/64`: the unit a home's LAN is given and the agent scopes to. */
export function prefix64(address: string): string | undefined {
  const groups = ipv6Groups(address);
  return groups ? `${canonicalIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64` : undefined;
}

/**
 * Whether the interface id is derived from a MAC (modified EUI-64, ff:fe in the middle): stable for the device's
 * life, unlike a temporary (privacy, RFC 8981) address.
 */
export function isEui64(address: string): boolean {
  const groups = ipv6Groups(address);
  return groups !== undefined && ((groups[5] ?? 0) & 0xff) === 0xff && ((groups[6] ?? 0) >> 8) === 0xfe;
}

/**
 * Documentation prefixes count as global only when the environment says this is a test lab
 * (EXPOSURE_IPV6_DOCUMENTATION_PREFIXES=1): a real network never has them, and a scan that treated them as global
 * would ask the agent to scan addresses that cannot be anyone's.
 */
export function documentationPrefixesAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['EXPOSURE_IPV6_DOCUMENTATION_PREFIXES'] === '1';
}
