import { observationsOf, type Observation } from '../core/observation.js';
import { lineBlocks } from './line.js';
import type { Exposure, Gateway, Host, Mapping, Protocol, QnapDevice, Wan, WanPort } from '../core/report.generated.js';
import { routerIdParts } from './router-id.js';

/**
 * The join every exposure rule needs: which doors from the internet exist (UPnP mappings, open ports on the external
 * address, the router's own WAN-side services), where each leads, and what the outside view saw on it. Rules ask
 * this module instead of re-joining the tables, so two rules never disagree about the same port.
 */

export type Reachability = Exposure['reachability'];

export interface Door {
  key: string;
  protocol: Protocol;
  externalPort: number;
  via: Exposure['via'];
  gateway: Gateway | null;
  mapping: Mapping | null;
  internalClient: string | null;
  internalPort: number | null;
  reachability: Reachability;
  /**
   * Why this line cannot carry the door from the internet whatever the router forwards (src/rules/line.ts): no
   * inbound IPv4 on DS-Lite or CGNAT, a port outside this home's MAP-E port set. Absent when the line can.
   */
  lineBlocks?: string;
}

export interface RuleContext {
  gateways: Gateway[];
  wan: Wan | undefined;
  /** Hosts the fingerprint probes looked at from the LAN, by address. */
  lanHosts: ReadonlyMap<string, Host>;
  /** The external address as the vantage agent's fingerprint probes saw it. */
  wanHost: Host | undefined;
  doors: Door[];
  doorByKey: ReadonlyMap<string, Door>;
  /** The outside view's ports by door key (tcp-8080): tables of thousands are joined by lookup, not by search. */
  wanPorts: ReadonlyMap<string, WanPort>;
  /** Ports the router itself serves, by door key, with what serves them (its UPnP description, NAT-PMP...). */
  routerPorts: ReadonlyMap<string, string>;
  /** The doors that lead to a QNAP: the story check asks once per mapping, and a table may hold thousands. */
  qnapDoors: readonly QnapDoor[];
  /** The doors that lead to a NAS admin page (any vendor's), by key, with the device: those findings carry the door's story. */
  qnapAdminDoors: ReadonlyMap<string, QnapDevice>;
}

export function doorKey(protocol: Protocol, port: number): string {
  return `${protocol.toLowerCase()}-${port}`;
}

/** A router whose external address is public (or not reported) forwards to the internet; behind another NAT it does not by itself. */
export function gatewayReachable(gateway: Gateway): boolean {
  return gateway.externalIpClass === 'public' || gateway.externalIpClass === 'unknown';
}

/**
 * What the outside view says about one external port. Only the agent's view counts as outside; a hairpin scan
 * from inside that finds a port open is reported as such, and its closed/filtered answers say nothing.
 */
export function reachabilityOf(wan: Wan | undefined, seen: WanPort | undefined): Reachability {
  if (!wan || wan.vantage === 'none') return 'not-scanned';
  if (!seen) return 'not-scanned';
  if (wan.vantage === 'local') return seen.state === 'open' ? 'open-from-inside' : 'not-scanned';
  // UDP silence proves nothing: open|filtered is no answer at all.
  if (seen.state === 'open|filtered') return 'not-scanned';
  return seen.state;
}

function routerServiceDoors(wan: Wan | undefined, known: ReadonlySet<string>): Door[] {
  if (wan?.vantage !== 'agent') return [];
  const doors: Door[] = [];
  const add = (protocol: Protocol, port: number): void => {
    const key = doorKey(protocol, port);
    if (known.has(key) || doors.some((door) => door.key === key)) return;
    doors.push({ key, protocol, externalPort: port, via: 'router', gateway: null, mapping: null, internalClient: null, internalPort: null, reachability: 'open' });
  };
  if (wan.igdControl?.descriptionFetched) add('TCP', wan.igdControl.port);
  for (const port of wan.ports) if (port.protocol === 'UDP' && port.state === 'open' && (port.port === 1900 || port.port === 5351)) add('UDP', port.port);
  return doors;
}

/**
 * The ports the router itself serves, so that a port seen open on the external address is attributed to it
 * (`via: router`) rather than called an unexplained forward: the port of each IGD's LOCATION (its UPnP HTTP
 * server), the UPnP control the agent reached from outside, NAT-PMP (UDP 5351) and SSDP (UDP 1900), and any port
 * that answered on the router's own LAN address when the fingerprint probes looked at it (its management UI).
 */
function routerServicePorts(gateways: readonly Gateway[], wan: Wan | undefined, lanHosts: ReadonlyMap<string, Host>): Map<string, string> {
  const ports = new Map<string, string>([
    [doorKey('UDP', 1900), 'SSDP (UPnP discovery)'],
    [doorKey('UDP', 5351), 'NAT-PMP / PCP'],
  ]);
  for (const gateway of gateways) {
    for (const service of lanHosts.get(gateway.address)?.services ?? []) {
      if (service.error === undefined) ports.set(doorKey(service.protocol, service.port), `management page (${service.scheme}, answers on ${gateway.address})`);
    }
  }
  for (const gateway of gateways) {
    const port = locationPort(gateway.location);
    if (port !== undefined) ports.set(doorKey('TCP', port), 'UPnP HTTP server, the port of its description URL');
  }
  if (wan?.igdControl?.descriptionFetched) ports.set(doorKey('TCP', wan.igdControl.port), 'UPnP control');
  return ports;
}

/**
 * When two routers (double NAT) map the same external port, the door is the one of the router that faces the
 * internet (public or unreported external address), then the one whose id sorts first: never the order in which
 * the routers answered discovery.
 */
function doorPreference(gateways: readonly Gateway[]): Gateway[] {
  const rank = new Map(gateways.map((gateway) => [gateway, `${gatewayReachable(gateway) ? 0 : 1} ${routerIdParts(gateway, gateways).join('-')}`]));
  return [...gateways].sort((a, b) => (rank.get(a) ?? '').localeCompare(rank.get(b) ?? '', 'en'));
}

export function locationPort(location: string): number | undefined {
  try {
    const url = new URL(location);
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

/**
 * The join, made once per scan by judge() (src/rules/judge.ts) and handed to every rule family and to the exposure
 * list: a router's table may hold thousands of mappings. Nothing caches it behind the callers' backs.
 */
export function ruleContext(observations: readonly Observation[]): RuleContext {
  const context = joinObservations(observations);
  const found = findQnapDoors(context);
  return { ...context, qnapDoors: found, qnapAdminDoors: new Map(found.filter((candidate) => candidate.admin).map((candidate) => [candidate.door.key, candidate.device])) };
}

function joinObservations(observations: readonly Observation[]): Omit<RuleContext, 'qnapDoors' | 'qnapAdminDoors'> {
  const gateways = observationsOf(observations, 'gateway').map((observation) => observation.data);
  const wan = observationsOf(observations, 'wan')[0]?.data;
  const access = observationsOf(observations, 'access')[0]?.data;
  const hosts = observationsOf(observations, 'host').map((observation) => observation.data);
  const lanHosts = new Map(hosts.filter((host) => host.seenFrom === 'lan').map((host) => [host.address, host]));
  const wanHost = hosts.find((host) => host.seenFrom === 'wan');
  const wanPorts = new Map((wan?.ports ?? []).map((port) => [doorKey(port.protocol, port.port), port]));

  const doors: Door[] = [];
  const byKey = new Set<string>();
  for (const gateway of doorPreference(gateways)) {
    for (const mapping of gateway.mappings) {
      if (!mapping.enabled) continue;
      const key = doorKey(mapping.protocol, mapping.externalPort);
      // Two routers (double NAT) may map the same external port; the preferred router keeps the door.
      if (byKey.has(key)) continue;
      byKey.add(key);
      const blocked = lineBlocks(access, mapping.externalPort);
      doors.push({
        key, protocol: mapping.protocol, externalPort: mapping.externalPort, via: 'upnp', gateway, mapping,
        internalClient: mapping.internalClient, internalPort: mapping.internalPort, reachability: reachabilityOf(wan, wanPorts.get(key)),
        ...(blocked === undefined ? {} : { lineBlocks: blocked }),
      });
    }
  }
  const routerPorts = routerServicePorts(gateways, wan, lanHosts);
  for (const port of wan?.ports ?? []) {
    if (port.protocol !== 'TCP' || port.state !== 'open') continue;
    const key = doorKey('TCP', port.port);
    if (byKey.has(key)) continue;
    byKey.add(key);
    doors.push({ key, protocol: 'TCP', externalPort: port.port, via: routerPorts.has(key) ? 'router' : 'unexplained', gateway: null, mapping: null, internalClient: null, internalPort: null, reachability: reachabilityOf(wan, port) });
  }
  // The agent's fingerprint probes reached these ports: open from outside, whether or not the port scan listed them.
  for (const service of wanHost?.services ?? []) {
    if (service.error !== undefined) continue;
    const key = doorKey('TCP', service.port);
    const known = doors.find((door) => door.key === key);
    if (known) known.reachability = 'open';
    else {
      byKey.add(key);
      doors.push({ key, protocol: 'TCP', externalPort: service.port, via: routerPorts.has(key) ? 'router' : 'unexplained', gateway: null, mapping: null, internalClient: null, internalPort: null, reachability: 'open' });
    }
  }
  doors.push(...routerServiceDoors(wan, byKey));
  return { gateways, wan, lanHosts, wanHost, doors, doorByKey: new Map(doors.map((door) => [door.key, door])), wanPorts, routerPorts };
}

/** The door's severity factor: how directly it reaches the internet. */
export type DoorLevel = 'confirmed' | 'forwarded' | 'from-inside' | 'blocked';

/**
 * confirmed: the outside view saw it open. forwarded: a router with a public address forwards it (a UPnP mapping)
 * and nothing checked from outside: it reaches the internet unless something upstream drops it. A hairpin scan
 * that saw a mapped door open adds only that something answers; the mapping is the evidence, so it stays
 * forwarded. from-inside: only the hairpin scan saw it, with no mapping behind it (a manual forward, or the router
 * itself): that is all the evidence there is, so rules never rate it above medium. blocked: closed or filtered from
 * outside, or the router itself sits behind another NAT.
 */
export function doorLevel(door: Door): DoorLevel {
  const forwarded = (): DoorLevel => ((door.gateway && !gatewayReachable(door.gateway)) || door.lineBlocks !== undefined ? 'blocked' : 'forwarded');
  switch (door.reachability) {
    case 'open':
      return 'confirmed';
    case 'open-from-inside':
      return door.via === 'upnp' ? forwarded() : 'from-inside';
    case 'closed':
    case 'filtered':
      return 'blocked';
    case 'not-scanned':
      return forwarded();
  }
}

export function reachabilityWords(door: Door): string {
  switch (door.reachability) {
    case 'open':
      return 'the vantage agent on the internet connected to it';
    case 'open-from-inside':
      return 'it answered a scan of the external address from inside (hairpin NAT; not an outside view)';
    case 'closed':
      return 'from the internet it is closed right now (nothing listens behind it at the moment)';
    case 'filtered':
      return 'from the internet no answer came back (something upstream drops it, for now)';
    case 'not-scanned':
      if (door.lineBlocks !== undefined) return door.lineBlocks;
      return door.gateway && !gatewayReachable(door.gateway)
        ? `the router's own external address ${door.gateway.externalIp ?? ''} is not public, so it does not reach the internet by itself`
        : 'it was not checked from outside (no vantage agent): the router forwards it, so it is reachable unless something upstream drops it';
  }
}

/** The QNAP web ports of a host: where the admin UI answered, or, if the probes did not say, every port a QNAP fingerprint matched. */
export function qnapWebPorts(host: Host): number[] {
  if (!host.device) return [];
  const fingerprinted = host.services.filter((service) => service.fingerprints.length > 0).map((service) => service.port);
  return [...new Set([...(host.device.adminPorts ?? []), ...fingerprinted])];
}

export function deviceName(device: QnapDevice): string {
  const model = device.displayModel ?? device.model;
  // A low-confidence identification (a Server header, a look-alike page) must not read as a certainty.
  return `${device.confidence === 'low' ? 'probable ' : ''}${device.vendor} ${model ?? 'NAS'}`;
}

export function firmwareName(device: QnapDevice): string | null {
  if (!device.firmware) return null;
  return `${device.os ?? 'firmware'} ${device.firmware.full}`;
}

/** A door that leads to a QNAP web port, and which device (LAN fingerprint first: it tells the firmware; else the outside one). */
export interface QnapDoor {
  door: Door;
  device: QnapDevice;
  /** The LAN host, when the door's internal client was fingerprinted from inside. */
  host: Host | undefined;
  admin: boolean;
}

export function qnapDoors(context: RuleContext): readonly QnapDoor[] {
  return context.qnapDoors;
}

function findQnapDoors(context: Omit<RuleContext, 'qnapDoors' | 'qnapAdminDoors'>): QnapDoor[] {
  const result: QnapDoor[] = [];
  const wanPorts = context.wanHost?.device ? qnapWebPorts(context.wanHost) : [];
  for (const door of context.doors) {
    const host = door.internalClient === null ? undefined : context.lanHosts.get(door.internalClient);
    if (host?.device && door.internalPort !== null && qnapWebPorts(host).includes(door.internalPort)) {
      result.push({ door, device: host.device, host, admin: true });
    } else if (context.wanHost?.device && door.protocol === 'TCP' && wanPorts.includes(door.externalPort)) {
      // Seen as QNAP from outside: a mapping to a host the LAN probes could not look at, or a manual forward.
      result.push({ door, device: host?.device ?? context.wanHost.device, host, admin: true });
    } else if (host?.device) {
      result.push({ door, device: host.device, host, admin: false });
    }
  }
  return result;
}

/** Mapping descriptions QNAP's Auto Router Configuration may leave (miniupnpc default, miniupnpd's NAT-PMP label): weak corroboration only. */
export function autoRouterDescription(description: string): boolean {
  return /^libminiupnpc$/i.test(description.trim()) || /^NAT-PMP \d{1,5} (tcp|udp)$/i.test(description.trim()) || /qnap|myqnapcloud|qts/i.test(description);
}
