import net from 'node:net';

/** What an IPv6 address is, for the question "can the internet reach it": only `global` can. */
export type Ipv6Class = 'global' | 'documentation' | 'link-local' | 'ula' | 'multicast' | 'loopback' | 'unspecified' | 'ipv4-mapped' | 'other' | 'invalid';

/** The eight 16-bit groups of an IPv6 literal, or undefined for anything else (a zone id, a name, IPv4). */
export function ipv6Groups(address: string): number[] | undefined {
  // A zone id (fe80::1%eth0) only ever comes with link-local addresses, which are not reachable from outside.
  if (address.length > 45 || address.includes('%') || !net.isIPv6(address)) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const octets = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${(((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16)}:${(((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...(tail === undefined ? [] : Array<string>(missing).fill('0')), ...right].map((group) => Number.parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/** The canonical text (RFC 5952: lower case, longest zero run compressed), so one address is one key. */
export function canonicalIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
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
