import { ssdpSearch } from '../../src/net/ssdp.js';
import { isExposureError } from '../../src/core/errors.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { Probe, ProbeContext } from '../../src/core/probe.js';
import type { Discovery, SsdpResponse } from '../../src/core/report.generated.js';
import { readGateway } from './read-gateway.js';

/** A home has one IGD, a messy one a few; more distinct LOCATIONs than this is noise or an attack. */
const MAX_GATEWAYS = 8;

/**
 * UPnP IGD: find the router(s) by SSDP (or take --gateway), read each description, external address, status and
 * the full port-mapping table. LOCATIONs that point anywhere but the answering host are recorded, never fetched.
 */
export const upnpIgdProbe: Probe = {
  id: 'upnp-igd',
  name: 'UPnP Internet Gateway Device',
  description: 'Discovers UPnP IGD routers on the LAN and reads their external IP address and every port mapping.',
  safety: 'safe',
  references: ['https://openconnectivity.org/developer/specifications/upnp-resources/upnp/internet-gateway-device-igd-v-2-0/'],
  appliesTo: () => true,
  async run(context: ProbeContext): Promise<Observation[]> {
    const { options, scope } = context;
    const observations: Observation[] = [];
    const targets: { location: URL; address: string; server?: string }[] = [];
    let discovery: Discovery;

    if (options.gatewayUrl) {
      const url = scope.checkGatewayUrl(options.gatewayUrl);
      targets.push({ location: url, address: url.hostname });
      discovery = { method: 'gateway-url', windowMs: 0, responses: [] };
    } else {
      const local = observationsOf(context.observations, 'local-networks')[0]?.data;
      const interfaceAddresses = (local?.networks ?? []).map((network) => network.address);
      const unicastTargets = (local?.defaultGateways ?? []).filter((gateway) => scope.isLocal(gateway));
      context.progress(`Searching for UPnP routers (${options.discoveryWindowMs} ms)`);
      const search = await ssdpSearch({ interfaceAddresses, unicastTargets, windowMs: options.discoveryWindowMs, signal: context.signal });
      const responses: SsdpResponse[] = [];
      const chosen = new Map<string, { location: URL; address: string; server?: string }>();
      for (const answer of search.answers) {
        const refusedReason = scope.descriptionUrlRefusal(answer.location, answer.from);
        const accepted = refusedReason === undefined && (chosen.has(answer.location) || chosen.size < MAX_GATEWAYS);
        if (accepted && !chosen.has(answer.location)) chosen.set(answer.location, { location: new URL(answer.location), address: answer.from, server: answer.server });
        responses.push({
          ...answer,
          fetched: accepted,
          ...(refusedReason ? { refusedReason } : !accepted ? { refusedReason: `more than ${MAX_GATEWAYS} devices answered` } : {}),
        });
      }
      targets.push(...chosen.values());
      discovery = {
        method: 'ssdp',
        windowMs: options.discoveryWindowMs,
        interfaces: (local?.networks ?? []).map((network) => network.interface),
        unicastTargets,
        responses,
        ...(search.truncated ? { responsesTruncated: true } : {}),
      };
    }
    observations.push({ probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at: now(), data: discovery });

    const readings = await Promise.allSettled(targets.map((target) => readGateway(target.location, target.address, target.server, context)));
    readings.forEach((reading, index) => {
      const target = targets[index];
      if (!target) return;
      if (reading.status === 'fulfilled') {
        observations.push({ probe: 'upnp-igd', kind: 'gateway', subject: reading.value.location, at: now(), data: reading.value });
        return;
      }
      const error: unknown = reading.reason;
      if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
      observations.push({
        probe: 'upnp-igd',
        kind: 'warning',
        subject: target.location.href,
        at: now(),
        data: {
          code: isExposureError(error) ? error.code : 'EXP_ERR_HTTP_NETWORK',
          message: `Could not read the UPnP device at ${target.location.href}: ${error instanceof Error ? error.message : String(error)}`,
        },
      });
    });
    return observations;
  },
};
