import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding, Gateway, Host, Severity, ViewCoverage } from '../core/report.generated.js';
import { builtinPacks, type LoadedPack } from '../vendors/load.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';
import { routerIdParts } from './router-id.js';
import type { ObservationKinds } from '../core/observation.js';
import type { WanPort } from '../core/report.generated.js';

// The probes' kinds (probes/ipv6-lan, probes/wan6-scan manifests), read through the kernel's observation kinds.
type Ipv6LanAddress = ObservationKinds['ipv6-address'];
type Ipv6Firewall = ObservationKinds['ipv6-firewall'];
type Ipv6Scan = ObservationKinds['ipv6-scan'];

/**
 * Remediation for a LAN host reachable over IPv6, as data in one place (research sheet ../shared/research/
 * ipv6-japan-and-vendors.md 1.3 and 2.1): the router's IPv6 firewall, the NTT HGW's security level, bridge mode.
 */
export const IPV6_REMEDIATION = {
  firewallOn:
    "Turn the router's IPv6 firewall on so it drops unsolicited inbound IPv6 (the default RFC 6092 recommends for home routers), and remove any IPv6 pinhole, port filter exception or \"exposed host\" entry for this device.",
  nttHgw:
    'On an NTT home gateway (HGW: PR-400, RX-600, XG-100 families): in 詳細設定 > IPv6パケットフィルタ設定 (IPoE), set 「IPv6 セキュリティのレベル」 to 「高度」. The default 「標準」 still admits connections from other FLET\'S subscribers, and without ひかり電話 the HGW\'s IPv6 filter may not apply at all: then the router behind it must filter.',
  bridgeMode:
    'If your own router runs in IPv6 bridge / IPv6パススルー mode, its firewall never sees IPv6: switch IPv6 to a routed mode with its IPv6 firewall on (or filter on the HGW in front of it).',
  pinhole: (address: string, port: number): string =>
    `The firewall is on, so a rule lets [${address}]:${port} through: delete the IPv6 pinhole or filter exception for it (UPnP pinholes are opened by programs on the device: turn UPnP IPv6 pinholes off in the router if nothing needs them).`,
  nas: 'On the NAS: if nothing needs IPv6, turn it off in its network settings; otherwise keep its admin UI off the internet and reach it through a VPN (WireGuard, the router\'s VPN, QNAP QVPN, Synology VPN Server).',
  vpn: 'Reach services from outside through a VPN rather than an open IPv6 port.',
} as const;

export const IPV6_REFERENCES = [
  'https://datatracker.ietf.org/doc/html/rfc6092',
  'https://masao-tec.com/flets-v6-optional-packet-filter-settings',
  'https://bucci.bp7.org/archives/38216',
  'https://scrapbox.io/tech-notes/IPv6ブリッジ',
] as const;

/** How the open port got past the router: the router says its firewall is off, it filters nothing, a rule lets it in, or unknown. */
export type Ipv6Attribution = 'ipv6-no-firewall' | 'ipv6-pinhole' | 'unknown';

export function ipv6ScanOf(observations: readonly Observation[]): Ipv6Scan | undefined {
  return observationsOf(observations, 'ipv6-scan')[0]?.data;
}

/**
 * No firewall: the router reports FirewallEnabled=0, or every port of every address answered (open or closed,
 * nothing dropped), which a filtering router never lets happen. A pinhole: the router reports its firewall on and
 * the port is open anyway. Otherwise (no firewall service, unreadable): unknown.
 */
export function attribute(scan: Ipv6Scan, firewalls: readonly Ipv6Firewall[]): Ipv6Attribution {
  if (firewalls.some((firewall) => firewall.enabled === false)) return 'ipv6-no-firewall';
  const unfiltered = scan.hosts.length > 0 && scan.hosts.every((host) => host.filtered + host.openFiltered === 0 && host.open.length + host.closed > 0);
  if (unfiltered) return 'ipv6-no-firewall';
  if (firewalls.some((firewall) => firewall.enabled === true)) return 'ipv6-pinhole';
  return 'unknown';
}

/** The NAS admin ports of the vendor named: QNAP's 8080/443 (QNAP's own guidance), and the pack's `ports.admin`. */
function nasAdminPorts(vendor: string, packs: readonly LoadedPack[]): Set<number> {
  const ports = new Set<number>(vendor.toLowerCase() === 'qnap' ? [8080, 443] : []);
  for (const pack of packs) if (pack.pack.vendor.toLowerCase() === vendor.toLowerCase()) for (const port of pack.pack.ports?.admin ?? []) ports.add(port);
  return ports;
}

/** A NAS admin UI: a port the fingerprints recognised the vendor on (from the LAN), or the vendor's admin port. */
function isNasAdmin(address: Ipv6LanAddress, port: number, hosts: readonly Host[], packs: readonly LoadedPack[]): boolean {
  if (!address.nas) return false;
  const host = hosts.find((entry) => entry.seenFrom === 'lan' && entry.address === address.ipv4);
  if (host?.services.some((service) => service.port === port && service.fingerprints.length > 0)) return true;
  return nasAdminPorts(address.nas.vendor, packs).has(port);
}

/**
 * What a finding is about, kept across scans. A device's IPv6 addresses change (temporary addresses daily, every
 * address when the provider's prefix changes), its IPv4 address on the LAN much less: when the device's IPv4
 * address is known (same MAC), it names the device; otherwise the IPv6 address does (decision 0021).
 */
function deviceKey(address: Ipv6LanAddress | undefined, ipv6: string): string[] {
  return address?.ipv4 !== undefined ? ['lan', address.ipv4] : [ipv6];
}

const ATTRIBUTION_WORDS: Readonly<Record<Ipv6Attribution, string>> = {
  'ipv6-no-firewall': 'the router does not filter inbound IPv6 (its firewall is off, or it is in bridge / pass-through mode)',
  'ipv6-pinhole': 'the router\'s IPv6 firewall is on, so a pinhole or filter rule lets this port in',
  unknown: 'whether the router filters IPv6 is not known (it reports no IPv6 firewall status)',
};

function remediationFor(attribution: Ipv6Attribution, address: string, port: number, nas: boolean): string[] {
  const router = attribution === 'ipv6-pinhole' ? [IPV6_REMEDIATION.pinhole(address, port)] : [IPV6_REMEDIATION.firewallOn, IPV6_REMEDIATION.bridgeMode];
  return [...router, IPV6_REMEDIATION.nttHgw, nas ? IPV6_REMEDIATION.nas : IPV6_REMEDIATION.vpn];
}

interface OpenDoor {
  key: string[];
  port: WanPort;
  addresses: string[];
  info: Ipv6LanAddress | undefined;
  nasAdmin: boolean;
}

function severityOf(door: OpenDoor): Severity {
  // The same weight as the IPv4 view (src/rules/nas.ts: a NAS admin page the internet reaches is critical): the agent
  // connected to it over IPv6, which is the confirmed case. Another admin or file-sharing port is high, the rest medium.
  if (door.nasAdmin) return 'critical';
  return SENSITIVE_PORTS.has(door.port.port) ? 'high' : 'medium';
}

function doorFinding(door: OpenDoor, attribution: Ipv6Attribution, scan: Ipv6Scan): Finding {
  const [address = ''] = door.addresses;
  const port = door.port.port;
  const who = door.info?.nas ? `${door.info.nas.vendor}${door.info.nas.model ? ` ${door.info.nas.model}` : ''} NAS${door.info.ipv4 ? ` (${door.info.ipv4})` : ''}` : door.info?.thisHost ? 'this computer' : door.info?.ipv4 ? `the LAN device ${door.info.ipv4}` : 'a LAN device';
  const service = SENSITIVE_PORTS.get(port);
  const seen = [door.port.service, door.port.product, door.port.version].filter(Boolean).join(' ');
  const rule = door.nasAdmin ? 'ipv6-nas-admin-exposed' : 'ipv6-port-open';
  const title = door.nasAdmin
    ? `The ${who} admin page answers from the internet over IPv6 at [${address}]:${port}`
    : `Port ${port}${service ? ` (${service})` : ''} of ${who} answers from the internet over IPv6 at [${address}]:${port}`;
  return {
    id: findingId(rule, ...deviceKey(door.info, address), 'tcp', port),
    rule,
    severity: severityOf(door),
    title,
    description: `The vantage agent reached TCP ${port} on ${door.addresses.map((entry) => `[${entry}]`).join(', ')} over IPv6 from the internet. With IPv6 every LAN device has its own global address: no port forward is needed, only a router that lets the connection in. Here ${ATTRIBUTION_WORDS[attribution]}.${door.nasAdmin ? ' A NAS admin page on the internet is how Qlocker and DeadBolt ransomware reached NAS boxes; over IPv6 it is as exposed as a forwarded IPv4 port.' : ''}`,
    evidence: [
      ...door.addresses.map((entry) => ({ subject: `[${entry}]:${port}/tcp`, detail: `open from the internet over IPv6 (vantage agent ${scan.agentUrl ?? ''})${seen ? `; service ${seen}` : ''}${door.port.banner ? `; banner ${JSON.stringify(door.port.banner.slice(0, 120))}` : ''}` })),
      { subject: 'attribution', detail: `${attribution}: ${ATTRIBUTION_WORDS[attribution]}` },
      ...(door.info?.nas ? [{ subject: door.info.ipv4 ?? address, detail: `recognised as ${who} by the vendor fingerprints on the LAN; IPv6 address tied to it by MAC ${door.info.mac ?? ''}` }] : []),
    ],
    remediation: remediationFor(attribution, address, port, door.info?.nas !== undefined),
    references: [...IPV6_REFERENCES],
    classification: unclassified(),
  };
}

function firewallOffFinding(firewall: Ipv6Firewall, gateway: Gateway | undefined, gateways: readonly Gateway[]): Finding {
  return {
    id: findingId('ipv6-firewall-off', ...(gateway ? routerIdParts(gateway, gateways) : [firewall.gateway])),
    rule: 'ipv6-firewall-off',
    severity: 'medium',
    title: `The router ${firewall.friendlyName ?? firewall.gateway} reports its IPv6 firewall OFF: every LAN device with IPv6 is open to the internet`,
    description: 'The router answered UPnP GetFirewallStatus with FirewallEnabled=0. Over IPv6 each LAN device has a global address, and with no firewall nothing stands between it and the internet: every service a device listens on is reachable, with no port forward.',
    evidence: [{ subject: firewall.gateway, detail: `WANIPv6FirewallControl GetFirewallStatus: FirewallEnabled=0, InboundPinholeAllowed=${firewall.inboundPinholeAllowed === null ? 'unknown' : firewall.inboundPinholeAllowed ? '1' : '0'}` }],
    remediation: [IPV6_REMEDIATION.firewallOn, IPV6_REMEDIATION.nttHgw, IPV6_REMEDIATION.bridgeMode],
    references: [...IPV6_REFERENCES],
    classification: unclassified(),
  };
}

function notCheckedFinding(scan: Ipv6Scan, addresses: readonly Ipv6LanAddress[]): Finding {
  const nas = addresses.filter((address) => address.nas).length;
  return {
    id: findingId('ipv6-not-checked'),
    rule: 'ipv6-not-checked',
    severity: 'low',
    title: `${addresses.length} LAN address(es) have global IPv6${nas > 0 ? ` (${nas} of a NAS)` : ''}, and whether the internet reaches them over IPv6 was not checked`,
    description: `This network has global IPv6 addresses, reachable from the internet without any port forward unless the router's IPv6 firewall blocks them; the IPv6 outside view ${scan.status === 'failed' ? 'failed' : 'did not run'}: ${scan.reason ?? ''}. Nothing found over IPv4 says nothing about IPv6.`,
    evidence: addresses.slice(0, 8).map((address) => ({ subject: address.address, detail: `global IPv6 address, learnt from ${address.sources.join(', ')}${address.ipv4 ? ` (${address.ipv4})` : ''}` })),
    remediation: ['Run the scan with an agent reachable over IPv6 (--vantage6 https://[agent IPv6]:7447; the agent listens with --listen [::]:7447) to see what the internet reaches.', IPV6_REMEDIATION.nttHgw],
    references: [...IPV6_REFERENCES],
    classification: unclassified(),
  };
}

/** Every router's IPv6 firewall: as the UPnP probe read it with the gateway, or as the IPv6 probe read it. */
export function allFirewalls(observations: readonly Observation[]): Ipv6Firewall[] {
  const fromGateways = observationsOf(observations, 'gateway').flatMap(({ data: gateway }): Ipv6Firewall[] =>
    gateway.firewall ? [{ gateway: gateway.address, ...(gateway.friendlyName ? { friendlyName: gateway.friendlyName } : {}), offered: true, ...gateway.firewall, readBy: 'upnp-igd' }] : [],
  );
  return [...fromGateways, ...observationsOf(observations, 'ipv6-firewall').map((entry) => entry.data)];
}

/** The IPv6 findings: open ports seen from outside over IPv6, a router whose IPv6 firewall is off, an IPv6 LAN left unchecked. */
/** `packs`: the packs the scan judged its devices with (the shipped ones and any --vendor-pack folders). */
export function ipv6Rules(observations: readonly Observation[], packs: readonly LoadedPack[] = builtinPacks()): Finding[] {
  const scan = ipv6ScanOf(observations);
  const addresses = observationsOf(observations, 'ipv6-address').map((entry) => entry.data);
  const gateways = observationsOf(observations, 'gateway').map((entry) => entry.data);
  const firewalls = allFirewalls(observations);
  const hosts = observationsOf(observations, 'host').map((entry) => entry.data);
  const findings: Finding[] = firewalls.filter((firewall) => firewall.enabled === false).map((firewall) => firewallOffFinding(firewall, gateways.find((gateway) => gateway.address === firewall.gateway), gateways));
  if (!scan) return findings;
  if (scan.status !== 'scanned') {
    // An outside view was asked for and its IPv6 half failed while the LAN has global addresses: say so, loudly.
    if (scan.status === 'failed' && scan.targets.length > 0 && addresses.length > 0) findings.push(notCheckedFinding(scan, addresses));
    return findings;
  }
  const attribution = attribute(scan, firewalls);
  const byAddress = new Map(addresses.map((address) => [address.address, address]));
  const doors = new Map<string, OpenDoor>();
  for (const host of scan.hosts) {
    const info = byAddress.get(host.address);
    for (const port of host.open) {
      const key = [...deviceKey(info, host.address), port.port];
      const id = key.join(' ');
      const known = doors.get(id);
      if (known) {
        if (!known.addresses.includes(host.address)) known.addresses.push(host.address);
        continue;
      }
      doors.set(id, { key: key.map(String), port, addresses: [host.address], info, nasAdmin: info !== undefined && isNasAdmin(info, port.port, hosts, packs) });
    }
  }
  for (const door of doors.values()) findings.push(doorFinding(door, attribution, scan));
  return findings;
}

/** coverage.ipv6: the IPv6 outside view, when the probe ran. Never silent: skipped and failed say why. */
export function ipv6Coverage(observations: readonly Observation[]): ViewCoverage | undefined {
  const scan = ipv6ScanOf(observations);
  if (!scan) return undefined;
  const reason = { code: scan.code ?? 'EXP_ERR_IPV6_VANTAGE', message: scan.reason ?? 'The IPv6 outside view did not run.' };
  if (scan.status === 'skipped') return { status: 'skipped', requested: scan.requested, vantage: 'none', reason };
  if (scan.status === 'failed') return { status: 'failed', requested: scan.requested, vantage: 'none', reason };
  const asked = scan.portsAsked * scan.targets.length;
  const answered = scan.hosts.reduce((total, host) => total + host.open.length + host.closed + host.filtered + host.openFiltered, 0);
  const scope = scan.prefix ? { scope: { description: `the addresses inside ${scan.prefix} (the agent scans only the caller's own prefix)` } } : {};
  const facts = { requested: scan.requested, vantage: 'agent' as const, ports: { asked, answered }, ...scope };
  if (scan.refused.length > 0) {
    const listed = scan.refused.slice(0, 5).map((entry) => `${entry.address} (${entry.reason})`).join('; ');
    return { status: 'partial', ...facts, reason: { code: 'EXP_ERR_IPV6_VANTAGE', message: `The agent did not scan ${scan.refused.length} of ${scan.targets.length} IPv6 address(es): ${listed}.` } };
  }
  if (answered < asked) return { status: 'partial', ...facts, reason: { code: 'EXP_ERR_WAN_PORTS_INCOMPLETE', message: `Only ${answered} of ${asked} IPv6 address-port pairs got a state; raise --timeout or scan fewer ports.` } };
  return { status: 'complete', ...facts };
}
