import type { ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';
import { ADDRESS_SCHEMA, FIREWALL_SCHEMA, INVENTORY_SCHEMA } from './schema.js';
import type { Ipv6Firewall, Ipv6Inventory, Ipv6LanAddress } from './types.js';

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
  const parts = [address.thisHost ? 'this host' : '', address.nas ? `${address.nas.vendor}${address.nas.model ? ` ${address.nas.model}` : ''} NAS` : '', address.ipv4 ?? '', address.router ? 'router' : ''].filter(Boolean);
  return parts.join(', ');
}

const flags = (address: Ipv6LanAddress): string => (address.temporary === true ? 'temporary' : '');

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
      'mDNS not tried',
      `no multicast ping sent (devices idle since the table was last filled may be missing)`,
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
    "Lists the LAN's global IPv6 addresses (2000::/3) from this host's interfaces, the kernel's neighbour table and the NAS hosts the fingerprints recognised (their IPv4 address joined to a MAC, the MAC to IPv6 neighbours), and reads the router's IPv6 firewall status (UPnP WANIPv6FirewallControl GetFirewallStatus). Sends nothing on the LAN but that one SOAP call to the router, when the UPnP probe did not make it.",
  safety: 'safe',
  references: ['https://datatracker.ietf.org/doc/html/rfc6092', 'https://datatracker.ietf.org/doc/html/rfc8981', 'https://upnp.org/specs/gw/UPnP-gw-WANIPv6FirewallControl-v1-Service.pdf'],
  // The routers (and their firewall service) come from UPnP; the NAS hosts from the vendor fingerprints.
  after: ['upnp-igd', 'qnap'],
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
