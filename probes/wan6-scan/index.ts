import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { WanPort } from '../../src/core/report.generated.js';
import type { AgentScanResponse } from '../../src/core/agent.generated.js';
import { isExposureError } from '../../src/core/errors.js';
import { requestVantageScan } from '../../src/net/vantage-client.js';
import { formatPortList, MAX_SPEC_ITEMS, MAX_SPEC_LENGTH, parsePortSpec } from '../../src/net/portscan/port-spec.js';
import { loadPacks } from '../../src/vendors/load.js';
import { adminPorts } from '../qnap/index.js';
import { classifyIpv6 } from '../ipv6-lan/address.js';
import { ipv6AgentUrl, lookup6, type Lookup6 } from './agent-url.js';
import type { ObservationKinds } from '../../src/core/observation.js';

type Ipv6Scan = ObservationKinds['ipv6-scan'];
type Ipv6ScannedHost = Ipv6Scan['hosts'][number];

/** The agent scans at most 64 addresses per request (schemas/agent-scan-request.schema.json ipv6Targets). */
export const MAX_TARGETS = 64;
/** The agent's default bound on one request's work, addresses x ports (exposure agent --max-ports). */
export const AGENT_MAX_WORK = 65_535;

function observation(data: Ipv6Scan): Observation {
  return { probe: 'wan6-scan', kind: 'ipv6-scan', subject: 'wan6', at: now(), data };
}

const empty = { portsAsked: 0, targets: [], hosts: [], refused: [], warnings: [] };

/** The outside view's port set (--ports) and every vendor pack's NAS admin ports: the NAS admin UI is what matters most. */
export function ipv6Ports(context: ProbeContext): number[] {
  const admin = adminPorts(loadPacks(context.options.vendorPacks).packs);
  return [...new Set([...parsePortSpec(context.options.ports), ...admin])].sort((a, b) => a - b);
}

/** The addresses to ask for, in the inventory's order (this host's, then the NAS hosts', then the others), at most 64. */
export function ipv6Targets(context: ProbeContext): string[] {
  return observationsOf(context.observations, 'ipv6-address')
    .map((entry) => entry.data.address)
    .slice(0, MAX_TARGETS);
}

/** One host of the agent's answer, kept only when it is one we asked for (the agent's answer is hostile too). */
function scannedHost(host: { address: string; ports: WanPort[] }): Ipv6ScannedHost {
  const tcp = host.ports.filter((port) => port.protocol === 'TCP');
  const count = (state: WanPort['state']): number => tcp.filter((port) => port.state === state).length;
  return { address: host.address, open: tcp.filter((port) => port.state === 'open'), closed: count('closed'), filtered: count('filtered'), openFiltered: count('open|filtered') };
}

export function createWan6ScanProbe(dependencies: { lookup: Lookup6 }): ProbeAction {
  return {
    // Only when there is something to say: an outside view was asked for (its IPv6 half is then always reported,
    // "no global IPv6" included), or the LAN has global addresses that no agent looked at.
    appliesTo: (context) => context.options.wan && (context.options.vantageUrl !== undefined || context.options.vantage6Url !== undefined || ipv6Targets(context).length > 0),
    async run(context: ProbeContext): Promise<Observation[]> {
      const { options } = context;
      if (!options.wan) return [observation({ status: 'skipped', requested: false, code: 'EXP_ERR_WAN_SKIPPED', reason: '--no-wan: nothing was sent beyond the LAN', ...empty })];
      const agentUrl = await ipv6AgentUrl(options, dependencies.lookup, context.signal);
      const targets = ipv6Targets(context);
      if (targets.length === 0) {
        // Not a view anybody could ask for: nothing to reach over IPv6 does not make the scan incomplete.
        return [observation({ status: 'skipped', requested: false, code: 'EXP_ERR_IPV6_NO_GLOBAL', reason: 'this network has no global IPv6: nothing to reach over IPv6', ...empty })];
      }
      if (agentUrl === undefined && options.vantageUrl !== undefined) {
        // An outside view was asked for, and the agent cannot be reached over IPv6: the IPv6 half of it failed.
        const reason = `the LAN has ${targets.length} global IPv6 address(es), but the agent at --vantage has no IPv6 address: give --vantage6 URL (the agent's IPv6 address) to check what the internet reaches over IPv6`;
        return [observation({ status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason, ...empty, targets })];
      }
      if (agentUrl === undefined) {
        const reason = `the LAN has ${targets.length} global IPv6 address(es) and no vantage agent was named: what the internet reaches over IPv6 was not checked (use --vantage, or --vantage6)`;
        return [observation({ status: 'skipped', requested: false, code: 'EXP_ERR_NO_VANTAGE', reason, ...empty, targets })];
      }
      const ports = ipv6Ports(context);
      const listed = formatPortList(ports);
      const fits = listed.length <= MAX_SPEC_LENGTH && listed.split(',').length <= MAX_SPEC_ITEMS;
      const portsAsked = fits ? ports.length : 65_535;
      // The agent bounds its work (addresses x ports, at most its --max-ports, 65,535 by default): with many ports,
      // the first addresses (this host's and the NAS hosts') are asked and the rest are listed as not asked.
      const fitting = Math.max(1, Math.floor(AGENT_MAX_WORK / portsAsked));
      const notAsked = targets.slice(fitting).map((address) => ({ address, reason: `not asked: ${portsAsked} ports for each of ${targets.length} addresses is more than the agent scans at once (${AGENT_MAX_WORK}); ask fewer ports (--ports)` }));
      const [firstTarget, ...otherTargets] = targets.slice(0, fitting);
      if (firstTarget === undefined) throw new Error('unreachable: targets checked non-empty above');
      const remainingMs = Math.max(1000, context.deadline - Date.now());
      const origin = new URL(agentUrl).origin;
      context.progress(`Asking the vantage agent to scan ${targets.length} IPv6 address(es) over IPv6`);
      let answer: AgentScanResponse;
      try {
        answer = await requestVantageScan(
          agentUrl,
          options.vantageToken ?? '',
          { ports: fits ? listed : 'all', serviceDetection: options.serviceDetection, udp: false, fingerprint: false, ipv6Targets: [firstTarget, ...otherTargets], timeoutSeconds: Math.max(1, Math.floor(remainingMs / 1000) - 2) },
          { signal: context.signal, timeoutMs: remainingMs, trust: { ca: options.vantageCa, pin: options.vantagePin } },
        );
      } catch (error) {
        if (context.signal.aborted) throw error;
        if (!isExposureError(error) || !error.code.startsWith('EXP_ERR_VANTAGE')) throw error;
        // Any refusal over IPv6 costs only this view: an agent that scans IPv4 callers only answers 400 here.
        return [observation({ status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason: `the agent at ${origin} could not scan over IPv6: ${error.message}`, agentUrl: origin, ...empty, portsAsked, targets })];
      }
      const asked = new Set([firstTarget, ...otherTargets]);
      const callerIsIpv6 = classifyIpv6(answer.address, true).class !== 'invalid';
      if (!callerIsIpv6 || answer.hosts === undefined) {
        const why = callerIsIpv6 ? 'it answered without scanning the IPv6 addresses (an agent version without IPv6 targets)' : `the request reached it over IPv4 (it saw ${answer.address}), so it cannot scan the LAN's IPv6 addresses; give --vantage6 with the agent's IPv6 address`;
        return [observation({ status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason: `the agent at ${origin} did not scan over IPv6: ${why}`, agentUrl: origin, callerAddress: answer.address.slice(0, 45), ...empty, portsAsked, targets })];
      }
      const hosts = answer.hosts.filter((host) => asked.has(classifyIpv6(host.address, true).canonical ?? '')).map((host) => scannedHost({ ...host, address: classifyIpv6(host.address, true).canonical ?? host.address }));
      const refused = [...(answer.hostsRefused ?? []).filter((entry) => asked.has(classifyIpv6(entry.address, true).canonical ?? '')), ...notAsked].slice(0, MAX_TARGETS);
      const status = hosts.length === 0 ? 'failed' : 'scanned';
      return [
        observation({
          status,
          requested: true,
          ...(status === 'failed' ? { code: 'EXP_ERR_IPV6_VANTAGE', reason: `the agent at ${origin} scanned none of the ${targets.length} address(es)${refused[0] ? `: ${refused[0].reason}` : ''}` } : {}),
          agentUrl: origin,
          callerAddress: answer.address.slice(0, 45),
          ...(answer.scope?.ipv6Prefix ? { prefix: answer.scope.ipv6Prefix } : {}),
          engine: answer.engine,
          durationMs: answer.durationMs,
          portSpec: answer.portSpec.slice(0, 4096),
          portsAsked,
          targets,
          hosts,
          refused,
          warnings: answer.warnings,
        }),
      ];
    },
  };
}

export const wan6ScanProbe: ProbeAction = createWan6ScanProbe({ lookup: lookup6 });
