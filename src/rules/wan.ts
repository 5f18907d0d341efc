import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding, Mapping, Severity, Wan, WanPort } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';
import { describeMapping } from './describe.js';
import { doorKey, locationPort, ruleContext, type RuleContext } from './doors.js';
import { storyFindingId } from './story.js';

const VPN_INSTEAD = 'Reach services from outside through a VPN (WireGuard, OpenVPN, QNAP QVPN) rather than an open port.';

function vantageWords(wan: Wan): string {
  return wan.vantage === 'agent' ? 'from the internet (vantage agent)' : 'from inside, through the router (hairpin NAT; not an outside view)';
}

function openPortFinding(port: WanPort, wan: Wan, mapping: Mapping | undefined, story: string | null): Finding {
  const service = SENSITIVE_PORTS.get(port.port);
  const seen = [port.service, port.product, port.version].filter(Boolean).join(' ');
  let severity: Severity = service ? 'critical' : 'medium';
  if (wan.vantage !== 'agent') severity = service ? 'high' : 'low';
  const evidence = [{ subject: `${wan.address ?? ''}:${port.port}/tcp`, detail: `open ${vantageWords(wan)}${seen ? `; service ${seen}` : ''}${port.banner ? `; banner ${JSON.stringify(port.banner.slice(0, 120))}` : ''}` }];
  if (mapping) {
    evidence.push({ subject: `UPnP ${mapping.protocol}/${mapping.externalPort}`, detail: describeMapping(mapping) });
    return {
      id: findingId('wan-port-open-mapped', port.port),
      rule: 'wan-port-open-mapped',
      classification: unclassified(),
      severity,
      title: `Port ${port.port}${service ? ` (${service})` : ''} answers ${wan.vantage === 'agent' ? 'from the internet' : 'on the external address'}: opened by UPnP for ${mapping.internalClient}`,
      description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, and the router's UPnP table explains why: a mapping to ${mapping.internalClient}:${mapping.internalPort}${mapping.description ? ` ("${mapping.description}")` : ''}. ${story ? `What it exposes is explained in ${story}.` : 'This is exactly how Qlocker and DeadBolt reached QNAP boxes.'}`,
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
  return {
    id: findingId('wan-port-open-unexplained', port.port),
    rule: 'wan-port-open-unexplained',
    classification: unclassified(),
    severity,
    title: `Port ${port.port}${service ? ` (${service})` : ''} answers ${wan.vantage === 'agent' ? 'from the internet' : 'on the external address'}, and no UPnP mapping explains it`,
    description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, but the router's UPnP table has no mapping for it: a port forward set by hand, a service of the router itself (remote administration), or an upstream device.${story ? ` What it exposes is explained in ${story}.` : ''}`,
    evidence,
    remediation: [
      `Look in the router's port forwarding / virtual server page for port ${port.port}; remove the forward if nothing needs it.`,
      'Check that the router\'s own remote administration (web, SSH, TR-069) is off from the WAN side.',
      VPN_INSTEAD,
    ],
    references: [],
    exposure: doorKey('TCP', port.port),
  };
}

function unreachableMappingFinding(mapping: Mapping, port: WanPort | undefined, wan: Wan): Finding {
  const state = port?.state ?? 'not scanned';
  const why =
    state === 'closed'
      ? 'The router forwards it, but nothing listens on the inside (the device is off, or the service stopped): it opens the moment the service runs again.'
      : 'No answer came back: something upstream drops it (a second router, carrier-grade NAT, or the ISP), or the device drops it.';
  return {
    id: findingId('upnp-mapping-unreachable', mapping.protocol, mapping.externalPort),
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

  const mappings = observationsOf(observations, 'gateway').flatMap((observation) => observation.data.mappings);
  const tcpMapping = (port: number): Mapping | undefined => {
    const door = context.doorByKey.get(doorKey('TCP', port));
    return door?.via === 'upnp' && door.mapping ? door.mapping : undefined;
  };
  const tcp = wan.ports.filter((port) => port.protocol === 'TCP');
  const tcpByPort = new Map(tcp.map((port) => [port.port, port]));
  for (const port of tcp) {
    if (port.state !== 'open') continue;
    const door = context.doorByKey.get(doorKey('TCP', port.port));
    findings.push(openPortFinding(port, wan, tcpMapping(port.port), door ? storyFindingId(context, door) : null));
  }
  if (wan.vantage === 'agent') {
    for (const mapping of mappings) {
      if (mapping.protocol !== 'TCP' || !mapping.enabled) continue;
      const port = tcpByPort.get(mapping.externalPort);
      if (port?.state !== 'open') findings.push(unreachableMappingFinding(mapping, port, wan));
    }
    for (const port of wan.ports.filter((candidate) => candidate.protocol === 'UDP' && candidate.state === 'open')) findings.push(udpFinding(port, wan));
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
