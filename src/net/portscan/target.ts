import net from 'node:net';
import { canonicalIpv6, ipv6Value, isIpv4Mapped } from './ipv6.js';

export interface ScanTarget {
  /** IPv4 as given; IPv6 in its canonical text (RFC 5952: lower case, zeros compressed), which nmap prints too. */
  address: string;
  family: 4 | 6;
}

/**
 * The one address an engine may scan: an IPv4 or IPv6 literal, nothing else. A name would go to DNS (which could
 * point anywhere), a CIDR would be many targets, a zone id (`fe80::1%eth0`) names a link of this machine, and an
 * IPv4-mapped address is an IPv4 address in disguise. Undefined for anything that is not one such address.
 */
export function scanTarget(value: unknown): ScanTarget | undefined {
  if (typeof value !== 'string' || value.length > 45) return undefined;
  if (net.isIPv4(value)) return { address: value, family: 4 };
  const number = ipv6Value(value);
  if (number === undefined || isIpv4Mapped(number)) return undefined;
  return { address: canonicalIpv6(value), family: 6 };
}
