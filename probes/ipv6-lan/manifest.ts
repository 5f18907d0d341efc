import type { JsonSchema, ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, Warning } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';
/** Where an address was learnt. */
export type Ipv6Source = 'interface' | 'neighbour' | 'nas-host' | 'mdns';

/** One global IPv6 address of the LAN: a fact, with where it was learnt and whose it is when that is known. */
export interface Ipv6LanAddress {
  address: string;
  /** Its /64, the unit a router hands a LAN and the agent scopes to. */
  prefix: string;
  sources: Ipv6Source[];
  /** One of this machine's own addresses. */
  thisHost: boolean;
  interface?: string;
  mac?: string;
  /** The IPv4 address of the same device (same MAC, or this host's address on the interface), when known. */
  ipv4?: string;
  /** The NAS the vendor fingerprints recognised on that IPv4 address (vendor and model as the pack named it). */
  nas?: { vendor: string; model?: string };
  /** What the device said of itself by mDNS: its host name and the services it announced (facts, as sent). */
  mdns?: Ipv6MdnsNaming;
  /**
   * A temporary (privacy, RFC 8981) address: it changes daily, another address of the same device stays. Kept (the
   * device answers on it too) and marked; null when it cannot be told (a neighbour's addresses).
   */
  temporary: boolean | null;
  /** The device announced itself as a router (NDP R flag). */
  router: boolean;
}

/** A device's mDNS host name and the services it announced (src/net/mdns.ts MdnsHost, bounded). */
export interface Ipv6MdnsNaming {
  name: string;
  services: Array<{ type: string; instance: string; port: number; model?: string; displayModel?: string; fwVer?: string; fwBuildNum?: string }>;
}

/** The one mDNS query: what was asked where, and what came back. */
export interface Ipv6MdnsQuery {
  /** Service types asked (PTR), e.g. `_qdiscover._tcp`. */
  asked: string[];
  interfaces: string[];
  sentTo: string[];
  /** Devices (source addresses) whose answers were read. */
  responders: number;
  /** Host names with at least one service. */
  hosts: number;
  /** Global IPv6 addresses the answers named inside this host's /64s, and how many of them nothing else had listed. */
  addresses: number;
  added: number;
  /** Addresses refused: IPv6 outside this host's global /64s or not global, IPv4 outside the interface's subnet. */
  dropped: number;
  /** Packets not read: malformed, not an answer to this query, or beyond the packet limit. */
  packetsIgnored: number;
  followUp: boolean;
  truncated: boolean;
  windowMs: number;
  error?: string;
}

/** How the addresses were looked for, so a short list is never read as "nothing has IPv6". */
export interface Ipv6Inventory {
  interfaces: { read: boolean; globalAddresses: number };
  neighbourTable: { status: 'read' | 'failed' | 'not-run'; entries: number; truncated: boolean; rejected: number; error?: string };
  nasHosts: { recognised: number; withIpv6: number };
  /**
   * The mDNS query (src/net/mdns.ts), asked only when this host has a global IPv6 address on the scanned interface:
   * answered (at least one device), no-answer, failed (nothing could be sent), not-tried.
   */
  mdns: 'answered' | 'no-answer' | 'failed' | 'not-tried';
  /** Absent when not tried (and in reports written before mDNS was asked). */
  mdnsQuery?: Ipv6MdnsQuery;
  /**
   * The ICMPv6 echo to ff02::1 from this host's global address before the neighbour table is read (probes/ipv6-lan/
   * warm.ts): sent, not-sent (no global address, or not wired), no-ping (no `ping` program), failed.
   */
  warm: 'not-sent' | 'sent' | 'no-ping' | 'failed';
  /** Distinct addresses that answered the echo; with `warm` sent or failed. */
  warmReplies?: number;
  warmError?: string;
  dropped: { linkLocal: number; ula: number; documentation: number; other: number };
  /** Documentation prefixes (2001:db8::/32) were accepted as global: a test lab. */
  documentationPrefixes: boolean;
  addressesTruncated: boolean;
  warnings: Warning[];
}

/** A router's IPv6 firewall as its IGD tells it (WANIPv6FirewallControl:1 GetFirewallStatus), or why it is unknown. */
export interface Ipv6Firewall {
  /** The router's LAN address. */
  gateway: string;
  friendlyName?: string;
  /** Whether the router's description offers urn:schemas-upnp-org:service:WANIPv6FirewallControl:1. */
  offered: boolean;
  /** true: the firewall filters unsolicited inbound IPv6; false: it does not (every LAN host is reachable). */
  enabled: boolean | null;
  /** Whether LAN programs may open pinholes through it (by UPnP AddPinhole). */
  inboundPinholeAllowed: boolean | null;
  /** Who asked: the UPnP probe while reading the router, or this probe when the UPnP probe could not. */
  readBy: 'upnp-igd' | 'ipv6-lan' | 'none';
  error?: Warning;
}


const text = (maxLength: number): JsonSchema => ({ type: 'string', maxLength });
const count: JsonSchema = { type: 'integer', minimum: 0 };
const warning: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: text(64), message: text(2000), upnpErrorCode: { type: 'integer' }, probe: text(60) },
};

/** report.probes['ipv6-lan']['ipv6-address'][]: one global IPv6 address of the LAN (types.ts Ipv6LanAddress). */
export const ADDRESS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'prefix', 'sources', 'thisHost', 'temporary', 'router'],
  properties: {
    address: text(45),
    prefix: text(50),
    sources: { type: 'array', minItems: 1, maxItems: 4, uniqueItems: true, items: { enum: ['interface', 'neighbour', 'nas-host', 'mdns'] } },
    thisHost: { type: 'boolean' },
    interface: text(32),
    mac: { type: 'string', pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' },
    ipv4: text(15),
    nas: { type: 'object', additionalProperties: false, required: ['vendor'], properties: { vendor: text(100), model: text(200) } },
    mdns: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'services'],
      properties: {
        name: text(300),
        services: {
          type: 'array',
          maxItems: 16,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'instance', 'port'],
            properties: { type: text(100), instance: text(100), port: { type: 'integer', minimum: 0, maximum: 65535 }, model: text(100), displayModel: text(100), fwVer: text(100), fwBuildNum: text(100) },
          },
        },
      },
    },
    temporary: { type: ['boolean', 'null'] },
    router: { type: 'boolean' },
  },
};

/** report.probes['ipv6-lan']['ipv6-inventory'][]: how the addresses were looked for (types.ts Ipv6Inventory). */
export const INVENTORY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['interfaces', 'neighbourTable', 'nasHosts', 'mdns', 'warm', 'dropped', 'documentationPrefixes', 'addressesTruncated', 'warnings'],
  properties: {
    interfaces: { type: 'object', additionalProperties: false, required: ['read', 'globalAddresses'], properties: { read: { type: 'boolean' }, globalAddresses: count } },
    neighbourTable: {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'entries', 'truncated', 'rejected'],
      properties: { status: { enum: ['read', 'failed', 'not-run'] }, entries: count, truncated: { type: 'boolean' }, rejected: count, error: text(500) },
    },
    nasHosts: { type: 'object', additionalProperties: false, required: ['recognised', 'withIpv6'], properties: { recognised: count, withIpv6: count } },
    mdns: { enum: ['answered', 'no-answer', 'failed', 'not-tried'] },
    mdnsQuery: {
      type: 'object',
      additionalProperties: false,
      required: ['asked', 'interfaces', 'sentTo', 'responders', 'hosts', 'addresses', 'added', 'dropped', 'packetsIgnored', 'followUp', 'truncated', 'windowMs'],
      properties: {
        asked: { type: 'array', maxItems: 16, items: text(100) },
        interfaces: { type: 'array', maxItems: 8, items: text(32) },
        sentTo: { type: 'array', maxItems: 16, items: text(100) },
        responders: count,
        hosts: count,
        addresses: count,
        added: count,
        dropped: count,
        packetsIgnored: count,
        followUp: { type: 'boolean' },
        truncated: { type: 'boolean' },
        windowMs: count,
        error: text(500),
      },
    },
    warm: { enum: ['not-sent', 'sent', 'no-ping', 'failed'] },
    warmReplies: count,
    warmError: text(500),
    dropped: { type: 'object', additionalProperties: false, required: ['linkLocal', 'ula', 'documentation', 'other'], properties: { linkLocal: count, ula: count, documentation: count, other: count } },
    documentationPrefixes: { type: 'boolean' },
    addressesTruncated: { type: 'boolean' },
    warnings: { type: 'array', maxItems: 32, items: warning },
  },
};

/** report.probes['ipv6-lan']['ipv6-firewall'][]: one router's IPv6 firewall (src/net/igd-firewall.ts Ipv6FirewallReading). */
export const FIREWALL_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['gateway', 'offered', 'enabled', 'inboundPinholeAllowed', 'readBy'],
  properties: {
    gateway: text(64),
    friendlyName: text(200),
    offered: { type: 'boolean' },
    enabled: { type: ['boolean', 'null'] },
    inboundPinholeAllowed: { type: ['boolean', 'null'] },
    readBy: { enum: ['upnp-igd', 'ipv6-lan', 'none'] },
    error: warning,
  },
};

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** A global IPv6 address of the LAN and where it was learnt. */
    'ipv6-address': Ipv6LanAddress;
    /** How the LAN's IPv6 addresses were looked for. */
    'ipv6-inventory': Ipv6Inventory;
    /** A router's IPv6 firewall, as its IGD reports it. */
    'ipv6-firewall': Ipv6Firewall;
  }
}

/** The probe's part of a (stored) report: renderers read the report, never observations. */
export function ipv6LanData(report: ExposureReport): { addresses: Ipv6LanAddress[]; inventory?: Ipv6Inventory; firewalls: Ipv6Firewall[] } {
  const own = report.probes?.['ipv6-lan'] ?? {};
  return {
    addresses: (own['ipv6-address'] ?? []) as Ipv6LanAddress[],
    inventory: (own['ipv6-inventory'] ?? [])[0] as Ipv6Inventory | undefined,
    firewalls: (own['ipv6-firewall'] ?? []) as Ipv6Firewall[],
  };
}

export function firewallWords(firewall: Ipv6Firewall): string {
  if (!firewall.offered) return 'not reported (the router offers no WANIPv6FirewallControl service)';
  if (firewall.enabled === null) return `unknown${firewall.error ? ` (${firewall.error.code})` : ''}`;
  return `${firewall.enabled ? 'on' : 'OFF: every LAN host with a global address is reachable from the internet'}, inbound pinholes ${firewall.inboundPinholeAllowed === null ? 'unknown' : firewall.inboundPinholeAllowed ? 'allowed' : 'not allowed'}`;
}

function owner(address: Ipv6LanAddress): string {
  const parts = [address.thisHost ? 'this host' : '', address.nas ? `${address.nas.vendor}${address.nas.model ? ` ${address.nas.model}` : ''} NAS` : '', address.mdns?.name ?? '', address.ipv4 ?? '', address.router ? 'router' : ''].filter(Boolean);
  return parts.join(', ');
}

/** The services a device announced, as it named them: `_qdiscover._tcp LabNAS :8080 (TS-464C 5.2.9)`. */
function announced(naming: Ipv6MdnsNaming): string {
  return naming.services
    .map((service) => {
      const facts = [service.displayModel ?? service.model, service.fwVer].filter(Boolean).join(' ');
      return `${service.type} ${service.instance} :${service.port}${facts ? ` (${facts})` : ''}`;
    })
    .join('; ');
}

const flags = (address: Ipv6LanAddress): string => [address.temporary === true ? 'temporary' : '', address.mdns && address.mdns.services.length > 0 ? `mDNS: ${announced(address.mdns)}` : ''].filter(Boolean).join('; ');

/** Whether the multicast echo filled the neighbour table first, for the section's "How" line. */
export function warmWords(inventory: Ipv6Inventory): string {
  if (inventory.warm === 'sent') return `one echo to ff02::1 (all nodes) before the table was read: ${inventory.warmReplies ?? 0} address${inventory.warmReplies === 1 ? '' : 'es'} answered`;
  const missing = 'devices idle since the table was last filled may be missing';
  if (inventory.warm === 'no-ping') return `no multicast ping sent: no \`ping\` program on this host (${missing})`;
  if (inventory.warm === 'failed') return `the multicast ping failed${inventory.warmError ? ` (${inventory.warmError})` : ''} (${missing})`;
  return `no multicast ping sent (${missing})`;
}

/** What the mDNS query asked and what answered, for the section's "How" line. */
export function mdnsWords(inventory: Ipv6Inventory): string {
  const query = inventory.mdnsQuery;
  if (inventory.mdns === 'not-tried' || !query) return 'mDNS not tried';
  const where = `mDNS asked ${query.asked.join(', ')} on ${query.interfaces.join(', ')}`;
  if (inventory.mdns === 'failed') return `${where}: failed${query.error ? ` (${query.error})` : ''}`;
  if (inventory.mdns === 'no-answer') return `${where}: no device answered within ${query.windowMs} ms`;
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return [
    `${where}: ${plural(query.responders, 'device', 'devices')} answered, ${plural(query.hosts, 'host', 'hosts')} named, ${plural(query.addresses, 'global address', 'global addresses')} in this LAN's /64 (${query.added} not otherwise known)`,
    query.dropped > 0 ? `${plural(query.dropped, 'address', 'addresses')} refused (outside this host's /64 or subnet, or not global)` : '',
    query.packetsIgnored > 0 ? `${plural(query.packetsIgnored, 'packet', 'packets')} ignored (malformed, not an answer to this query, or over the limit)` : '',
    query.truncated ? 'cut at the limits' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function section(report: ExposureReport): ReportSection | undefined {
  const { addresses, inventory, firewalls } = ipv6LanData(report);
  if (!inventory && addresses.length === 0 && firewalls.length === 0) return undefined;
  const blocks: SectionBlock[] = [];
  const summary =
    addresses.length === 0
      ? 'No global IPv6 address found on this LAN: nothing here is reachable over IPv6 from what this host can see.'
      : `${addresses.length} global IPv6 address${addresses.length === 1 ? '' : 'es'} on this LAN (each reachable from the internet unless the router's IPv6 firewall blocks it).`;
  blocks.push({ type: 'line', formats: 'text', gap: true, text: `IPv6 (LAN)  ${summary}` }, { type: 'paragraph', formats: 'document', text: summary });
  for (const firewall of firewalls) {
    const text = `IPv6 firewall of ${firewall.friendlyName ? `${firewall.friendlyName} (${firewall.gateway})` : firewall.gateway}: ${firewallWords(firewall)}`;
    blocks.push({ type: 'line', formats: 'text', indent: 1, text }, { type: 'paragraph', formats: 'document', text });
  }
  if (addresses.length > 0) {
    const rows = addresses.map((address) => [{ code: address.address }, address.sources.join(', '), owner(address), flags(address)]);
    blocks.push({ type: 'table', formats: 'text', indent: 2, columns: ['ADDRESS', 'LEARNT FROM', 'HOST', ''], rows });
    blocks.push({ type: 'table', formats: 'document', className: 'ipv6-addresses', columns: ['Address', 'Learnt from', 'Host', 'Notes'], rows });
  }
  if (inventory) {
    const table = inventory.neighbourTable;
    const how = [
      `neighbour table ${table.status === 'read' ? `read (${table.entries} entries${table.truncated ? ', cut at the limit' : ''}${table.rejected > 0 ? `, ${table.rejected} malformed dropped` : ''})` : `${table.status}${table.error ? `: ${table.error}` : ''}`}`,
      `${inventory.nasHosts.withIpv6} of ${inventory.nasHosts.recognised} recognised NAS hosts with IPv6`,
      mdnsWords(inventory),
      warmWords(inventory),
      ...(inventory.documentationPrefixes ? ['documentation prefixes accepted (test lab)'] : []),
    ].join('; ');
    blocks.push({ type: 'line', formats: 'text', indent: 1, text: `How: ${how}` }, { type: 'paragraph', formats: 'document', tone: 'meta', text: `How: ${how}.` });
  }
  return { id: 'ipv6-lan', title: 'IPv6 on the LAN', blocks };
}

export const manifest: ProbeManifest = {
  id: 'ipv6-lan',
  name: 'IPv6 addresses of the LAN',
  description:
    "Lists the LAN's global IPv6 addresses (2000::/3) from this host's interfaces, the kernel's neighbour table, the NAS hosts the fingerprints recognised (their IPv4 address joined to a MAC, the MAC to IPv6 neighbours) and one mDNS query (legacy unicast from an ephemeral port to 224.0.0.251 and ff02::fb: PTR for _qdiscover._tcp, _http._tcp, _smb._tcp, _device-info._tcp and _workstation._tcp, at most one follow-up, a 1 s window; only when this host has a global IPv6 address), one echo to all nodes (ping -6 to ff02::1 from this host's global address, 1 s, only then too), and reads the router's IPv6 firewall status (UPnP WANIPv6FirewallControl GetFirewallStatus). Sends nothing else on the LAN but that one SOAP call to the router, when the UPnP probe did not make it.",
  safety: 'safe',
  references: ['https://datatracker.ietf.org/doc/html/rfc6092', 'https://datatracker.ietf.org/doc/html/rfc6762', 'https://datatracker.ietf.org/doc/html/rfc6763', 'https://datatracker.ietf.org/doc/html/rfc8981', 'https://upnp.org/specs/gw/UPnP-gw-WANIPv6FirewallControl-v1-Service.pdf'],
  // The routers (and their firewall service) come from UPnP; the NAS hosts from the vendor fingerprints. The mDNS
  // question and the echo go out with the scan's start; the tables and the joins wait for both.
  after: ['upnp-igd', 'qnap'],
  startsAtOnce: ['upnp-igd', 'qnap'],
  observes: { 'ipv6-address': ADDRESS_SCHEMA, 'ipv6-inventory': INVENTORY_SCHEMA, 'ipv6-firewall': FIREWALL_SCHEMA },
  report: {
    section,
    summary: (report) => {
      const { addresses, inventory } = ipv6LanData(report);
      return inventory ? `${addresses.length} global IPv6 address(es)` : undefined;
    },
  },
  load: async () => (await import('./index.js')).ipv6LanProbe,
};
