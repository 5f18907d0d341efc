import os from 'node:os';
import { isExposureError } from '../../src/core/errors.js';
import { now, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { Access } from '../../src/core/report.generated.js';
import { matchMapE, type MapEMatch } from '../../src/net/map-e.js';
import { requestWhoami, WHOAMI_REQUESTS } from '../../src/net/vantage-whoami.js';
import { classifyAccess, type AccessFacts } from './classify.js';
import { primaryGateway } from './gateway.js';
import { globalIpv6, hasIpv4, type InterfaceTable } from './ipv6.js';
import { loadMapERules } from './rules.js';

/** whoami is one round trip on four connections at once: more than this and the agent is in trouble anyway. */
const WHOAMI_TIMEOUT_MS = 5000;

export interface AccessProbeDeps {
  /** This host's interfaces (os.networkInterfaces); tests give recorded ones. */
  interfaces?: () => InterfaceTable;
  whoamiRequests?: number;
}

async function askAgent(context: ProbeContext, requests: number): Promise<AccessFacts['agent']> {
  const { options } = context;
  if (!options.wan || options.vantageUrl === undefined) return undefined;
  try {
    const result = await requestWhoami(options.vantageUrl, options.vantageToken ?? '', {
      signal: context.signal,
      timeoutMs: Math.max(500, Math.min(WHOAMI_TIMEOUT_MS, context.deadline - Date.now())),
      trust: { ca: options.vantageCa, pin: options.vantagePin },
      count: requests,
    });
    return { addresses: result.addresses, family: result.family, ports: result.ports };
  } catch (error) {
    // Cancelling the scan stops here too; anything else only costs the agent's facts (the outside view meets the
    // same agent next and says what is wrong with it, and stops the scan where that is the user's to fix).
    if (isExposureError(error, 'EXP_ERR_ABORTED')) throw error;
    return { error: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
  }
}

/**
 * What kind of line this is (public IPv4, double NAT, CGNAT, MAP-E, DS-Lite, IPv6 only): facts from the router's
 * external address, this host's global IPv6 prefixes, the MAP-E rules and, with --vantage, how the agent sees us.
 * The agent is asked and the rules loaded at the scan's start, beside discovery: the agent's answer does not depend
 * on the router, and over the internet its round trips (TLS included) would otherwise come after the router's table
 * and before the outside view can start. The default gateway's table is read when the UPnP probe hands it out.
 */
export function createAccessProbe(deps: AccessProbeDeps = {}): ProbeAction {
  return {
    appliesTo: () => true,
    async run(context: ProbeContext): Promise<Observation[]> {
      const table = (deps.interfaces ?? os.networkInterfaces)();
      const only = context.options.interface;
      const ipv6 = globalIpv6(table, only);
      const gatewayRead = context.awaitPublished ? context.awaitPublished('upnp-igd', 'gateway') : Promise.resolve([]);
      const [agent, rules, upnp] = await Promise.all([askAgent(context, deps.whoamiRequests ?? WHOAMI_REQUESTS), ipv6.length > 0 ? loadMapERules() : undefined, gatewayRead]);
      const gateway = primaryGateway([...context.observations, ...upnp]);
      let mapE: MapEMatch | undefined;
      for (const { address } of ipv6) {
        mapE = rules ? matchMapE(address, rules) : undefined;
        if (mapE) break;
      }
      const facts: AccessFacts = {
        igdExternalIp: gateway?.externalIp ?? null,
        ...(gateway ? { igdWhere: gateway.friendlyName ? `${gateway.friendlyName} (${gateway.address})` : gateway.address } : {}),
        ipv6Prefixes: [...new Set(ipv6.map((entry) => entry.prefix64))],
        hasIpv4: hasIpv4(table, only),
        ...(agent ? { agent } : {}),
        ...(mapE ? { mapE } : {}),
      };
      const access: Access = classifyAccess(facts);
      return [{ probe: 'access', kind: 'access', subject: 'wan', at: now(), data: access }];
    },
  };
}

export const accessProbe: ProbeAction = createAccessProbe();
