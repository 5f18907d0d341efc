import { classifyIPv4 } from '../core/address.js';
import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding, Gateway, Mapping, Severity, SsdpResponse } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';
import { shiftSeverity } from './severity.js';
import { describeMapping } from './describe.js';
import { doorKey, gatewayReachable, ruleContext, type Door, type RuleContext } from './doors.js';
import { storyFindingId } from './story.js';
import { mappingIdParts, mappingKey, routerIdParts } from './router-id.js';

/** Sourced in ../shared/research/qnap/report.md: Qlocker's way in, and QNAP's own advice to turn UPnP forwarding off. */
const UPNP_REFERENCES = [
  'https://www.bleepingcomputer.com/news/security/qnap-confirms-qlocker-ransomware-used-hbs-backdoor-account/',
  'https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers',
];

const DISABLE_UPNP =
  'If no device needs automatic port forwarding, turn UPnP off in the router (often under Advanced > NAT or UPnP); devices that need remote access are better served by a VPN.';

function gatewayName(gateway: Gateway): string {
  return gateway.friendlyName || gateway.modelName || gateway.address;
}

function mappingSeverity(mapping: Mapping, gateway: Gateway, door: Door | undefined): Severity {
  if (!mapping.enabled) return 'info';
  let severity: Severity = SENSITIVE_PORTS.has(mapping.externalPort) || SENSITIVE_PORTS.has(mapping.internalPort) ? 'high' : 'low';
  if (mapping.leaseDuration === 0) severity = shiftSeverity(severity, 1);
  // Behind double NAT the mapping alone does not reach the internet; it still does the moment the upstream changes.
  if (!gatewayReachable(gateway) || door?.lineBlocks !== undefined) severity = shiftSeverity(severity, -1);
  // The outside view saw it closed or dropped: still a door, but not an open one today.
  else if (door?.reachability === 'closed' || door?.reachability === 'filtered') severity = shiftSeverity(severity, -1);
  return severity;
}

function mappingFinding(mapping: Mapping, gateway: Gateway, gatewayPrefix: string[], door: Door | undefined, story: string | null): Finding {
  const service = SENSITIVE_PORTS.get(mapping.externalPort) ?? SENSITIVE_PORTS.get(mapping.internalPort);
  const permanent = mapping.leaseDuration === 0;
  const subject = `${mapping.protocol}/${mapping.externalPort}`;
  const parts = [
    `Router ${gatewayName(gateway)} forwards ${subject} from the internet to ${mapping.internalClient}:${mapping.internalPort}, set up by UPnP.`,
  ];
  // One finding carries the story of what a door exposes; this one stays about the mapping and points to it.
  if (story) parts.push(`What it exposes is explained in ${story}.`);
  else if (service) parts.push(`This port usually carries ${service}: an exposed admin or file-sharing service is how Qlocker and DeadBolt ransomware reached QNAP NAS boxes.`);
  if (permanent) parts.push('The mapping is permanent (lease 0): it stays until someone removes it.');
  if (!mapping.enabled) parts.push('The router reports the mapping as disabled.');
  if (door?.reachability === 'closed' || door?.reachability === 'filtered') parts.push(`From the internet it is ${door.reachability} right now (see upnp-mapping-unreachable), so it is not an open door today; it becomes one when the service answers or the upstream changes.`);
  if (door?.lineBlocks !== undefined) parts.push(`It cannot be reached from the internet on this line: ${door.lineBlocks}. It becomes a door the day the line changes (a fixed-IP option, another provider).`);
  else if (!gatewayReachable(gateway)) parts.push(`The router's external address ${gateway.externalIp ?? ''} is not public, so this mapping alone does not reach the internet (double NAT or carrier-grade NAT).`);
  else if (gateway.externalIp === null) parts.push('The router did not report its external address, so whether this reaches the internet cannot be told from inside.');
  return {
    id: findingId('upnp-mapping', ...gatewayPrefix, ...mappingIdParts(mapping)),
    rule: 'upnp-mapping',
    classification: unclassified(),
    severity: mappingSeverity(mapping, gateway, door),
    title: `${subject} is forwarded to ${mapping.internalClient}:${mapping.internalPort}${service ? ` (${service})` : ''}`,
    description: parts.join(' '),
    evidence: [{ subject: `${gateway.location} ${subject}`, detail: describeMapping(mapping) }],
    remediation: [
      `Find the device at ${mapping.internalClient} and turn off its automatic port forwarding (on a QNAP NAS: myQNAPcloud > Auto Router Configuration > unselect "Enable UPnP Port forwarding").`,
      'Delete the mapping in the router (UPnP or port forwarding page), or restart the router after the device stops asking for it.',
      DISABLE_UPNP,
      ...(service ? ['Never expose an admin or file-sharing service directly: reach it through a VPN (WireGuard, OpenVPN, or QNAP QVPN) instead.'] : []),
    ],
    references: UPNP_REFERENCES,
    ...(door ? { exposure: door.key } : {}),
  };
}

/**
 * A mapping to a public address is the UPnProxy pattern: the router relays strangers' traffic. A mapping to a
 * private address on a subnet this machine is not on is usually another VLAN or a second router: worth knowing,
 * not alarming.
 */
function offLanFinding(mapping: Mapping, gateway: Gateway, gatewayPrefix: string[], subject: string): Finding {
  const clientClass = classifyIPv4(mapping.internalClient);
  if (clientClass === 'public' || clientClass === 'unknown') {
    return {
      id: findingId('upnp-mapping-off-lan', ...gatewayPrefix, ...mappingIdParts(mapping)),
      rule: 'upnp-mapping-off-lan',
      classification: unclassified(),
      severity: 'high',
      title: `${mapping.protocol}/${mapping.externalPort} is forwarded to ${mapping.internalClient}, an address outside any private network`,
      description:
        `A UPnP mapping whose internal client is a public address turns the router into a proxy for strangers (the UPnProxy pattern Akamai reported in 2018, used to hide botnet and attack traffic). Home devices never need this.${PROXIED_PORTS.has(mapping.internalPort) ? ` Forwarding to port ${mapping.internalPort} of a host elsewhere (a web server or DNS resolver) is exactly what the injected UPnProxy mappings looked like.` : ''}`,
      evidence: [{ subject, detail: describeMapping(mapping) }],
      remediation: ['Delete the mapping in the router and turn UPnP off.', 'Update the router firmware: a router that accepts such mappings has a known-vulnerable UPnP stack.', 'Look for a compromised device on the LAN that may have created it.'],
      references: ['https://www.akamai.com/blog/security/upnproxy-eternalsilence'],
      ...(mapping.enabled ? { exposure: doorKey(mapping.protocol, mapping.externalPort) } : {}),
    };
  }
  const proxyShape = PROXIED_PORTS.has(mapping.internalPort) && mapping.internalPort !== mapping.externalPort;
  return {
    id: findingId('upnp-mapping-other-subnet', ...gatewayPrefix, ...mappingIdParts(mapping)),
    rule: 'upnp-mapping-other-subnet',
    classification: unclassified(),
    severity: proxyShape ? 'medium' : 'low',
    title: `${mapping.protocol}/${mapping.externalPort} is forwarded to ${mapping.internalClient}, on a subnet this machine is not on`,
    description: `The internal client ${mapping.internalClient} is a private address, but not on any network this machine is attached to (${gateway.friendlyName || gateway.address} may serve several subnets, or the mapping points at a device that has left). The scan cannot look at that host from here.${proxyShape ? ` An external port (${mapping.externalPort}) relayed to port ${mapping.internalPort} of a host elsewhere is the shape of a proxying (UPnProxy-style) mapping.` : ''}`,
    evidence: [{ subject, detail: describeMapping(mapping) }],
    remediation: [`Check which device uses ${mapping.internalClient}; delete the mapping if none should.`],
    references: [],
  };
}

/** Ports a relaying mapping points at: web servers and DNS resolvers elsewhere (UPnProxy). */
const PROXIED_PORTS: ReadonlySet<number> = new Set([53, 80, 443]);

/**
 * Shapes of injected mappings (Akamai's UPnProxy and EternalSilence reports): a mapping to the router itself, the
 * campaign's own description, or a high external port relayed to SMB on a LAN host.
 */
function proxyPatternFinding(mapping: Mapping, gateway: Gateway, gatewayPrefix: string[], subject: string): Finding | null {
  const reasons: string[] = [];
  let severity: Severity = 'medium';
  if (mapping.internalClient === gateway.address) {
    reasons.push(`it forwards to the router itself (${gateway.address}:${mapping.internalPort}), putting one of the router's own services on the internet`);
    severity = 'high';
  }
  if (/galleta\s*silenciosa/i.test(mapping.description)) {
    reasons.push('its description "galleta silenciosa" is the signature of the EternalSilence campaign, which injected mappings opening SMB of LAN machines to the internet');
    severity = 'high';
  }
  if ((mapping.internalPort === 139 || mapping.internalPort === 445) && mapping.externalPort !== mapping.internalPort && mapping.externalPort > 1024 && mapping.internalClientOnLan !== false) {
    reasons.push(`a high external port (${mapping.externalPort}) leads to SMB (${mapping.internalPort}) on a LAN machine: the shape of EternalSilence's injected mappings`);
  }
  if (reasons.length === 0) return null;
  return {
    id: findingId('upnp-proxy-pattern', ...gatewayPrefix, ...mappingIdParts(mapping)),
    rule: 'upnp-proxy-pattern',
    classification: { ...unclassified(), cwe: ['CWE-441'] },
    severity,
    title: `${mapping.protocol}/${mapping.externalPort} looks like an injected (UPnProxy-style) mapping`,
    description: `This mapping matches a pattern of mappings that attackers inject through routers whose UPnP answers from the internet: ${reasons.join('; ')}. A home device rarely asks for this.`,
    evidence: [{ subject, detail: describeMapping(mapping) }],
    remediation: [
      'Delete the mapping, turn UPnP off in the router, and update the router firmware (a router that lets the internet add mappings has a known-vulnerable UPnP stack).',
      `Check ${mapping.internalClient} for compromise if it is a LAN machine.`,
    ],
    references: ['https://www.akamai.com/blog/security/upnproxy-eternalsilence'],
    ...(mapping.enabled ? { exposure: doorKey(mapping.protocol, mapping.externalPort) } : {}),
  };
}

const PERMANENT_LISTED = 20;

/** Lease 0 never expires: the door outlives the device's need, the device, and its DHCP address. */
function permanentLeasesFinding(gateway: Gateway, gatewayPrefix: string[]): Finding | null {
  const permanent = gateway.mappings.filter((mapping) => mapping.enabled && mapping.leaseDuration === 0);
  if (permanent.length === 0) return null;
  const name = gatewayName(gateway);
  return {
    id: findingId('upnp-permanent-leases', ...gatewayPrefix),
    rule: 'upnp-permanent-leases',
    classification: unclassified(),
    severity: 'low',
    title: `${permanent.length} UPnP mapping${permanent.length === 1 ? '' : 's'} on ${name} never expire${permanent.length === 1 ? 's' : ''}`,
    description:
      'A lease of 0 keeps a mapping until someone deletes it. A device that needs a port only while it runs asks for a short lease and renews it; a permanent one outlives that need, the device itself, and its DHCP address, which the router may later give to another machine.',
    evidence: [
      ...permanent.slice(0, PERMANENT_LISTED).map((mapping) => ({ subject: `${gateway.location} ${mapping.protocol}/${mapping.externalPort}`, detail: describeMapping(mapping) })),
      ...(permanent.length > PERMANENT_LISTED ? [{ subject: gateway.location, detail: `and ${permanent.length - PERMANENT_LISTED} more permanent mappings` }] : []),
    ],
    remediation: ['Delete the permanent mappings nothing needs (router UPnP page), and turn off automatic port forwarding on the devices that created them.', DISABLE_UPNP],
    references: ['https://www.rfc-editor.org/rfc/rfc6886#section-3.3'],
  };
}

/** The LAN probes looked at the mapping's client and nothing answered on the mapped port: the door waits for whoever takes that address or port next. */
function staleFinding(door: Door, mapping: Mapping, context: RuleContext, gatewayPrefix: string[], subject: string): Finding | null {
  const host = context.lanHosts.get(mapping.internalClient);
  const service = host?.services.find((candidate) => candidate.port === mapping.internalPort);
  if (!host || mapping.protocol !== 'TCP' || !service?.error) return null;
  return {
    id: findingId('upnp-mapping-stale', ...gatewayPrefix, ...mappingIdParts(mapping)),
    rule: 'upnp-mapping-stale',
    classification: unclassified(),
    severity: 'low',
    title: `${mapping.protocol}/${mapping.externalPort} is forwarded to ${mapping.internalClient}:${mapping.internalPort}, where nothing answers`,
    description: `Seen from the LAN, ${mapping.internalClient}:${mapping.internalPort} did not answer (${service.error}). The device has left, changed address, or stopped the service; the forward stays, and opens for whichever device or service takes that address and port next.`,
    evidence: [{ subject, detail: describeMapping(mapping) }, { subject: `${host.address}:${service.port}`, detail: `from the LAN: ${service.error}` }],
    remediation: ['Delete the mapping in the router; turn UPnP off if nothing needs it.'],
    references: [],
    exposure: door.key,
  };
}

function gatewayFindings(gateway: Gateway, gatewayPrefix: string[], context: RuleContext, doorOf: ReadonlyMap<Mapping, Door>): Finding[] {
  const findings: Finding[] = [];
  const name = gatewayName(gateway);
  const activeMappings = gateway.mappings.filter((mapping) => mapping.enabled).length;
  findings.push({
    id: findingId('upnp-igd-enabled', ...gatewayPrefix),
    rule: 'upnp-igd-enabled',
    classification: unclassified(),
    severity: gatewayReachable(gateway) ? 'medium' : 'low',
    title: `UPnP port forwarding is enabled on ${name}`,
    description:
      `${name} (${[gateway.manufacturer, gateway.modelName].filter(Boolean).join(' ') || 'unknown model'}) answers UPnP IGD requests on the LAN: any program on any device in the house can open ports to the internet without asking anyone. ` +
      `It currently holds ${gateway.mappings.length} mapping(s), ${activeMappings} enabled.`,
    evidence: [{ subject: gateway.location, detail: `IGD v${gateway.igdVersion ?? '?'} ${gateway.deviceType}; connection service ${gateway.connectionService ?? 'none'}; external IP ${gateway.externalIp ?? 'unknown'}` }],
    remediation: [DISABLE_UPNP, 'If UPnP must stay on, run exposure scan regularly (for example from cron, with --fail-on high) so a new mapping does not go unnoticed.'],
    references: UPNP_REFERENCES,
  });

  if (gateway.externalIp !== null && (gateway.externalIpClass === 'private' || gateway.externalIpClass === 'cgnat' || gateway.externalIpClass === 'reserved')) {
    const kind = gateway.externalIpClass === 'cgnat' ? 'carrier-grade NAT (100.64.0.0/10)' : gateway.externalIpClass === 'private' ? 'a private (RFC 1918) address' : 'a reserved address';
    findings.push({
      id: findingId('wan-address-not-public', ...gatewayPrefix),
      rule: 'wan-address-not-public',
      classification: unclassified(),
      severity: 'info',
      title: `The router's external address ${gateway.externalIp} is not reachable from the internet`,
      description: `${name} reports ${gateway.externalIp}, ${kind}. Another NAT sits between it and the internet (a second router, or the ISP's carrier-grade NAT), so its UPnP mappings do not by themselves expose anything. The upstream device may forward ports too: check it, or scan from outside.`,
      evidence: [{ subject: gateway.location, detail: `GetExternalIPAddress = ${gateway.externalIp} (${gateway.externalIpClass})` }],
      remediation: ['Log in to the upstream router (often the ISP modem) and check its port forwarding and UPnP settings as well.'],
      references: ['https://www.rfc-editor.org/rfc/rfc6598', 'https://www.rfc-editor.org/rfc/rfc1918'],
    });
  }

  if (gateway.externalIp === null && gateway.connectionService !== null) {
    findings.push({
      id: findingId('wan-address-unavailable', ...gatewayPrefix),
      rule: 'wan-address-unavailable',
      classification: unclassified(),
      severity: 'info',
      title: `${name} does not report an external address`,
      description:
        `The router answered GetExternalIPAddress with no address. Either its internet connection is down, or its own WAN address is private or carrier-grade NAT: miniupnpd, for one, then withholds the address and says port forwarding is impossible. Whether its mappings reach the internet cannot be told from inside; the mapping findings keep their full severity until an outside scan shows otherwise.`,
      evidence: [{ subject: gateway.location, detail: `GetExternalIPAddress returned nothing; connection status ${gateway.connectionStatus ?? 'unknown'}` }],
      remediation: ['Check the router status page for its WAN address; if it starts with 10., 172.16-31., 192.168. or 100.64-127., another NAT is upstream: check that device too.'],
      references: ['https://www.rfc-editor.org/rfc/rfc6598'],
    });
  }

  // A table holds one entry per key; a router that lists one twice is repeating itself, not adding a door.
  const seen = new Set<string>();
  for (const mapping of gateway.mappings) {
    const key = mappingKey(mapping);
    if (seen.has(key)) continue;
    seen.add(key);
    const door = doorOf.get(mapping);
    findings.push(mappingFinding(mapping, gateway, gatewayPrefix, door, door ? storyFindingId(context, door) : null));
    const subject = `${gateway.location} ${mapping.protocol}/${mapping.externalPort}`;
    const proxy = mapping.enabled ? proxyPatternFinding(mapping, gateway, gatewayPrefix, subject) : null;
    if (proxy) findings.push(proxy);
    const stale = door ? staleFinding(door, mapping, context, gatewayPrefix, subject) : null;
    if (stale) findings.push(stale);
    if (mapping.internalClientOnLan === false) findings.push(offLanFinding(mapping, gateway, gatewayPrefix, subject));
    if (mapping.descriptionHasMarkup) {
      findings.push({
        id: findingId('upnp-description-markup', ...gatewayPrefix, ...mappingIdParts(mapping)),
        rule: 'upnp-description-markup',
        classification: unclassified(),
        severity: 'medium',
        title: `The description of ${mapping.protocol}/${mapping.externalPort} contains markup`,
        description:
          'Any LAN device can write a mapping description. Markup in it is an attempt to inject script into router admin pages or to confuse tools that read the table; the router also returned it unescaped. The text is shown here as plain text.',
        evidence: [{ subject, detail: `description (as received): ${mapping.description}` }],
        remediation: [`Identify the device at ${mapping.internalClient} and check it for compromise.`, 'Delete the mapping; update the router firmware.'],
        references: ['https://owasp.org/www-community/attacks/xss/'],
      });
    }
  }

  const permanent = permanentLeasesFinding(gateway, gatewayPrefix);
  if (permanent) findings.push(permanent);

  if (gateway.mappingsTruncated) {
    findings.push({
      id: findingId('upnp-mapping-table-incomplete', ...gatewayPrefix),
      rule: 'upnp-mapping-table-incomplete',
      classification: unclassified(),
      severity: 'low',
      title: `Not every mapping on ${name} was read`,
      description: `Reading stopped after ${gateway.mappings.length} mapping(s) (${gateway.enumeration.stopReason}). Mappings beyond that point are not in this report.`,
      evidence: [{ subject: gateway.location, detail: `enumeration: ${gateway.enumeration.method}, ${gateway.enumeration.requests} requests, stop reason ${gateway.enumeration.stopReason}` }],
      remediation: ['Run again with a larger --max-mappings or --timeout; thousands of mappings on a home router are themselves suspicious.'],
      references: [],
    });
  }

  const rejectedUrls = gateway.rejectedUrls ?? [];
  if (rejectedUrls.length > 0) {
    // One finding per router: the same description may point several services (or one twice) elsewhere.
    findings.push({
      id: findingId('upnp-control-url-foreign', ...gatewayPrefix),
      rule: 'upnp-control-url-foreign',
      classification: unclassified(),
      severity: 'medium',
      title: `${name} names ${rejectedUrls.length === 1 ? 'a control URL' : `${rejectedUrls.length} control URLs`} on another host`,
      description: 'The device description points a service at a different host than the device itself. exposure-scanner did not contact it; a genuine router never does this.',
      evidence: rejectedUrls.map((rejected) => ({ subject: gateway.location, detail: `${rejected.serviceType}: ${rejected.url} (${rejected.reason})` })),
      remediation: ['Check which device serves this description; it may be impersonating the router.'],
      references: [],
    });
  }
  return findings;
}

/** A refused answer whose LOCATION is not plainly the answering host's own http URL (not one refused only for the cap on routers). */
function foreignLocation(response: SsdpResponse): boolean {
  if (response.fetched || !response.refusedReason) return false;
  try {
    const url = new URL(response.location);
    return url.protocol !== 'http:' || url.hostname !== response.from || url.username !== '' || url.password !== '';
  } catch {
    return true;
  }
}

/** One finding per answering device: it answers every search target it hears, each with the same foreign LOCATION. */
function foreignLocationFindings(responses: readonly SsdpResponse[]): Finding[] {
  const byDevice = new Map<string, SsdpResponse[]>();
  for (const response of responses) {
    if (!foreignLocation(response)) continue;
    const answers = byDevice.get(response.from);
    if (answers) answers.push(response);
    else byDevice.set(response.from, [response]);
  }
  return [...byDevice].map(([from, answers]) => {
    const lines = [...new Set(answers.map((response) => `ST ${response.st}; LOCATION ${response.location}; SERVER ${response.server}; refused: ${response.refusedReason ?? ''}`))].sort();
    return {
      id: findingId('ssdp-foreign-location', from),
      rule: 'ssdp-foreign-location',
      classification: unclassified(),
      severity: 'high',
      title: `${from} answered UPnP discovery with a location on another host`,
      description:
        'A device answered the search for routers with a description URL that does not point to itself. Following it would let any LAN device make this tool (or any UPnP client) fetch a URL of its choosing, for example a service on this very machine. It was not fetched.',
      evidence: lines.map((detail) => ({ subject: from, detail })),
      remediation: [`Identify the device at ${from} (router DHCP client list) and check it for compromise or misconfiguration.`],
      references: ['https://cwe.mitre.org/data/definitions/918.html'],
    };
  });
}

export function upnpRules(observations: readonly Observation[], context: RuleContext = ruleContext(observations)): Finding[] {
  const gateways = context.gateways;
  const doorOf = new Map(context.doors.flatMap((door) => (door.mapping ? [[door.mapping, door] as const] : [])));
  const discovery = observationsOf(observations, 'discovery')[0]?.data;
  const findings: Finding[] = [];
  // Named by what the router is (its UDN, else its LOCATION), never by how many answered or in which order.
  for (const gateway of gateways) findings.push(...gatewayFindings(gateway, routerIdParts(gateway, gateways), context, doorOf));
  findings.push(...foreignLocationFindings(discovery?.responses ?? []));

  if (gateways.length === 0) {
    // Only the router probe's own failures: an agent that was down says nothing about the router.
    const unreadable = observationsOf(observations, 'warning').filter((observation) => observation.probe === 'upnp-igd');
    const named = discovery?.method === 'gateway-url';
    findings.push({
      id: 'upnp-igd-not-found',
      rule: 'upnp-igd-not-found',
      classification: unclassified(),
      severity: 'info',
      title: unreadable.length > 0 ? (named ? 'The router named with --gateway could not be read' : 'A UPnP router answered but could not be read') : 'No UPnP router answered on this network',
      description:
        unreadable.length > 0
          ? `${named ? 'The description URL given with --gateway' : 'A device that answered discovery'} could not be read, so its mapping table is unknown (not empty); see the evidence and the report's coverage.`
          : `No Internet Gateway Device answered within ${discovery?.windowMs ?? 0} ms. Either UPnP is off on the router (good), or it answers slowly: try --discovery-window 5000, or --gateway URL if you know the description URL.`,
      evidence:
        unreadable.length > 0
          ? unreadable.slice(0, 8).map((observation) => ({ subject: observation.subject, detail: `${observation.data.code}: ${observation.data.message}` }))
          : [{ subject: 'lan', detail: `SSDP answers: ${discovery?.responses.length ?? 0}` }],
      remediation: [],
      references: [],
    });
  }
  return findings;
}
