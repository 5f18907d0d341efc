import net from 'node:net';
import { classifyIPv4, isInCidr } from '../../src/core/address.js';
import type { Access, AccessEvidence, AccessPortSet } from '../../src/core/report.generated.js';
import { checkObservedPorts, type MapEMatch } from '../../src/net/map-e.js';

/** The facts the access kind is told from; each one used becomes an evidence entry. */
export interface AccessFacts {
  /** What the router answered to GetExternalIPAddress (null: no router, or no answer). */
  igdExternalIp: string | null;
  /** The router that said it, for the evidence. */
  igdWhere?: string;
  /** This host's global IPv6 /64s, distinct. */
  ipv6Prefixes: string[];
  /** Whether this host has an IPv4 network at all (no IPv4 interface: ipv6-only). */
  hasIpv4: boolean;
  /** The vantage agent's whoami answers; absent without --vantage; `error` when it could not be asked. */
  agent?: { addresses: string[]; family: 'IPv4' | 'IPv6'; ports: number[] } | { error: string };
  /** The MAP-E rule the first matching global IPv6 address falls under. */
  mapE?: MapEMatch;
}

export type IgdAddressClass = 'public' | 'rfc1918' | 'cgnat' | 'ds-lite-b4' | 'reserved' | 'none';

/** RFC 6333 section 5.7: 192.0.0.0/29 is for the B4 and AFTR of DS-Lite; the B4 is normally 192.0.0.2. */
const DS_LITE_B4_BLOCK = '192.0.0.0/29';

export function igdAddressClass(address: string | null): IgdAddressClass {
  if (address === null || !net.isIPv4(address) || address === '0.0.0.0') return 'none';
  if (isInCidr(address, DS_LITE_B4_BLOCK)) return 'ds-lite-b4';
  const kind = classifyIPv4(address);
  return kind === 'private' ? 'rfc1918' : kind === 'cgnat' ? 'cgnat' : kind === 'public' ? 'public' : 'reserved';
}

const CLASS_WORDS: Record<IgdAddressClass, string> = {
  public: 'public',
  rfc1918: 'private (RFC 1918)',
  cgnat: 'shared address space 100.64.0.0/10 (RFC 6598, carrier-grade NAT)',
  'ds-lite-b4': 'the DS-Lite B4 range 192.0.0.0/29 (RFC 6333)',
  reserved: 'reserved',
  none: 'none',
};

const INBOUND_NONE = 'inbound IPv4 cannot reach this home on this line; IPv6 is what matters';

function agentIpv4(facts: AccessFacts): string[] {
  const agent = facts.agent;
  if (!agent || 'error' in agent || agent.family !== 'IPv4') return [];
  return agent.addresses.filter((address) => net.isIPv4(address));
}

function evidenceOf(facts: AccessFacts, igdClass: IgdAddressClass): AccessEvidence[] {
  const evidence: AccessEvidence[] = [];
  if (igdClass !== 'none') {
    evidence.push({ source: igdClass === 'ds-lite-b4' ? 'ds-lite-b4' : 'igd-external-address', value: facts.igdExternalIp ?? '', note: `${CLASS_WORDS[igdClass]}${facts.igdWhere ? `, reported by ${facts.igdWhere}` : ''}`.slice(0, 400) });
  } else {
    evidence.push({ source: 'igd-external-address', value: 'none', note: facts.igdWhere ? `${facts.igdWhere} reported no external IPv4 address` : 'no UPnP router told its external address' });
  }
  const agent = facts.agent;
  if (agent && 'error' in agent) evidence.push({ source: 'agent-address', value: 'not asked', note: `the vantage agent could not be asked: ${agent.error}`.slice(0, 400) });
  else if (agent) {
    evidence.push({ source: 'agent-address', value: agent.addresses.join(', ').slice(0, 400), note: agent.addresses.length > 1 ? 'the agent saw several addresses on connections made at once (a NAT pool)' : `as the vantage agent saw this host over ${agent.family}` });
    evidence.push({ source: 'agent-source-ports', value: agent.ports.join(', ').slice(0, 400), note: `${agent.ports.length} distinct source port(s) the agent saw` });
  }
  for (const prefix of facts.ipv6Prefixes.slice(0, 8)) evidence.push({ source: 'ipv6-prefix', value: prefix, note: 'a global IPv6 /64 of this host' });
  if (facts.mapE) {
    const { rule } = facts.mapE;
    evidence.push({
      source: 'map-e-rule',
      value: rule.id,
      note: `${rule.label}: ${facts.mapE.userPrefix} is inside ${facts.mapE.prefix.ipv6} (rule /${rule.rulePrefixLength}, EA ${rule.eaBitsLength} bits, a=${rule.psidOffset}, k=${rule.psidLength}); status ${rule.status}; source ${rule.sources[0]?.url ?? ''}`.slice(0, 400),
    });
  }
  return evidence;
}

/** The port set and whether the agent's observations confirm it. */
function portSetOf(facts: AccessFacts, match: MapEMatch): AccessPortSet {
  const agent = facts.agent;
  const seen = agentIpv4(facts);
  const base: AccessPortSet = {
    rule: match.rule.id,
    service: match.rule.label,
    psidOffset: match.portSet.psidOffset,
    psidLength: match.portSet.psidLength,
    psid: match.portSet.psid,
    ranges: match.ranges,
    size: match.size,
    trusted: false,
    ...(match.ipv4 !== undefined ? { ipv4: match.ipv4 } : {}),
  };
  if (!agent) return { ...base, reason: 'no vantage agent (--vantage) to check the computed set against the source ports it sees' };
  if ('error' in agent) return { ...base, reason: `the vantage agent could not be asked (${agent.error})`.slice(0, 400) };
  if (seen.length === 0) return { ...base, observedPorts: [], reason: 'the vantage agent was reached over IPv6, so it saw no IPv4 source port' };
  const check = checkObservedPorts(match.portSet, agent.ports);
  const withPorts = { ...base, observedPorts: check.observed };
  if (seen.length > 1) return { ...withPorts, reason: `the agent saw several addresses (${seen.slice(0, 4).join(', ')}): not one shared MAP-E address` };
  if (match.ipv4 !== undefined && seen[0] !== match.ipv4) return { ...withPorts, reason: `the agent sees ${seen[0] ?? ''}, the rule gives ${match.ipv4}: the rule does not describe this line (a fixed-address tunnel, or other data)` };
  if (!check.trusted) return { ...withPorts, reason: check.reason ?? 'not confirmed' };
  return { ...withPorts, trusted: true };
}

function summaryOf(kind: Access['kind'], facts: AccessFacts, portSet: AccessPortSet | undefined, ipv4: string | null): string {
  switch (kind) {
    case 'ds-lite':
      return `DS-Lite: the router reports the B4 address ${facts.igdExternalIp ?? ''} and IPv4 leaves through the provider's AFTR, so ${INBOUND_NONE}.`;
    case 'cgnat':
      return `Carrier-grade NAT: the IPv4 address${ipv4 ? ` ${ipv4}` : ''} is the provider's, shared with other customers, so ${INBOUND_NONE}.`;
    case 'map-e': {
      const first = portSet?.ranges[0];
      const ports = portSet && first ? `this home's ${portSet.size} ports (${portSet.ranges.length} ranges, the first ${first.from}-${first.to})` : 'this home\'s port set';
      const trust = portSet?.trusted ? 'confirmed by the source ports the vantage agent saw' : `not confirmed (${portSet?.reason ?? ''}), so the shared address is not scanned`;
      return `MAP-E (${portSet?.service ?? ''}): the IPv4 address${ipv4 ? ` ${ipv4}` : ''} is shared with other homes and only ${ports} can be reached over IPv4; the set is ${trust}.`.slice(0, 400);
    }
    case 'double-nat':
      return `Double NAT: the router's external address ${facts.igdExternalIp ?? ''} is private, so another router sits in front and only what both forward can be reached over IPv4.`;
    case 'public-ipv4':
      return `This router holds the public IPv4 address ${ipv4 ?? ''}: what it forwards can be reached from the internet.`;
    case 'ipv6-only':
      return 'No IPv4 on this network: only IPv6 reaches it, so the IPv6 firewall is what matters.';
    default:
      return 'The kind of line could not be told from what the router and the vantage agent said; the outside view is taken as it comes.';
  }
}

/**
 * A MAP-E prefix with a fixed IPv4 address carried over IPIP instead of the shared MAP-E address: the router
 * reports a public address that is not the one the rule computes, and the agent sees exactly the router's address
 * on every connection. Both sides must agree: the router's word alone would let a wrong answer open a shared
 * address's every port to a scan.
 */
function fixedIpv4OverTunnel(facts: AccessFacts, igdClass: IgdAddressClass, seen: readonly string[]): boolean {
  const ruleAddress = facts.mapE?.ipv4;
  if (ruleAddress === undefined || igdClass !== 'public' || facts.igdExternalIp === ruleAddress) return false;
  return seen.length === 1 && seen[0] === facts.igdExternalIp;
}

/**
 * The decision table of decision 0019, first row that holds:
 * 1. the router reports an address in 192.0.0.0/29 (the DS-Lite B4)            -> ds-lite
 * 2. a global IPv6 address falls under a MAP-E rule                             -> map-e, unless the router
 *    reports a public address that is not the rule's and the agent sees exactly that address: a fixed IPv4
 *    over an IPv6 tunnel (v6プラス固定IP and the like, IPIP), which is the home's own  -> public-ipv4 (row 6)
 * 3. the router reports 100.64.0.0/10                                           -> cgnat
 * 4. the router reports an RFC 1918 address                                     -> double-nat
 * 5. the router reports a public address, the agent sees another public address -> cgnat
 * 6. the router reports a public address                                        -> public-ipv4
 * 7. this host has a global IPv6 address and no IPv4 network at all             -> ipv6-only
 * 8. anything else                                                              -> unknown
 */
export function classifyAccess(facts: AccessFacts): Access {
  const igdClass = igdAddressClass(facts.igdExternalIp);
  const seen = agentIpv4(facts);
  const igd = igdClass === 'none' ? null : facts.igdExternalIp;
  let kind: Access['kind'];
  const fixedOverTunnel = fixedIpv4OverTunnel(facts, igdClass, seen);
  if (igdClass === 'ds-lite-b4') kind = 'ds-lite';
  else if (facts.mapE && !fixedOverTunnel) kind = 'map-e';
  else if (igdClass === 'cgnat') kind = 'cgnat';
  else if (igdClass === 'rfc1918') kind = 'double-nat';
  // Only another public address says something about the line: an agent that sees a loopback or LAN address runs on
  // this machine or this network (a test, a lab), which says nothing about the path to the internet.
  else if (igdClass === 'public' && seen.some((address) => address !== igd && classifyIPv4(address) === 'public')) kind = 'cgnat';
  else if (igdClass === 'public') kind = 'public-ipv4';
  else if (!facts.hasIpv4 && facts.ipv6Prefixes.length > 0) kind = 'ipv6-only';
  else kind = 'unknown';
  const portSet = kind === 'map-e' && facts.mapE ? portSetOf(facts, facts.mapE) : undefined;
  const ipv4 = seen[0] ?? (igdClass === 'public' || igdClass === 'cgnat' || igdClass === 'rfc1918' ? igd : null) ?? portSet?.ipv4 ?? null;
  const tunnelNote = fixedOverTunnel && kind === 'public-ipv4' ? ` It is a fixed address over an IPv6 tunnel: the IPv6 prefix falls under the ${facts.mapE?.rule.label ?? 'MAP-E'} rule, but the rule gives ${facts.mapE?.ipv4 ?? ''}, and the vantage agent sees ${igd ?? ''} as the router does.` : '';
  return {
    kind,
    summary: `${summaryOf(kind, facts, portSet, ipv4)}${tunnelNote}`.slice(0, 400),
    evidence: evidenceOf(facts, igdClass).slice(0, 32),
    ipv4,
    // The generated type spells maxItems 16 as a union of tuples; the slice keeps the bound.
    ipv6Prefixes: facts.ipv6Prefixes.slice(0, 16) as Access['ipv6Prefixes'],
    ...(portSet ? { portSet } : {}),
  };
}
