import net from 'node:net';

/**
 * IPv6 literals as numbers, for prefix arithmetic (is this target in the caller's /64?). Only literals that
 * net.isIPv6 accepts and that carry no zone id get here; the URL parser gives them in RFC 5952 form first, which
 * also turns an embedded dotted IPv4 tail into two hex groups.
 */
export function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The address as a 128-bit number; undefined for anything that is not a plain IPv6 literal. */
export function ipv6Value(address: string): bigint | undefined {
  if (!net.isIPv6(address) || address.includes('%')) return undefined;
  const canonical = canonicalIpv6(address);
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

/** The text of a 128-bit number, canonical. */
export function ipv6Text(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16));
  return canonicalIpv6(groups.join(':'));
}

const ALL = (1n << 128n) - 1n;

/** The first `length` bits of the address, the rest zero. */
export function prefixOf(value: bigint, length: number): bigint {
  return length === 0 ? 0n : value & (ALL ^ ((1n << BigInt(128 - length)) - 1n));
}

export function inPrefix(value: bigint, prefix: bigint, length: number): boolean {
  return prefixOf(value, length) === prefix;
}

/** ::ffff:0:0/96: an IPv4 address written as IPv6 (what a dual-stack socket reports for an IPv4 peer). */
export function isIpv4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}
