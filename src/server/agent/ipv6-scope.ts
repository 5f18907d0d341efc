import { inPrefix, ipv6Text, ipv6Value, isIpv4Mapped, prefixOf } from '../../net/portscan/ipv6.js';

export interface Ipv6ScopeOptions {
  /** 64: the caller's own /64 (the default); 56: its /56, when the agent's operator chose to widen it. */
  prefixLength: 64 | 56;
  /**
   * Treat the documentation prefixes (2001:db8::/32, 3fff::/20) as global. Only for the test lab, which must use
   * them (no real prefix may appear there); never on an agent on the internet.
   */
  allowDocumentationPrefixes: boolean;
}

export interface Ipv6Decision {
  /** Canonical, unique, in the order asked: the only addresses the agent contacts. */
  allowed: string[];
  refused: Array<{ address: string; reason: string }>;
  /** The prefix targets had to be in, e.g. 2001:db8:1:2::/64. */
  prefix: string;
}

interface Range {
  prefix: bigint;
  length: number;
  reason: string;
}

function range(text: string, length: number, reason: string): Range {
  return { prefix: ipv6Value(text) ?? 0n, length, reason };
}

/** Not global unicast, in the order checked; the documentation prefixes are kept apart (the lab may allow them). */
const NOT_GLOBAL: readonly Range[] = [
  range('::', 128, 'the unspecified address'),
  range('::1', 128, 'a loopback address'),
  range('fe80::', 10, 'a link-local address (fe80::/10)'),
  range('fc00::', 7, 'a unique local address (fc00::/7), not reachable from the internet'),
  range('ff00::', 8, 'a multicast address (ff00::/8)'),
  // Inside 2000::/3 but never a home's LAN address: Teredo, ORCHID, benchmarking (2001::/23) and 6to4, which
  // embeds somebody's IPv4 address.
  range('2001::', 23, 'a special-purpose address (2001::/23: Teredo, benchmarking, ORCHID)'),
  range('2002::', 16, 'a 6to4 address (2002::/16), which embeds an IPv4 address'),
];
const DOCUMENTATION: readonly Range[] = [
  range('2001:db8::', 32, 'a documentation address (2001:db8::/32)'),
  range('3fff::', 20, 'a documentation address (3fff::/20)'),
];
const GLOBAL_UNICAST = range('2000::', 3, 'not a global unicast address (2000::/3)');

/** Why the agent will not contact this address whatever the caller's prefix; undefined for a global unicast one. */
export function notGlobalReason(value: bigint, allowDocumentationPrefixes: boolean): string | undefined {
  if (isIpv4Mapped(value)) return 'an IPv4-mapped address (::ffff:0:0/96): ask for IPv4 over an IPv4 connection';
  const ranges = allowDocumentationPrefixes ? NOT_GLOBAL : [...NOT_GLOBAL, ...DOCUMENTATION];
  const match = ranges.find((candidate) => inPrefix(value, candidate.prefix, candidate.length));
  if (match) return match.reason;
  return inPrefix(value, GLOBAL_UNICAST.prefix, GLOBAL_UNICAST.length) ? undefined : GLOBAL_UNICAST.reason;
}

/**
 * Which of the caller's IPv6 targets the agent may scan: its own address (the TCP peer, always, as for IPv4) and
 * global unicast addresses inside its /64 (or /56). Everything else is refused with the reason, and never
 * contacted. `caller` is the socket's peer address, nothing the request says.
 */
export function decideIpv6Targets(caller: string, targets: readonly string[], options: Ipv6ScopeOptions): Ipv6Decision {
  const own = ipv6Value(caller);
  if (own === undefined) throw new RangeError('The caller is not an IPv6 address');
  const prefixValue = prefixOf(own, options.prefixLength);
  const prefix = `${ipv6Text(prefixValue)}/${options.prefixLength}`;
  const decision: Ipv6Decision = { allowed: [], refused: [], prefix };
  const seen = new Set<bigint>();
  for (const target of targets) {
    const value = ipv6Value(target);
    // The schema's pattern lets "1.2.3.4" or ":::" through; the text is the client's, so it is cut, not trusted.
    const shown = target.slice(0, 45);
    if (value === undefined) {
      decision.refused.push({ address: shown, reason: 'not an IPv6 address' });
      continue;
    }
    if (seen.has(value)) continue;
    seen.add(value);
    const address = ipv6Text(value);
    if (value === own) {
      decision.allowed.push(address);
      continue;
    }
    const reason = notGlobalReason(value, options.allowDocumentationPrefixes) ?? (inPrefix(value, prefixValue, options.prefixLength) ? undefined : `outside the caller's prefix ${prefix}`);
    if (reason === undefined) decision.allowed.push(address);
    else decision.refused.push({ address, reason });
  }
  return decision;
}
