import { requestVantageScan, vantageUnavailable } from '../../src/net/vantage-client.js';
import { requestWhoami } from '../../src/net/vantage-whoami.js';
import { isExposureError } from '../../src/core/errors.js';
import { selectEngine } from '../../src/net/portscan/engines.js';
import { formatPortList, MAX_SPEC_ITEMS, MAX_SPEC_LENGTH, parsePortSpec } from '../../src/net/portscan/port-spec.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { Access, AccessPortSet, Gateway, ViewCoverage, Wan } from '../../src/core/report.generated.js';
import { inPortSet } from '../../src/net/map-e-port-set.js';
import { primaryGateway as primaryOf } from '../access/gateway.js';
import { agentHostObservations, runOutsideChecks } from './outside-checks.js';
import type { AgentScanResponse } from '../../src/core/agent.generated.js';

function observation(data: Wan): Observation {
  return { probe: 'wan-scan', kind: 'wan', subject: 'wan', at: now(), data };
}

function none(reason: string, igdExternalIp: string | null = null): Observation {
  return observation({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], igdExternalIp, reason });
}

/** The router whose mappings and external address count: the first one read (the default gateway comes first). */
function primaryGateway(context: ProbeContext): Gateway | undefined {
  return primaryOf(context.observations);
}

type Scope = NonNullable<ViewCoverage['scope']>;

function scopeObservation(scope: Scope): Observation {
  return { probe: 'wan-scan', kind: 'outside-scope', subject: 'wan', at: now(), data: { ...scope, description: scope.description.slice(0, 400) } };
}

/**
 * The agent refuses a caller whose source ports all fell in one 16-port block of a MAP-E port set: a shared address,
 * or a home NAT that hands out ports in sequence (decision 0020: 4 ports in sequence do that 81 % of the time). Sixteen
 * more connections tell them apart (a NAT in sequence leaves the block, a MAP-E router stays in its PSID), so the
 * scan is asked once more after them. A refusal that says the address is shared stands.
 */
async function askOnceMoreIfOneBlock<T>(ask: () => Promise<T>, moreConnections: () => Promise<unknown>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    // The client reports an agent's refusal as EXP_ERR_VANTAGE naming the agent's code (src/net/vantage-client.ts).
    if (!isExposureError(error) || !/\(HTTP 403, EXP_ERR_AGENT_ADDRESS_SHARED\): .*one 16-port block/.test(error.message)) throw error;
    await moreConnections();
    return ask();
  }
}

const NO_INBOUND_IPV4 = 'inbound IPv4 cannot reach this home on this line; IPv6 is what matters';

/**
 * What the line lets the outside view touch (decision 0019). DS-Lite and CGNAT: nothing (the IPv4 address is the
 * provider's). MAP-E: only this home's port set, only once the agent's source ports confirmed it, and only from the
 * agent (a scan from inside would leave through the provider to other subscribers). undefined: no limit.
 */
function lineLimit(access: Access | undefined, portsAsked: number, fromAgent: boolean): { refuse: string; scope: Scope } | { portSet: AccessPortSet } | undefined {
  if (!access) return undefined;
  if (access.kind === 'ds-lite' || access.kind === 'cgnat') {
    const line = access.kind === 'ds-lite' ? 'DS-Lite' : 'carrier-grade NAT';
    return { refuse: `${NO_INBOUND_IPV4} (${line}): the shared IPv4 address is the provider's and was not scanned`, scope: { description: `Nothing: on ${line} ${NO_INBOUND_IPV4}; the provider's shared IPv4 address was not scanned.`, portsInScope: 0, portsOutOfScope: portsAsked } };
  }
  if (access.kind !== 'map-e') return undefined;
  const set = access.portSet;
  const refuse = (why: string): { refuse: string; scope: Scope } => ({
    refuse: `the shared MAP-E IPv4 address was not scanned: ${why}`,
    scope: { description: `Nothing: the IPv4 address is shared by MAP-E and ${why}.`, portsInScope: 0, portsOutOfScope: portsAsked },
  });
  if (!set) return refuse('no port set could be computed');
  if (!set.trusted) return refuse(`this home's port set is not confirmed (${set.reason ?? 'no reason given'})`);
  if (!fromAgent) return refuse('a scan from inside would leave through the provider to other subscribers\' ports; use --vantage');
  return { portSet: set };
}

/** Every TCP port a mapping opens is always scanned, whatever the port set. */
function portsToScan(context: ProbeContext): number[] {
  const mapped = observationsOf(context.observations, 'gateway').flatMap((observation) =>
    observation.data.mappings.filter((mapping) => mapping.protocol === 'TCP' && mapping.externalPort > 0).map((mapping) => mapping.externalPort),
  );
  return [...new Set([...parsePortSpec(context.options.ports), ...mapped])].sort((a, b) => a - b);
}

/**
 * The outside view: the external address as the internet sees it. With --vantage, our agent on a VPS scans its
 * caller (us), including UDP 1900/5351 and the router's IGD control URL from the WAN side. Without one, the
 * address is scanned from inside through the router (hairpin NAT), TCP only, and labelled as not an outside view.
 */
export const wanScanProbe: ProbeAction = {
  appliesTo: () => true,
  async run(context: ProbeContext): Promise<Observation[]> {
    const { options } = context;
    const gateway = primaryGateway(context);
    const igdExternalIp = gateway?.externalIp ?? null;
    if (!options.wan) return [none('--no-wan: nothing was sent beyond the LAN', igdExternalIp)];
    const asked = portsToScan(context);
    const remainingMs = Math.max(1000, context.deadline - Date.now());
    const limit = lineLimit(observationsOf(context.observations, 'access')[0]?.data, asked.length, options.vantageUrl !== undefined);
    if (limit && 'refuse' in limit) return [none(limit.refuse, igdExternalIp), scopeObservation(limit.scope)];
    const portSet = limit?.portSet;
    // On a shared address only this home's ports are asked; a mapped port outside the set is another home's.
    const ports = portSet ? asked.filter((port) => inPortSet(portSet, port)) : asked;
    const scope: Scope | undefined = portSet && {
      description: `MAP-E port set (rule ${portSet.rule}, PSID ${portSet.psid}, ${portSet.size} ports): ${ports.length} of the ${asked.length} asked ports lie in it and were scanned; the other ${asked.length - ports.length} belong to other subscribers and were not.`,
      portsInScope: ports.length,
      portsOutOfScope: asked.length - ports.length,
    };
    if (scope && ports.length === 0) {
      return [none(`the shared MAP-E IPv4 address was not scanned: none of the ${asked.length} asked ports lies in this home's port set; use --ports all to scan the whole set`, igdExternalIp), scopeObservation(scope)];
    }

    const { vantageUrl } = options;
    if (vantageUrl) {
      const location = gateway ? new URL(gateway.location) : undefined;
      // Many scattered mappings (a UPnProxy-filled table) can make the list longer than any agent accepts: then ask
      // for every port, which holds them all, rather than fail the outside view on the request's size. On a shared
      // address "every port" is this home's set, never the full range.
      const listed = formatPortList(ports);
      const fits = listed.length <= MAX_SPEC_LENGTH && listed.split(',').length <= MAX_SPEC_ITEMS;
      const whole = portSet ? portSet.ranges.map((range) => `${range.from}-${range.to}`).join(',') : 'all';
      const requestSpec = fits ? listed : whole;
      const portsAsked = fits ? ports.length : portSet ? portSet.size : 65_535;
      context.progress(`Asking the vantage agent to scan ${portsAsked} ports`);
      let answer: AgentScanResponse;
      try {
        answer = await askOnceMoreIfOneBlock(() => requestVantageScan(
          vantageUrl,
          options.vantageToken ?? '',
          {
            ports: requestSpec,
            serviceDetection: options.serviceDetection,
            // UDP 1900/5351 and the IGD's port lie outside every MAP-E set (or may): on a shared address they are
            // other subscribers' ports (or nobody's), and the agent must not touch them.
            udp: portSet === undefined,
            fingerprint: true,
            ...(location && (portSet === undefined || inPortSet(portSet, Number(location.port || 80))) ? { igd: { port: Number(location.port || 80), path: location.pathname } } : {}),
            ...(portSet ? { portSet: { psidOffset: portSet.psidOffset, psidLength: portSet.psidLength, psid: portSet.psid } } : {}),
            timeoutSeconds: Math.max(1, Math.floor(remainingMs / 1000) - 2),
          },
          {
            signal: context.signal,
            timeoutMs: remainingMs,
            trust: { ca: options.vantageCa, pin: options.vantagePin },
          },
        ), () => requestWhoami(vantageUrl, options.vantageToken ?? '', { signal: context.signal, timeoutMs: Math.min(10_000, remainingMs), trust: { ca: options.vantageCa, pin: options.vantagePin }, count: 16 }));
      } catch (error) {
        // An agent that is down must not cost the inside view (a scheduled check would record nothing at all):
        // the report keeps everything else, says the outside view is missing and why. A wrong token or a refused
        // request still stops the scan, because only the user can fix it.
        if (!vantageUnavailable(error)) throw error;
        const message = (error as Error).message;
        return [
          observation({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], igdExternalIp, agentUrl: new URL(vantageUrl).origin, reason: `the vantage agent failed: ${message}` }),
          { probe: 'wan-scan', kind: 'warning', subject: 'wan', at: now(), data: { code: 'EXP_ERR_VANTAGE', message } },
        ];
      }
      return [
        observation({
          vantage: 'agent',
          outsideView: true,
          address: answer.address,
          engine: answer.engine,
          agentUrl: new URL(vantageUrl).origin,
          igdExternalIp,
          portSpec: answer.portSpec,
          portsAsked,
          durationMs: answer.durationMs,
          ports: answer.ports,
          ...(answer.igd ? { igdControl: answer.igd } : {}),
          warnings: answer.warnings,
        }),
        // What the agent's fingerprints saw on the WAN address; the verdicts come from this scanner's data.
        ...agentHostObservations(answer),
        ...(scope ? [scopeObservation(scope)] : []),
      ];
    }

    if (!gateway) return [none('no router found, so no external address to scan; use --vantage for an outside view')];
    const local = observationsOf(context.observations, 'local-networks')[0]?.data;
    const namedGateway = options.gatewayUrl ? new URL(options.gatewayUrl).hostname : undefined;
    const target = context.scope.localVantageTarget(gateway, local?.defaultGateways ?? [], namedGateway);
    if (!target) {
      return [none(gateway.externalIp ? `the external address ${gateway.externalIp} was reported by ${gateway.address}, which is not the default gateway; it is not scanned from here` : 'the router reported no external address; use --vantage for an outside view', igdExternalIp)];
    }
    const engine = await selectEngine(options.engine, options.synScan);
    context.progress(`Scanning ${target} from inside (${engine.name}, ${ports.length} ports)`);
    const result = await runOutsideChecks({
      target,
      ports,
      engine,
      serviceDetection: options.serviceDetection,
      // From inside, UDP and IGD answers would come from the LAN side of the router and prove nothing.
      udp: false,
      timeoutMs: remainingMs,
      signal: context.signal,
      onProgress: (done, total) => context.progress(`Scanning ${target}: ${done}/${total}`),
    });
    return [
      observation({
        vantage: 'local',
        outsideView: false,
        address: target,
        engine: result.engine,
        igdExternalIp,
        portSpec: result.portSpec,
        portsAsked: ports.length,
        durationMs: result.durationMs,
        ports: result.ports,
        reason: 'scanned from inside this network through the router (hairpin NAT): NOT an outside view; use --vantage for one',
        warnings: result.warnings,
      }),
    ];
  },
};
