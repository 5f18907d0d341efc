import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding, Mapping, Severity, Wan, WanPort } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';
import { describeMapping } from './upnp.js';

const VPN_INSTEAD = 'Reach services from outside through a VPN (WireGuard, OpenVPN, QNAP QVPN) rather than an open port.';

function vantageWords(wan: Wan): string {
  return wan.vantage === 'agent' ? 'from the internet (vantage agent)' : 'from inside, through the router (hairpin NAT; not an outside view)';
}

function openPortFinding(port: WanPort, wan: Wan, mapping: Mapping | undefined): Finding {
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
      description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, and the router's UPnP table explains why: a mapping to ${mapping.internalClient}:${mapping.internalPort}${mapping.description ? ` ("${mapping.description}")` : ''}. This is exactly how Qlocker and DeadBolt reached QNAP boxes.`,
      evidence,
      remediation: [
        `Turn off automatic port forwarding on ${mapping.internalClient} (on a QNAP NAS: myQNAPcloud > Auto Router Configuration > unselect "Enable UPnP Port forwarding"), then delete the mapping in the router.`,
        'Turn UPnP off in the router if nothing needs it.',
        VPN_INSTEAD,
      ],
      references: ['https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers'],
    };
  }
  return {
    id: findingId('wan-port-open-unexplained', port.port),
    rule: 'wan-port-open-unexplained',
    classification: unclassified(),
    severity,
    title: `Port ${port.port}${service ? ` (${service})` : ''} answers ${wan.vantage === 'agent' ? 'from the internet' : 'on the external address'}, and no UPnP mapping explains it`,
    description: `The external address ${wan.address ?? ''} accepts connections on TCP ${port.port}, but the router's UPnP table has no mapping for it: a port forward set by hand, a service of the router itself (remote administration), or an upstream device.`,
    evidence,
    remediation: [
      `Look in the router's port forwarding / virtual server page for port ${port.port}; remove the forward if nothing needs it.`,
      'Check that the router\'s own remote administration (web, SSH, TR-069) is off from the WAN side.',
      VPN_INSTEAD,
    ],
    references: [],
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
  };
}

export function wanRules(observations: readonly Observation[]): Finding[] {
  const wan = observationsOf(observations, 'wan')[0]?.data;
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
  const tcpMapping = (port: number): Mapping | undefined => mappings.find((mapping) => mapping.protocol === 'TCP' && mapping.externalPort === port && mapping.enabled);
  const tcp = wan.ports.filter((port) => port.protocol === 'TCP');
  for (const port of tcp) {
    if (port.state === 'open') findings.push(openPortFinding(port, wan, tcpMapping(port.port)));
  }
  if (wan.vantage === 'agent') {
    for (const mapping of mappings) {
      if (mapping.protocol !== 'TCP' || !mapping.enabled) continue;
      const port = tcp.find((candidate) => candidate.port === mapping.externalPort);
      if (port?.state !== 'open') findings.push(unreachableMappingFinding(mapping, port, wan));
    }
    for (const port of wan.ports.filter((candidate) => candidate.protocol === 'UDP' && candidate.state === 'open')) findings.push(udpFinding(port, wan));
    if (wan.igdControl?.descriptionFetched) {
      findings.push({
        id: 'upnp-igd-on-wan',
        rule: 'upnp-igd-on-wan',
        classification: unclassified(),
        severity: wan.igdControl.actionAnswered ? 'critical' : 'high',
        title: `The router's UPnP control answers from the internet${wan.igdControl.actionAnswered ? ', and obeys' : ''}`,
        description: `From outside, port ${wan.igdControl.port} served the router's UPnP description${wan.igdControl.actionAnswered ? ' and answered a read-only action (GetExternalIPAddress). Anyone on the internet can very likely add port mappings too (this check never tries)' : ''}. This is the flaw that botnets use to turn home routers into proxies (UPnProxy).`,
        evidence: [{ subject: `${wan.address ?? ''}:${wan.igdControl.port}${wan.igdControl.path}`, detail: `description fetched${wan.igdControl.friendlyName ? ` (${wan.igdControl.friendlyName})` : ''}; action answered: ${wan.igdControl.actionAnswered ? `yes, external IP ${wan.igdControl.externalIp ?? ''}` : 'no'}` }],
        remediation: ['Update the router firmware at once; if UPnP still answers from the WAN, turn UPnP off or replace the router.'],
        references: ['https://www.akamai.com/blog/security/upnproxy-eternalsilence'],
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
