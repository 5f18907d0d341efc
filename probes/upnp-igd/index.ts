import { ssdpSearch, IGD_SEARCH_TARGETS, type SsdpAnswer } from '../../src/net/ssdp.js';
import { requestDescription } from './description-request.js';
import { setTimeout as delay } from 'node:timers/promises';
import { isExposureError } from '../../src/core/errors.js';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import type { Discovery, SsdpResponse } from '../../src/core/report.generated.js';

/** A home has one IGD, a messy one a few; more distinct LOCATIONs than this is noise or an attack. */
const MAX_GATEWAYS = 8;

const TR064_PREFIX = 'urn:dslforum-org:';

/**
 * Discovery stops this long after the IGD at the default gateway has answered (with a description it will read),
 * instead of at the end of --discovery-window: that answer comes at once (its search is unicast), and a second IGD
 * on the LAN gets this long to answer the multicast search. With no answer from the gateway the whole window runs.
 */
export const DISCOVERY_GRACE_MS = 300;

/**
 * The default gateway answers once per search target, all at once: this long after its first answer its
 * descriptions are chosen and read (and published, so that the outside view starts on its table) while discovery
 * still listens for other routers.
 */
export const GATEWAY_SETTLE_MS = 50;

type Reading = { ok: true; observation: Observation } | { ok: false; error: unknown };

/**
 * Besides the UPnP forum IGD types: WANPPPConnection:2 (announced by IGD:2 routers such as the Orange Livebox)
 * and TR-064's root device and connection services, the only UPnP face of many DSL routers (AVM, Huawei).
 */
export const SEARCH_TARGETS: readonly string[] = [
  ...new Set([
    ...IGD_SEARCH_TARGETS,
    'urn:schemas-upnp-org:service:WANPPPConnection:2',
    `${TR064_PREFIX}device:InternetGatewayDevice:1`,
    `${TR064_PREFIX}service:WANIPConnection:1`,
    `${TR064_PREFIX}service:WANPPPConnection:1`,
  ]),
];

export interface Target {
  location: URL;
  address: string;
  server?: string;
}

/**
 * Which LOCATIONs to read. A device answering both as a UPnP forum IGD and as TR-064 (a FRITZ!Box with UPnP
 * port sharing on: igddesc.xml and tr64desc.xml, one UDN) is read once, through the IGD: its TR-064 face holds
 * the same table behind a login. A TR-064 description is read when its device offers nothing else.
 */
export function chooseLocations(answers: readonly SsdpAnswer[], refusal: (location: string, from: string) => string | undefined): { responses: SsdpResponse[]; targets: Target[] } {
  const chosen = new Map<string, Target>();
  const verdicts = answers.map((answer) => {
    const refused = refusal(answer.location, answer.from);
    const accepted = refused === undefined && (chosen.has(answer.location) || chosen.size < MAX_GATEWAYS);
    if (accepted && !chosen.has(answer.location)) chosen.set(answer.location, { location: new URL(answer.location), address: answer.from, server: answer.server });
    return { answer, accepted, refusedReason: refused ?? (accepted ? undefined : `more than ${MAX_GATEWAYS} devices answered`) };
  });
  const tr064Only = (location: string): boolean => verdicts.every((verdict) => verdict.answer.location !== location || verdict.answer.st.startsWith(TR064_PREFIX));
  const hostsWithIgd = new Set([...chosen.entries()].filter(([location]) => !tr064Only(location)).map(([, target]) => target.address));
  for (const [location, target] of chosen) {
    if (tr064Only(location) && hostsWithIgd.has(target.address)) chosen.delete(location);
  }
  const responses = verdicts.map(({ answer, accepted, refusedReason }): SsdpResponse => {
    const fetched = accepted && chosen.has(answer.location);
    const reason = accepted && !fetched ? 'TR-064 description of a device that also answers as a UPnP IGD, which is read instead' : refusedReason;
    return { ...answer, fetched, ...(reason ? { refusedReason: reason } : {}) };
  });
  return { responses, targets: [...chosen.values()] };
}

/**
 * UPnP IGD: find the router(s) by SSDP (or take --gateway), read each description, external address, status and
 * the full port-mapping table. LOCATIONs that point anywhere but the answering host are recorded, never fetched.
 */
export const upnpIgdProbe: ProbeAction = {
  appliesTo: () => true,
  async run(context: ProbeContext): Promise<Observation[]> {
    const { options, scope } = context;
    // The SOAP, XML and description code is needed only once a router has answered: it loads while SSDP listens,
    // so the first M-SEARCH waits on none of it (decision 0013).
    const reading = import('./read-gateway.js');
    reading.catch(() => undefined);
    const observations: Observation[] = [];
    const targets: Target[] = [];
    let discovery: Discovery;
    const early = new Map<string, Promise<Reading>>();
    let earlyGateway: string | undefined;
    let earlyDone: Promise<void> = Promise.resolve();
    const readTarget = async (target: Target): Promise<Reading> => {
      const sent = requestDescription(target.location, context);
      try {
        const { readGateway } = await reading.catch((error: unknown) => {
          sent.agent.destroy();
          throw error;
        });
        const gateway = await readGateway(target.location, target.address, target.server, context, sent);
        return { ok: true, observation: { probe: 'upnp-igd', kind: 'gateway', subject: gateway.location, at: now(), data: gateway } };
      } catch (error) {
        return { ok: false, error };
      }
    };

    if (options.gatewayUrl) {
      const url = scope.checkGatewayUrl(options.gatewayUrl);
      targets.push({ location: url, address: url.hostname });
      discovery = { method: 'gateway-url', windowMs: 0, responses: [] };
    } else {
      const local = observationsOf(context.observations, 'local-networks')[0]?.data;
      const interfaceAddresses = (local?.networks ?? []).map((network) => network.address);
      const unicastTargets = (local?.defaultGateways ?? []).filter((gateway) => scope.isLocal(gateway));
      context.progress(`Searching for UPnP routers (${options.discoveryWindowMs} ms)`);
      const gateways = new Set(unicastTargets);
      const refusal = (location: string, from: string): string | undefined => scope.descriptionUrlRefusal(location, from);
      const earlyStop = { when: (answer: SsdpAnswer) => gateways.has(answer.from) && refusal(answer.location, answer.from) === undefined, graceMs: DISCOVERY_GRACE_MS };
      const heard: SsdpAnswer[] = [];
      const onAnswer = (answer: SsdpAnswer): void => {
        heard.push(answer);
        if (earlyGateway !== undefined || !earlyStop.when(answer)) return;
        earlyGateway = answer.from;
        earlyDone = (async () => {
          await delay(GATEWAY_SETTLE_MS, undefined, { signal: context.signal });
          const { targets: own } = chooseLocations(heard.filter((candidate) => candidate.from === answer.from), refusal);
          await Promise.all(own.map(async (target) => {
            const read = readTarget(target);
            early.set(target.location.href, read);
            const outcome = await read;
            if (outcome.ok) context.publish(outcome.observation);
          }));
        })();
        earlyDone.catch(() => undefined);
      };
      const search = await ssdpSearch({ interfaceAddresses, unicastTargets, windowMs: options.discoveryWindowMs, searchTargets: SEARCH_TARGETS, signal: context.signal, earlyStop, onAnswer });
      await earlyDone;
      const { responses, targets: chosen } = chooseLocations(search.answers, refusal);
      // The default gateway's descriptions were chosen from its own answers and read already; a later answer of it
      // does not add a second reading of the same device.
      targets.push(...chosen.filter((target) => early.has(target.location.href) || target.address !== earlyGateway));
      discovery = {
        method: 'ssdp',
        // What was listened: the whole window, or less once the default gateway's IGD had answered.
        windowMs: Math.round(search.listenedMs),
        interfaces: (local?.networks ?? []).map((network) => network.interface),
        unicastTargets,
        responses,
        ...(search.truncated ? { responsesTruncated: true } : {}),
      };
    }
    observations.push({ probe: 'upnp-igd', kind: 'discovery', subject: 'lan', at: now(), data: discovery });

    // A reading that failed 50 ms after the gateway's first answer gets a second try now, at the end of discovery:
    // a router that was still settling must not leave the report without it.
    const readings = await Promise.all(targets.map(async (target) => {
      const first = await early.get(target.location.href);
      return first === undefined || !first.ok ? readTarget(target) : first;
    }));
    readings.forEach((reading, index) => {
      const target = targets[index];
      if (!target) return;
      if (reading.ok) {
        observations.push(reading.observation);
        return;
      }
      const error: unknown = reading.error;
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
