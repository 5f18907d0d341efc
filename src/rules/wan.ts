import type { Observation } from '../core/observation.js';
import type { Finding, Mapping, Severity, Wan, WanPort } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';
import { describeMapping } from './describe.js';
import { doorKey, locationPort, ruleContext, type RuleContext } from './doors.js';
import { storyFindingId } from './story.js';
import { mappingIdParts, mappingKey, routerIdParts } from './router-id.js';

const VPN_INSTEAD = 'Reach services from outside through a VPN (WireGuard, OpenVPN, QNAP QVPN) rather than an open port.';

function vantageWords(wan: Wan): string {
  return wan.vantage === 'agent' ? 'from the internet (vantage agent)' : 'from inside, through the router (hairpin NAT; not an outside view)';
}

/** Said in the title of every finding a hairpin scan raises: it is not what the internet sees. */
const INSIDE_ONLY = 'seen from inside only, not an outside view';

type Attribution = { kind: 'mapped'; mapping: Mapping } | { kind: 'router'; what: string } | { kind: 'unexplained' };

/**
 * From the internet, an open admin or file-sharing port is critical. From inside (hairpin), the scan alone proves
 * nothing about the internet, so it never raises a finding above medium on its own: the mapping findings carry
 * the weight of a forward, and a port the router itself serves is expected to answer its own LAN.
 */
function openPortSeverity(port: WanPort, wan: Wan, attribution: Attribution): Severity {
  const sensitive = SENSITIVE_PORTS.has(port.port);
  if (wan.vantage === 'agent') return sensitive ? 'critical' : 'medium';
  if (attribution.kind === 'router') return 'info';
  return sensitive ? 'medium' : 'low';
}

function openPortFinding(port: WanPort, wan: Wan, attribution: Attribution, story: string | null, context: RuleContext): Finding {
  const service = SENSITIVE_PORTS.get(port.port);
  const seen = [port.service, port.product, port.version].filter(Boolean).join(' ');
  const severity = openPortSeverity(port, wan, attribution);
  const outside = wan.vantage === 'agent';
  const where = outside ? 'from the internet' : `on the external address (${INSIDE_ONLY})`;
  const evidence = [{ subject: `${wan.address ?? ''}:${port.port}/tcp`, detail: `open ${vantageWords(wan)}${seen ? `; service ${seen}` : ''}${port.banner ? `; banner ${JSON.stringify(port.banner.slice(0, 120))}` : ''}` }];
  const insideNote = outside ? '' : ' This was seen from inside, through the router (hairpin NAT): it is not an outside view, and the internet may see this port differently. Scan with --vantage for what the internet sees.';
  if (attribution.kind === 'mapped') {
    const { mapping } = attribution;
    evidence.push({ subject: `UPnP ${mapping.protocol}/${mapping.externalPort}`, detail: describeMapping(mapping) });
    return {
      id: findingId('wan-port-open-mapped', port.port),
      rule: 'wan-port-open-mapped',
      classification: unclassified(),
      severity,
      title: `Port ${port.port}${service ? ` (${service})` : ''} answers ${where}: opened by UPnP for ${mapping.internalClient}`,
      description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, and the router's UPnP table explains why: a mapping to ${mapping.internalClient}:${mapping.internalPort}${mapping.description ? ` ("${mapping.description}")` : ''}. ${story ? `What it exposes is explained in ${story}.` : 'This is exactly how Qlocker and DeadBolt reached QNAP boxes.'}${insideNote}`,
      evidence,
      remediation: [
        `Turn off automatic port forwarding on ${mapping.internalClient} (on a QNAP NAS: myQNAPcloud > Auto Router Configuration > unselect "Enable UPnP Port forwarding"), then delete the mapping in the router.`,
        'Turn UPnP off in the router if nothing needs it.',
        VPN_INSTEAD,
      ],
      references: ['https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers'],
      exposure: doorKey('TCP', port.port),
    };
  }
  if (attribution.kind === 'router') {
    // upnp-igd-on-wan speaks about the port of a LOCATION, or the one whose description answered from outside.
    const igd = context.gateways.some((gateway) => locationPort(gateway.location) === port.port) || (wan.igdControl?.descriptionFetched === true && wan.igdControl.port === port.port);
    return {
      id: findingId('wan-port-router-service', port.port),
      rule: 'wan-port-router-service',
      classification: unclassified(),
      severity,
      title: outside
        ? `The router's own service on port ${port.port} (${attribution.what}) answers from the internet`
        : `Port ${port.port} on the external address is the router's own service (${attribution.what}), ${INSIDE_ONLY}`,
      description: outside
        ? `From the internet, ${wan.address ?? 'the external address'} accepts connections on TCP ${port.port}, a port the router itself serves (${attribution.what}); it may also be another service forwarded on the same port. A router's own services (UPnP, administration) facing the internet are how botnets take over home routers.${igd ? ' What this means for UPnP is told in upnp-igd-on-wan.' : story ? ` What it exposes is explained in ${story}.` : ''}`
        : `From this network, ${wan.address ?? 'the external address'} accepts connections on TCP ${port.port}, a port the router itself serves (${attribution.what}). A router answers its own services on every one of its addresses to the LAN, so this is expected and says nothing about the internet: the scan ran from inside (hairpin NAT) and is not an outside view. Scan with --vantage to see whether the internet reaches it.`,
      evidence: [...evidence, { subject: `${wan.address ?? ''}:${port.port}/tcp`, detail: `attributed to the router itself: ${attribution.what}` }],
      remediation: outside
        ? ["Turn off the router's remote administration and UPnP on its WAN side; update its firmware, and replace the router if the port stays open."]
        : ['Run "exposure agent" on a small VPS and scan with --vantage: only an outside view tells whether the internet reaches this port.', "Check that the router's remote administration (web, SSH, TR-069) is off on its WAN side."],
      references: [],
      exposure: doorKey('TCP', port.port),
    };
  }
  return {
    id: findingId('wan-port-open-unexplained', port.port),
    rule: 'wan-port-open-unexplained',
    classification: unclassified(),
    severity,
    title: `Port ${port.port}${service ? ` (${service})` : ''} answers ${where}, and no UPnP mapping explains it`,
    description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, but the router's UPnP table has no mapping for it: a port forward set by hand, a service of the router itself (remote administration), or an upstream device.${story ? ` What it exposes is explained in ${story}.` : ''}${outside ? '' : ' Seen from inside, a port on the external address is often a service of the router itself, which answers its LAN on every address, rather than a forward.'}${insideNote}`,
    evidence,
    remediation: [
      `Look in the router's port forwarding / virtual server page for port ${port.port}; remove the forward if nothing needs it.`,
      'Check that the router\'s own remote administration (web, SSH, TR-069) is off from the WAN side.',
      VPN_INSTEAD,
      ...(outside ? [] : ['Run "exposure agent" on a small VPS and scan with --vantage to see whether the internet reaches it.']),
    ],
    references: [],
    exposure: doorKey('TCP', port.port),
  };
}

function unreachableMappingFinding(mapping: Mapping, routerParts: readonly string[], port: WanPort, wan: Wan): Finding {
  const state = port.state;
  const why =
    state === 'closed'
      ? 'The router forwards it, but nothing listens on the inside (the device is off, or the service stopped): it opens the moment the service runs again.'
      : 'No answer came back: something upstream drops it (a second router, carrier-grade NAT, or the ISP), or the device drops it.';
  return {
    id: findingId('upnp-mapping-unreachable', ...routerParts, ...mappingIdParts(mapping)),
    rule: 'upnp-mapping-unreachable',
    classification: unclassified(),
    severity: 'low',
    title: `UPnP mapping TCP/${mapping.externalPort} is ${state} from the internet`,
    description: why,
    evidence: [
      { subject: `${wan.address ?? ''}:${mapping.externalPort}/tcp`, detail: `${state} from the vantage agent` },
      { subject: `UPnP ${mapping.protocol}/${mapping.externalPort}`, detail: describeMapping(mapping) },
    ],
    remediation: ['Delete the mapping if nothing should be reachable on this port; a stale mapping is an exposure waiting for a service.'],
    references: [],
    exposure: doorKey(mapping.protocol, mapping.externalPort),
  };
}

function udpFinding(port: WanPort, wan: Wan): Finding {
  const ssdp = port.port === 1900;
  return {
    id: ssdp ? 'ssdp-on-wan' : 'nat-pmp-on-wan',
    rule: ssdp ? 'ssdp-on-wan' : 'nat-pmp-on-wan',
    classification: ssdp ? { cve: ['CVE-2020-12695'], kev: false, knownRansomware: false, cwe: ['CWE-918'] } : unclassified(),
    severity: 'high',
    title: `${ssdp ? 'SSDP (UPnP discovery)' : 'NAT-PMP'} answers from the internet on ${wan.address ?? ''}`,
    description: ssdp
      ? 'The router answers UPnP discovery on its WAN side. Such routers are used for reflection and amplification attacks and expose their UPnP services to anyone (CallStranger, CVE-2020-12695).'
      : 'The router answers NAT-PMP on its WAN side, where it must never listen (RFC 6886 §3.2): anyone on the internet may learn its state, and on some firmware open ports.',
    evidence: [{ subject: `${wan.address ?? ''}:${port.port}/udp`, detail: port.banner ?? 'answered' }],
    remediation: ['Update the router firmware; turn UPnP and NAT-PMP off if the update does not fix it, or replace the router.'],
    references: ssdp ? ['https://www.kb.cert.org/vuls/id/339275', 'https://callstranger.com/'] : ['https://www.rfc-editor.org/rfc/rfc6886#section-3.2'],
    exposure: doorKey('UDP', port.port),
  };
}

/** The ports of the routers' own UPnP control (from their LAN description URLs) that the agent found open on the external address. */
function igdPortsOpenFromOutside(context: RuleContext): Array<{ port: number; location: string }> {
  const result: Array<{ port: number; location: string }> = [];
  for (const gateway of context.gateways) {
    const port = locationPort(gateway.location);
    if (port === undefined) continue;
    const key = doorKey('TCP', port);
    // A port that a mapping forwards is some LAN device's, not the router's UPnP control.
    if (context.wanPorts.get(key)?.state === 'open' && context.doorByKey.get(key)?.via !== 'upnp') result.push({ port, location: gateway.location });
  }
  return result;
}

export function wanRules(observations: readonly Observation[], context: RuleContext = ruleContext(observations)): Finding[] {
  const wan = context.wan;
  if (!wan) return [];
  const findings: Finding[] = [];
  if (wan.vantage === 'local') {
    findings.push({
      id: 'wan-view-local-only',
      rule: 'wan-view-local-only',
      classification: unclassified(),
      severity: 'info',
      title: 'The external address was scanned from inside, not from the internet',
      description: `Without a vantage agent, ${wan.address ?? 'the external address'} was scanned from this network through the router (hairpin NAT). Routers treat such traffic differently from the internet's: open and closed here may differ from what an attacker sees.`,
      evidence: [{ subject: wan.address ?? 'wan', detail: wan.reason ?? 'vantage local' }],
      remediation: ['Run "exposure agent" on a small VPS and scan with --vantage for a real outside view.'],
      references: [],
    });
  }
  if (wan.vantage === 'none') return findings;

  const attributionOf = (port: number): Attribution => {
    const key = doorKey('TCP', port);
    const door = context.doorByKey.get(key);
    if (door?.via === 'upnp' && door.mapping) return { kind: 'mapped', mapping: door.mapping };
    const what = context.routerPorts.get(key);
    if (door?.via === 'router' && what !== undefined) return { kind: 'router', what };
    return { kind: 'unexplained' };
  };
  const tcp = wan.ports.filter((port) => port.protocol === 'TCP');
  const tcpByPort = new Map(tcp.map((port) => [port.port, port]));
  for (const port of tcp) {
    if (port.state !== 'open') continue;
    const door = context.doorByKey.get(doorKey('TCP', port.port));
    findings.push(openPortFinding(port, wan, attributionOf(port.port), door ? storyFindingId(context, door) : null, context));
  }
  if (wan.vantage === 'agent') {
    for (const gateway of context.gateways) {
      const routerParts = routerIdParts(gateway, context.gateways);
      const seen = new Set<string>();
      for (const mapping of gateway.mappings) {
        if (mapping.protocol !== 'TCP' || !mapping.enabled || seen.has(mappingKey(mapping))) continue;
        seen.add(mappingKey(mapping));
        const port = tcpByPort.get(mapping.externalPort);
        // Not asked (a router that answered after the agent was): nothing is known, and coverage says so.
        if (port === undefined) continue;
        if (port.state !== 'open') findings.push(unreachableMappingFinding(mapping, routerParts, port, wan));
      }
    }
    for (const port of wan.ports) {
      if (port.protocol === 'UDP' && port.state === 'open' && (port.port === 1900 || port.port === 5351)) findings.push(udpFinding(port, wan));
    }
    const igdPorts = igdPortsOpenFromOutside(context);
    if (!wan.igdControl?.descriptionFetched && igdPorts.length > 0) {
      // The control check found no description, but the very port the router serves UPnP on inside is open outside.
      findings.push({
        id: 'upnp-igd-on-wan',
        rule: 'upnp-igd-on-wan',
        classification: { ...unclassified(), cwe: ['CWE-284'] },
        severity: 'high',
        title: `The port the router serves UPnP on (${igdPorts.map((entry) => entry.port).join(', ')}) is open from the internet`,
        description: `From outside, TCP ${igdPorts.map((entry) => entry.port).join(', ')} of ${wan.address ?? 'the external address'} accepts connections, and it is the port of the router's UPnP control on the LAN (${igdPorts.map((entry) => entry.location).join(', ')}). The description did not answer from outside, so this may be another service on the same port, but a router whose UPnP control faces the internet lets anyone add port mappings (UPnProxy).`,
        evidence: igdPorts.map((entry) => ({ subject: `${wan.address ?? ''}:${entry.port}/tcp`, detail: `open from the vantage agent; the router's UPnP description on the LAN is ${entry.location}` })),
        remediation: ['Check the router for remote administration or UPnP answering on its WAN side; update its firmware, and turn UPnP off or replace the router if it persists.'],
        references: ['https://www.akamai.com/blog/security/upnproxy-eternalsilence'],
        exposure: doorKey('TCP', igdPorts[0]?.port ?? 0),
      });
    }
    if (wan.igdControl?.descriptionFetched) {
      findings.push({
        id: 'upnp-igd-on-wan',
        rule: 'upnp-igd-on-wan',
        classification: { ...unclassified(), cwe: ['CWE-284'] },
        severity: wan.igdControl.actionAnswered ? 'critical' : 'high',
        title: `The router's UPnP control answers from the internet${wan.igdControl.actionAnswered ? ', and obeys' : ''}`,
        description: `From outside, port ${wan.igdControl.port} served the router's UPnP description${wan.igdControl.actionAnswered ? ' and answered a read-only action (GetExternalIPAddress). Anyone on the internet can very likely add port mappings too (this check never tries)' : ''}. This is the flaw that botnets use to turn home routers into proxies (UPnProxy).`,
        evidence: [{ subject: `${wan.address ?? ''}:${wan.igdControl.port}${wan.igdControl.path}`, detail: `description fetched${wan.igdControl.friendlyName ? ` (${wan.igdControl.friendlyName})` : ''}; action answered: ${wan.igdControl.actionAnswered ? `yes, external IP ${wan.igdControl.externalIp ?? ''}` : 'no'}` }],
        remediation: ['Update the router firmware at once; if UPnP still answers from the WAN, turn UPnP off or replace the router.'],
        references: ['https://www.akamai.com/blog/security/upnproxy-eternalsilence'],
        exposure: doorKey('TCP', wan.igdControl.port),
      });
    }
    if (wan.address && wan.igdExternalIp && wan.address !== wan.igdExternalIp) {
      findings.push({
        id: 'wan-address-mismatch',
        rule: 'wan-address-mismatch',
        classification: unclassified(),
        severity: 'info',
        title: `The internet sees ${wan.address}, the router says its address is ${wan.igdExternalIp}`,
        description: 'Another NAT sits between the router and the internet: carrier-grade NAT at the ISP, a second router, or the ISP modem in router mode. UPnP mappings on this router do not reach the internet unless the device in front forwards too.',
        evidence: [{ subject: 'wan', detail: `agent saw ${wan.address}; GetExternalIPAddress = ${wan.igdExternalIp}` }],
        remediation: ['Check the upstream device for port forwards and UPnP as well; ask the ISP whether the line is behind CGNAT.'],
        references: ['https://www.rfc-editor.org/rfc/rfc6598'],
      });
    }
  }
  return findings;
}
