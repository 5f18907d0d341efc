import net from 'node:net';
import { ipv6Text, ipv6Value } from './portscan/ipv6.js';
import { inPortSet, portSetProblem, portSetRanges, type MapEPortSet, type PortRange } from './map-e-port-set.js';

/**
 * MAP-E (RFC 7597) from the subscriber's side, pure: which rule an IPv6 address falls under, its PSID, its shared
 * IPv4 address when the rule's data has the IPv4 prefix, and its port set. The rules are data
 * (probes/access/map-e-rules.json, schemas/map-e-rules.schema.json); nothing here touches the network.
 */

export interface MapEPrefix {
  ipv6: string;
  ipv4?: string;
  br?: string;
}

export interface MapESource {
  url: string;
  confidence: 'LOW' | 'UNCONFIRMED' | 'DERIVED';
  gives?: string;
}

export interface MapERule {
  id: string;
  label: string;
  services: readonly string[];
  status: 'sourced' | 'unconfirmed-attribution' | 'wip';
  rulePrefixLength: number;
  eaBitsLength: number;
  psidOffset: number;
  psidLength: number;
  prefixes: readonly MapEPrefix[];
  sources: readonly MapESource[];
  note?: string;
}

export interface MapERules {
  description: string;
  rules: readonly MapERule[];
}

export interface MapEMatch {
  rule: MapERule;
  prefix: MapEPrefix;
  /** The bits of the address up to the end of the EA bits (the delegated /56 for every rule here), as a CIDR. */
  userPrefix: string;
  psid: number;
  /** Only when the rule's data gives this prefix's IPv4 prefix. */
  ipv4?: string;
  portSet: MapEPortSet;
  ranges: PortRange[];
  size: number;
}

/** Longer than any IPv6 text form (45 characters with an embedded IPv4): refused before any parsing. */
const MAX_ADDRESS_TEXT = 64;
const ALL_ONES = (1n << 128n) - 1n;

/** An IPv6 address as a 128-bit number; undefined for anything else (an IPv4 address, a zone id, garbage). */
export function parseIpv6(text: string): bigint | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ADDRESS_TEXT || text.includes('%')) return undefined;
  return ipv6Value(text);
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as '::'. */
export function formatIpv6(value: bigint): string {
  return ipv6Text(value);
}

export function prefixMask(length: number): bigint {
  return length === 0 ? 0n : (ALL_ONES << BigInt(128 - length)) & ALL_ONES;
}

/** `value`'s first `length` bits as a CIDR ("2001:db8:1:2::/64"). */
export function ipv6Prefix(value: bigint, length: number): string {
  return `${formatIpv6(value & prefixMask(length))}/${length}`;
}

interface ParsedCidr {
  base: bigint;
  length: number;
}

function parseIpv6Cidr(cidr: string): ParsedCidr | undefined {
  const [address = '', bits = '', extra] = cidr.split('/');
  if (extra !== undefined || !/^\d{1,3}$/.test(bits)) return undefined;
  const base = parseIpv6(address);
  const length = Number(bits);
  if (base === undefined || length > 128) return undefined;
  return { base, length };
}

function parseIpv4Cidr(cidr: string): { base: number; length: number } | undefined {
  const [address = '', bits = '', extra] = cidr.split('/');
  if (extra !== undefined || !/^\d{1,2}$/.test(bits) || !net.isIPv4(address)) return undefined;
  const length = Number(bits);
  if (length > 32) return undefined;
  return { base: address.split('.').reduce((total, octet) => total * 256 + Number(octet), 0), length };
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `length` bits of `value` from bit `start` (0 is the most significant). */
function bitsOf(value: bigint, start: number, length: number): number {
  return Number((value >> BigInt(128 - start - length)) & ((1n << BigInt(length)) - 1n));
}

/** Why a rule is not usable (the schema checks shapes; this checks that the numbers agree); undefined when it is. */
export function ruleProblem(rule: MapERule): string | undefined {
  const { rulePrefixLength: p, eaBitsLength: e, psidOffset: a, psidLength: k } = rule;
  const setProblem = portSetProblem({ psidOffset: a, psidLength: k, psid: 0 });
  if (setProblem !== undefined) return `${rule.id}: ${setProblem}`;
  if (e < k) return `${rule.id}: EA-bits length ${e} is shorter than the PSID length ${k}`;
  if (e - k > 32) return `${rule.id}: EA-bits length ${e} leaves more than 32 IPv4 suffix bits`;
  if (p + e > 64) return `${rule.id}: rule prefix /${p} and ${e} EA bits go past the /64`;
  for (const prefix of rule.prefixes) {
    const parsed = parseIpv6Cidr(prefix.ipv6);
    if (!parsed) return `${rule.id}: ${prefix.ipv6} is not an IPv6 prefix`;
    if ((parsed.base & ~prefixMask(parsed.length) & ALL_ONES) !== 0n) return `${rule.id}: ${prefix.ipv6} has bits set past its length`;
    if (parsed.length > p) return `${rule.id}: ${prefix.ipv6} is longer than the rule prefix /${p}`;
    if (prefix.br !== undefined && parseIpv6(prefix.br) === undefined) return `${rule.id}: BR ${prefix.br} is not an IPv6 address`;
    if (prefix.ipv4 !== undefined) {
      if (parsed.length !== p) return `${rule.id}: ${prefix.ipv6} names an IPv4 prefix but is not a /${p} rule prefix`;
      const ipv4 = parseIpv4Cidr(prefix.ipv4);
      if (!ipv4) return `${rule.id}: ${prefix.ipv4} is not an IPv4 prefix`;
      if (ipv4.length !== 32 - (e - k)) return `${rule.id}: ${prefix.ipv4} should be a /${32 - (e - k)} (${e} EA bits less ${k} PSID bits)`;
      if (ipv4.base % 2 ** (32 - ipv4.length) !== 0) return `${rule.id}: ${prefix.ipv4} has bits set past its length`;
    }
  }
  return undefined;
}

/** A problem with the whole table: a bad rule, a repeated id, or two rules claiming one address. */
export function rulesProblem(rules: MapERules): string | undefined {
  const ids = new Set<string>();
  const seen: { id: string; cidr: ParsedCidr }[] = [];
  for (const rule of rules.rules) {
    const problem = ruleProblem(rule);
    if (problem !== undefined) return problem;
    if (ids.has(rule.id)) return `rule id ${rule.id} is used twice`;
    ids.add(rule.id);
    for (const prefix of rule.prefixes) {
      const cidr = parseIpv6Cidr(prefix.ipv6) as ParsedCidr;
      for (const other of seen) {
        const shorter = Math.min(cidr.length, other.cidr.length);
        if ((cidr.base & prefixMask(shorter)) === (other.cidr.base & prefixMask(shorter))) return `${prefix.ipv6} of ${rule.id} overlaps a prefix of ${other.id}`;
      }
      seen.push({ id: rule.id, cidr });
    }
  }
  return undefined;
}

/**
 * The rule an IPv6 address falls under, with its PSID (the last k of the EA bits, which start right after the rule
 * prefix: v6plus bits 48..55, the OCN rule bits 50..55), port set and, when the data has it, its IPv4 address.
 * undefined for an address no rule covers or one that is not IPv6. `rules` is trusted data (checked at load).
 */
export function matchMapE(address: string, rules: MapERules): MapEMatch | undefined {
  const value = parseIpv6(address);
  if (value === undefined) return undefined;
  for (const rule of rules.rules) {
    for (const prefix of rule.prefixes) {
      const cidr = parseIpv6Cidr(prefix.ipv6);
      if (!cidr || (value & prefixMask(cidr.length)) !== cidr.base) continue;
      const { rulePrefixLength: p, eaBitsLength: e, psidOffset, psidLength: k } = rule;
      const psid = bitsOf(value, p + e - k, k);
      const portSet: MapEPortSet = { psidOffset, psidLength: k, psid };
      const ranges = portSetRanges(portSet);
      const match: MapEMatch = {
        rule,
        prefix,
        userPrefix: ipv6Prefix(value, p + e),
        psid,
        portSet,
        ranges,
        size: ranges.reduce((total, range) => total + range.to - range.from + 1, 0),
      };
      const ipv4 = prefix.ipv4 !== undefined ? parseIpv4Cidr(prefix.ipv4) : undefined;
      if (ipv4) match.ipv4 = formatIpv4(ipv4.base + bitsOf(value, p, e - k));
      return match;
    }
  }
  return undefined;
}

/** At most this many observed ports are looked at: more is not what an agent sends (it keeps 64). */
export const MAX_OBSERVED_PORTS = 1024;
/** How many observed ports a result keeps (the report's bound). */
export const KEPT_OBSERVED_PORTS = 64;

export interface PortSetCheck {
  trusted: boolean;
  /** Distinct observed ports, first seen first, at most KEPT_OBSERVED_PORTS. */
  observed: number[];
  /** Observed ports outside the set (at most KEPT_OBSERVED_PORTS). */
  outside: number[];
  reason?: string;
}

/**
 * Whether the source ports the vantage agent saw all lie in the computed set: the set is trusted only then, and
 * only when at least one port was seen (no observation is no agreement).
 */
export function checkObservedPorts(set: MapEPortSet, ports: readonly unknown[]): PortSetCheck {
  if (ports.length > MAX_OBSERVED_PORTS) return { trusted: false, observed: [], outside: [], reason: `${ports.length} observed ports is more than the ${MAX_OBSERVED_PORTS} a check looks at` };
  const valid = ports.filter((port): port is number => typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65_535);
  if (valid.length !== ports.length) return { trusted: false, observed: [], outside: [], reason: 'an observed source port is not a port number' };
  const observed = [...new Set(valid)];
  const outside = observed.filter((port) => !inPortSet(set, port));
  const kept = { observed: observed.slice(0, KEPT_OBSERVED_PORTS), outside: outside.slice(0, KEPT_OBSERVED_PORTS) };
  if (observed.length === 0) return { trusted: false, ...kept, reason: 'no source port was observed by a vantage agent, so the computed set could not be checked' };
  if (outside.length > 0) {
    const listed = outside.slice(0, 5).join(', ') + (outside.length > 5 ? ` and ${outside.length - 5} more` : '');
    return { trusted: false, ...kept, reason: `the agent saw source port${outside.length === 1 ? '' : 's'} ${listed} outside the computed set (PSID ${set.psid}): the rule does not describe this line` };
  }
  return { trusted: true, ...kept };
}
