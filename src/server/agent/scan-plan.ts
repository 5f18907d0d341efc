import { inPortSet, portSetProblem, type MapEPortSet } from '../../net/map-e-port-set.js';
import { parsePortSpec } from '../../net/portscan/port-spec.js';
import type { ScanTarget } from '../../net/portscan/target.js';
import type { ErrorCode } from '../../core/errors.js';
import type { AgentScanRequest, AgentScanResponse } from '../../core/agent.generated.js';
import { decideIpv6Targets, type Ipv6ScopeOptions } from './ipv6-scope.js';
import { sharedAddressEvidence } from './shared-address.js';

export const DEFAULT_PORTS = 'qnap,common';
const SSDP_PORT = 1900;
const NAT_PMP_PORT = 5351;

export interface Refusal {
  refused: true;
  status: number;
  code: ErrorCode;
  message: string;
}

type Scope = NonNullable<AgentScanResponse['scope']>;

/** What one request may scan, decided before any packet is sent. */
export interface ScanPlan {
  refused: false;
  /** The caller's own address (what `address` in the answer says). */
  caller: string;
  /** The addresses to scan: the caller alone, or the IPv6 targets allowed. */
  targets: string[];
  /** TCP ports, the same on every target; may be empty (a port set that holds none of those asked). */
  ports: number[];
  /** Which UDP checks run (only on an IPv4 caller, and only those whose port is the caller's). */
  udp: false | { ssdp: boolean; natPmp: boolean };
  igd?: { port: number; path: string };
  /** Present for a port set or IPv6 targets. */
  scope?: Scope;
  /** True for a request with ipv6Targets: results go in `hosts`. */
  perHost: boolean;
  hostsRefused: Array<{ address: string; reason: string }>;
  warnings: string[];
}

export interface PlanContext {
  caller: ScanTarget;
  request: AgentScanRequest;
  /** The source ports the agent has seen from the caller (this request's included), newest first. */
  seenPorts: readonly number[];
  maxPorts: number;
  ipv6: Ipv6ScopeOptions;
}

function refuse(status: number, code: ErrorCode, message: string): Refusal {
  return { refused: true, status, code, message };
}

function setText(set: MapEPortSet): string {
  return `a=${set.psidOffset}, k=${set.psidLength}, PSID ${set.psid}`;
}

function portList(ports: readonly number[]): string {
  return ports.length > 8 ? `${ports.slice(0, 8).join(', ')} and ${ports.length - 8} more` : ports.join(', ');
}

/**
 * The consent rules, in one place: which addresses and ports a request may have scanned, or why none. IPv4:
 * the caller's address; with a port set only the asked ports inside it, and only when the set holds every source
 * port seen from the caller; without one, never an address whose ports look shared. IPv6: the caller's address,
 * or the targets inside its prefix (decision 0020).
 */
export function planScan(context: PlanContext): ScanPlan | Refusal {
  const { caller, request } = context;
  let asked: number[];
  try {
    asked = parsePortSpec(request.ports ?? DEFAULT_PORTS);
  } catch (error) {
    return refuse(400, 'EXP_ERR_AGENT_BAD_REQUEST', error instanceof Error ? error.message : 'Invalid ports');
  }
  return caller.family === 4 ? planIpv4(context, asked) : planIpv6(context, asked);
}

function planIpv4(context: PlanContext, asked: number[]): ScanPlan | Refusal {
  const { caller, request, seenPorts, maxPorts } = context;
  if (request.ipv6Targets !== undefined) {
    return refuse(400, 'EXP_ERR_AGENT_BAD_REQUEST', 'ipv6Targets needs an IPv6 connection: the agent takes the prefix they must be in from the connection\'s peer address. Connect to the agent over IPv6 (its IPv6 address in the URL)');
  }
  const plan: ScanPlan = { refused: false, caller: caller.address, targets: [caller.address], ports: asked, udp: false, perHost: false, hostsRefused: [], warnings: [] };
  const udpWanted = request.udp ?? true;
  const set = request.portSet;
  if (set === undefined) {
    const shared = sharedAddressEvidence(seenPorts);
    if (shared) {
      const why =
        shared.strength === 'blocks'
          ? `the source ports this agent saw from ${caller.address} (${portList(shared.ports)}) all fall in one MAP-E port set (${setText(shared.portSet)}) across several of its blocks: the address is shared`
          : `the source ports this agent saw from ${caller.address} (${portList(shared.ports)}) all fall in one 16-port block of a MAP-E port set (${setText(shared.portSet)}): the address may be shared (a NAT that hands out ports in sequence does this too)`;
      return refuse(403, 'EXP_ERR_AGENT_ADDRESS_SHARED', `Not scanned: ${why}, and a scan of every port would probe other subscribers' ports. Send this line's port set (portSet); if the address is your own, call GET /v1/whoami a few more times and retry`);
    }
    if (asked.length > maxPorts) return refuse(413, 'EXP_ERR_AGENT_TOO_LARGE', `At most ${maxPorts} ports per scan; asked for ${asked.length}`);
    plan.udp = udpWanted ? { ssdp: true, natPmp: true } : false;
    if (request.igd) plan.igd = request.igd;
    return plan;
  }
  const problem = portSetProblem(set);
  if (problem !== undefined) return refuse(400, 'EXP_ERR_AGENT_BAD_REQUEST', `Invalid portSet: ${problem}`);
  // Every port the caller's NAT used must be in the set: a port outside it says the set is somebody else's.
  const outside = seenPorts.filter((port) => !inPortSet(set, port));
  if (seenPorts.length === 0 || outside.length > 0) {
    return refuse(
      403,
      'EXP_ERR_AGENT_PORT_SET_MISMATCH',
      seenPorts.length === 0
        ? `The agent has seen no source port from ${caller.address} to check the port set against; nothing was scanned`
        : `The port set (${setText(set)}) does not hold the source ports this agent saw from ${caller.address}: ${portList(outside)} are outside it, so it is not this caller's set and nothing was scanned. Compute the set again (IPv6 prefix and MAP-E rule, or GET /v1/whoami's seenPorts) and check no other NAT changes the source ports`,
    );
  }
  const inScope = asked.filter((port) => inPortSet(set, port));
  if (inScope.length > maxPorts) return refuse(413, 'EXP_ERR_AGENT_TOO_LARGE', `At most ${maxPorts} ports per scan; ${inScope.length} of the ports asked are in the port set`);
  plan.ports = inScope;
  plan.udp = udpWanted ? { ssdp: inPortSet(set, SSDP_PORT), natPmp: inPortSet(set, NAT_PMP_PORT) } : false;
  if (plan.udp && !plan.udp.ssdp && !plan.udp.natPmp) plan.udp = false;
  if (request.igd && inPortSet(set, request.igd.port)) plan.igd = request.igd;
  else if (request.igd) plan.warnings.push(`The IGD check was skipped: port ${request.igd.port} is not in the caller's port set`);
  plan.scope = { portSet: set, portsAsked: asked.length, portsInScope: inScope.length, observedSourcePorts: seenPorts.slice(0, 64) };
  return plan;
}

function planIpv6(context: PlanContext, asked: number[]): ScanPlan | Refusal {
  const { caller, request, maxPorts } = context;
  if (request.portSet !== undefined) {
    return refuse(400, 'EXP_ERR_AGENT_BAD_REQUEST', 'portSet is for a shared IPv4 address; this request came over IPv6, where every address is the caller\'s own. Send it over IPv4, or leave it out');
  }
  const warnings = request.igd !== undefined || request.udp === true ? ['The UDP and IGD checks are IPv4 router checks: they do not apply to IPv6 and were skipped'] : [];
  const base = { refused: false as const, caller: caller.address, udp: false as const, warnings };
  if (request.ipv6Targets === undefined) {
    if (asked.length > maxPorts) return refuse(413, 'EXP_ERR_AGENT_TOO_LARGE', `At most ${maxPorts} ports per scan; asked for ${asked.length}`);
    return { ...base, targets: [caller.address], ports: asked, perHost: false, hostsRefused: [] };
  }
  const decision = decideIpv6Targets(caller.address, request.ipv6Targets, context.ipv6);
  const work = decision.allowed.length * asked.length;
  if (work > maxPorts) {
    return refuse(413, 'EXP_ERR_AGENT_TOO_LARGE', `At most ${maxPorts} ports per request, over all targets; ${decision.allowed.length} targets x ${asked.length} ports is ${work}. Ask for fewer ports or fewer targets per request`);
  }
  return {
    ...base,
    targets: decision.allowed,
    ports: asked,
    perHost: true,
    hostsRefused: decision.refused,
    scope: { portsAsked: asked.length, portsInScope: asked.length, ipv6Prefix: decision.prefix },
  };
}
