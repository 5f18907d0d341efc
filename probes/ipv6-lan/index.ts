import os from 'node:os';
import { now, observationsOf, type Observation } from '../../src/core/observation.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import { readIpv6Firewall } from '../../src/net/igd-firewall.js';
import { readNeighbours, runIp, type IpRunner, type NeighbourTable } from '../../src/net/neighbours.js';
import { documentationPrefixesAllowed } from './address.js';
import { collectAddresses, type NasHost } from './collect.js';
import { temporaryAddresses } from './own-addresses.js';
import { askMdns, type MdnsAsked, type MdnsQueryFunction } from './mdns-ask.js';
import { mdnsQuery } from '../../src/net/mdns.js';
import { runPing, warmNeighbours, type PingRunner, type Warmed } from './warm.js';
import type { ObservationKinds } from '../../src/core/observation.js';

type Ipv6Inventory = ObservationKinds['ipv6-inventory'];

/** What the probe reads from this machine; tests hand in recorded or hostile ones. */
export interface Ipv6LanDependencies {
  interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  runIp: IpRunner;
  env: NodeJS.ProcessEnv;
  /**
   * The mDNS query (src/net/mdns.ts); absent: not tried. Tests that hand in interfaces with global addresses pass the
   * gate below, so the real query is wired only in the production probe: a test's made-up eth0 never sends multicast.
   */
  mdns?: MdnsQueryFunction;
  /** The mDNS window; default MDNS_LIMITS.windowMs (1 s). */
  mdnsWindowMs?: number;
  /** `ping` for the echo to ff02::1 before the table is read; absent: not sent (wired only in production, as mdns). */
  ping?: PingRunner;
}

const errorText = (error: unknown): string => (error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)).slice(0, 300);

async function table(family: 4 | 6, context: ProbeContext, run: IpRunner): Promise<NeighbourTable | Error> {
  try {
    return await readNeighbours(family, { signal: context.signal, run, ...(context.options.interface !== undefined ? { interface: context.options.interface } : {}) });
  } catch (error) {
    context.signal.throwIfAborted();
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The NAS hosts the vendor fingerprints recognised from the LAN: their IPv6 addresses are the ones that matter most. */
function nasHosts(observations: readonly Observation[]): NasHost[] {
  return observationsOf(observations, 'host')
    .map((observation) => observation.data)
    .filter((host) => host.seenFrom === 'lan' && host.device !== null)
    .flatMap((host) => {
      const device = host.device;
      if (!device) return [];
      const model = device.displayModel ?? device.model;
      return [{ ipv4: host.address, vendor: device.vendor, ...(model !== undefined ? { model } : {}) }];
    });
}

export function createIpv6LanProbe(dependencies: Ipv6LanDependencies): ProbeAction {
  return {
    appliesTo: () => true,
    async run(context: ProbeContext): Promise<Observation[]> {
      const at = now();
      const allowDocumentation = documentationPrefixesAllowed(dependencies.env);
      context.progress('Listing the LAN\'s IPv6 addresses');
      const interfaces = dependencies.interfaces();
      // A host with no global address of its own has no global neighbours either (it has talked to none), and every
      // host on the link gets its prefix from the same router advertisements: the tables are then not read at all,
      // which spares most scans (and tests) three processes (60 to 130 ms measured on the 2-core test machine).
      const own = collectAddresses({ interfaces, only: context.options.interface, neighbours6: [], neighbours4: [], temporary: new Set(), nasHosts: [], allowDocumentation }).addresses;
      const ownGlobal = own.length > 0;
      const empty: NeighbourTable = { neighbours: [], truncated: false, rejected: 0 };
      // The same gate keeps mDNS multicast off every interface without a global IPv6 address of this host's own: the
      // host namespace of the test machine has none (only a ULA), so no test outside a lab namespace can send it.
      const mdnsRun: Promise<MdnsAsked> =
        ownGlobal && dependencies.mdns
          ? askMdns({ query: dependencies.mdns, interfaces, own, allowDocumentation, signal: context.signal, ...(dependencies.mdnsWindowMs !== undefined ? { windowMs: dependencies.mdnsWindowMs } : {}) })
          : Promise.resolve({ status: 'not-tried', hosts: [] });
      mdnsRun.catch(() => undefined);
      // The echo first, then the tables it fills; the mDNS window runs beside both. Both go out with the scan's start
      // (startsAtOnce), beside discovery and the fingerprints; the tables are read once those are done, so the IPv4
      // table holds the NAS the fingerprints just talked to (its MAC ties its IPv6 addresses to it).
      const warming: Promise<Warmed> = ownGlobal && dependencies.ping ? warmNeighbours(own, context.signal, dependencies.ping) : Promise.resolve({ status: 'not-sent', replies: 0 });
      warming.catch(() => undefined);
      const earlier = [
        ...context.observations,
        ...(context.awaitFinished ? [...(await context.awaitFinished('upnp-igd')), ...(await context.awaitFinished('qnap'))] : []),
      ];
      const warmed = await warming;
      const [six, four, temporary] = ownGlobal
        ? await Promise.all([
            table(6, context, dependencies.runIp),
            table(4, context, dependencies.runIp),
            temporaryAddresses(dependencies.runIp, context.signal).catch(() => new Set<string>()),
          ])
        : [empty, empty, new Set<string>()];
      const warnings: Ipv6Inventory['warnings'] = [];
      if (six instanceof Error) warnings.push({ code: 'EXP_ERR_IPV6_NEIGHBOURS', message: `The IPv6 neighbour table could not be read (${errorText(six)}): only this host's own addresses are listed.` });
      if (four instanceof Error) warnings.push({ code: 'EXP_ERR_IPV6_NEIGHBOURS', message: `The IPv4 neighbour table could not be read (${errorText(four)}): the NAS hosts' IPv6 addresses cannot be told apart.` });
      // The router's firewall is read while the mDNS window is still open (it is the longest wait of this probe).
      // A router the UPnP probe read has its firewall status in its gateway already; only the ones it could not
      // ask (no WAN connection service) are asked here and recorded as readings of this probe.
      const firewalls = [];
      for (const gateway of observationsOf(earlier, 'gateway').map((observation) => observation.data)) {
        const reading = await readIpv6Firewall(gateway, { signal: context.signal, requestTimeoutMs: context.options.requestTimeoutMs });
        if (reading.readBy === 'ipv6-lan' || (reading.offered && reading.readBy === 'none')) firewalls.push(reading);
      }
      const mdns = await mdnsRun;
      if (mdns.status === 'failed') warnings.push({ code: 'EXP_ERR_IPV6_MDNS', message: `The mDNS query could not be sent (${mdns.query?.error ?? 'unknown'}): devices named only by mDNS may be missing.` });
      const hosts = nasHosts(earlier);
      const collected = collectAddresses({
        interfaces,
        only: context.options.interface,
        neighbours6: six instanceof Error ? [] : six.neighbours,
        neighbours4: four instanceof Error ? [] : four.neighbours,
        temporary,
        nasHosts: hosts,
        allowDocumentation,
        mdnsHosts: mdns.hosts,
      });
      const mdnsQueryFacts = mdns.query
        ? { ...mdns.query, added: collected.addresses.filter((address) => address.sources.includes('mdns') && !address.sources.includes('interface') && !address.sources.includes('neighbour')).length }
        : undefined;
      const inventory: Ipv6Inventory = {
        interfaces: { read: true, globalAddresses: collected.addresses.filter((address) => address.thisHost).length },
        neighbourTable:
          six instanceof Error
            ? { status: 'failed', entries: 0, truncated: false, rejected: 0, error: errorText(six) }
            : { status: ownGlobal ? 'read' : 'not-run', entries: six.neighbours.length, truncated: six.truncated, rejected: six.rejected },
        nasHosts: { recognised: hosts.length, withIpv6: new Set(collected.addresses.filter((address) => address.nas).map((address) => address.ipv4)).size },
        mdns: mdns.status,
        ...(mdnsQueryFacts ? { mdnsQuery: mdnsQueryFacts } : {}),
        warm: warmed.status,
        ...(warmed.status === 'sent' || warmed.status === 'failed' ? { warmReplies: warmed.replies } : {}),
        ...(warmed.error !== undefined ? { warmError: warmed.error } : {}),
        dropped: collected.dropped,
        documentationPrefixes: allowDocumentation,
        addressesTruncated: collected.truncated,
        warnings,
      };

      // Nothing found and nothing failed: no IPv6 section (coverage.ipv6 says "no global IPv6" when an outside view was asked).
      const worthTelling = collected.addresses.length > 0 || warnings.length > 0 || collected.truncated || (six instanceof Error ? false : six.truncated);
      return [
        ...collected.addresses.map((data): Observation => ({ probe: 'ipv6-lan', kind: 'ipv6-address', subject: data.address, at, data })),
        ...(worthTelling ? [{ probe: 'ipv6-lan', kind: 'ipv6-inventory', subject: 'lan', at, data: inventory } as Observation] : []),
        ...firewalls.map((data): Observation => ({ probe: 'ipv6-lan', kind: 'ipv6-firewall', subject: data.gateway, at, data })),
      ];
    },
  };
}

export const ipv6LanProbe: ProbeAction = createIpv6LanProbe({ interfaces: () => os.networkInterfaces(), runIp, env: process.env, mdns: mdnsQuery, ping: runPing });
