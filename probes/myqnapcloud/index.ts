import { resolveA } from '../../src/net/dns.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { MyQnapCloud } from '../../src/core/report.generated.js';

const LOOKUP_TIMEOUT_MS = 3000;

function observation(data: MyQnapCloud): Observation {
  return { probe: 'myqnapcloud', kind: 'myqnapcloud', subject: 'dns', at: now(), data };
}

/** The address the internet sees: the one the vantage agent saw, else the router's external IP. */
export function wanAddress(context: ProbeContext): string | null {
  const wan = observationsOf(context.observations, 'wan')[0]?.data;
  if (wan?.vantage === 'agent' && wan.address) return wan.address;
  if (wan?.igdExternalIp) return wan.igdExternalIp;
  return observationsOf(context.observations, 'gateway').map((gateway) => gateway.data.externalIp).find((address) => address !== null) ?? null;
}

/**
 * myQNAPcloud DDNS: resolves each --myqnapcloud name and compares its A records with the WAN address. A match
 * means the NAS is findable by that name (exposure still depends on what the ports answer). Runs only when names
 * were given; with --no-wan only through a resolver the user named with --dns-server.
 */
export const myQnapCloudProbe: ProbeAction = {
  appliesTo: (context) => (context.options.myqnapcloud?.length ?? 0) > 0,
  async run(context: ProbeContext): Promise<Observation[]> {
    const names = context.options.myqnapcloud ?? [];
    const server = context.options.dnsServer;
    if (!context.options.wan && server === undefined) {
      return [observation({ checked: false, names: names.map((name) => ({ name, addresses: [], matchesWan: null, error: 'not resolved: --no-wan keeps every query on the LAN (name a resolver on your network with --dns-server)' })) })];
    }
    const wan = wanAddress(context);
    const results: MyQnapCloud['names'] = [];
    for (const name of names) {
      context.progress(`Resolving ${name}`);
      const timeoutMs = Math.max(100, Math.min(LOOKUP_TIMEOUT_MS, context.deadline - Date.now()));
      const lookup = await resolveA(name, { ...(server !== undefined ? { server } : {}), timeoutMs, signal: context.signal });
      results.push({
        name,
        addresses: lookup.addresses,
        matchesWan: wan === null ? null : lookup.addresses.includes(wan),
        ...(lookup.error ? { error: `${lookup.error.code}: ${lookup.error.message}` } : {}),
      });
    }
    return [observation({ checked: true, resolver: server ?? 'system', names: results })];
  },
};
