import { requestVantageScan, vantageUnavailable } from '../../src/net/vantage-client.js';
import { selectEngine } from '../../src/net/portscan/engines.js';
import { formatPortList, MAX_SPEC_ITEMS, MAX_SPEC_LENGTH, parsePortSpec } from '../../src/net/portscan/port-spec.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { Gateway, Wan } from '../../src/core/report.generated.js';
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
  const gateways = observationsOf(context.observations, 'gateway').map((observation) => observation.data);
  const defaults = observationsOf(context.observations, 'local-networks')[0]?.data.defaultGateways ?? [];
  return gateways.find((gateway) => defaults.includes(gateway.address)) ?? gateways[0];
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
    const ports = portsToScan(context);
    const remainingMs = Math.max(1000, context.deadline - Date.now());

    if (options.vantageUrl) {
      const location = gateway ? new URL(gateway.location) : undefined;
      // Many scattered mappings (a UPnProxy-filled table) can make the list longer than any agent accepts: then ask
      // for every port, which holds them all, rather than fail the outside view on the request's size.
      const listed = formatPortList(ports);
      const fits = listed.length <= MAX_SPEC_LENGTH && listed.split(',').length <= MAX_SPEC_ITEMS;
      const requestSpec = fits ? listed : 'all';
      const portsAsked = fits ? ports.length : 65_535;
      context.progress(`Asking the vantage agent to scan ${portsAsked} ports`);
      let answer: AgentScanResponse;
      try {
        answer = await requestVantageScan(
          options.vantageUrl,
          options.vantageToken ?? '',
          {
            ports: requestSpec,
            serviceDetection: options.serviceDetection,
            udp: true,
            fingerprint: true,
            ...(location ? { igd: { port: Number(location.port || 80), path: location.pathname } } : {}),
            timeoutSeconds: Math.max(1, Math.floor(remainingMs / 1000) - 2),
          },
          {
            signal: context.signal,
            timeoutMs: remainingMs,
            trust: { ca: options.vantageCa, pin: options.vantagePin },
          },
        );
      } catch (error) {
        // An agent that is down must not cost the inside view (a scheduled check would record nothing at all):
        // the report keeps everything else, says the outside view is missing and why. A wrong token or a refused
        // request still stops the scan, because only the user can fix it.
        if (!vantageUnavailable(error)) throw error;
        const message = (error as Error).message;
        return [
          observation({ vantage: 'none', outsideView: false, address: null, engine: null, ports: [], igdExternalIp, agentUrl: new URL(options.vantageUrl).origin, reason: `the vantage agent failed: ${message}` }),
          { probe: 'wan-scan', kind: 'warning', subject: 'wan', at: now(), data: { code: 'EXP_ERR_VANTAGE', message } },
        ];
      }
      return [
        observation({
          vantage: 'agent',
          outsideView: true,
          address: answer.address,
          engine: answer.engine,
          agentUrl: new URL(options.vantageUrl).origin,
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
