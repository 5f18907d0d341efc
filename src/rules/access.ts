import { observationsOf, type Observation } from '../core/observation.js';
import type { Access, Finding, Gateway, Mapping } from '../core/report.generated.js';
import { inPortSet } from '../net/map-e-port-set.js';
import { findingId, unclassified } from './finding.js';
import { mappingIdParts, routerIdParts } from './router-id.js';

/**
 * What each kind of line means for exposure, and what to do: the words every access finding uses, in one place.
 * Sources: ../shared/research/ipv6-japan-and-vendors.md sections 1.1, 1.4-1.6; RFC 7597, RFC 6333, RFC 6598.
 */
export const ACCESS_GUIDANCE: Readonly<Record<Access['kind'], { title: string; meaning: string; remediation: readonly string[]; references: readonly string[] }>> = {
  'public-ipv4': {
    title: 'This line has its own public IPv4 address',
    meaning: 'Every port the router forwards (by hand or by UPnP) can be reached from the whole internet.',
    remediation: ['Forward only what must be reachable; prefer a VPN to forwarding a NAS or camera.'],
    references: [],
  },
  'double-nat': {
    title: 'This router sits behind another router (double NAT)',
    meaning: 'Over IPv4 only what both routers forward can be reached; the upstream router (often the ISP\'s home gateway) decides too.',
    remediation: ['Log in to the upstream router (often the ISP\'s home gateway) and check its port forwarding and UPnP settings as well.'],
    references: ['https://www.rfc-editor.org/rfc/rfc1918'],
  },
  cgnat: {
    title: 'This line is behind the provider\'s carrier-grade NAT',
    meaning: 'The IPv4 address is the provider\'s and shared with other customers: nothing on the internet can open an IPv4 connection to this home, so port forwards and UPnP mappings are not reachable over IPv4. IPv6, where the line has it, is reachable directly: the router\'s IPv6 firewall is what matters.',
    remediation: ['Keep the router\'s IPv6 firewall on (unsolicited inbound IPv6 dropped); on an NTT home gateway, set the IPv6 security level to 「高度」 where other FLET\'S subscribers should not reach this home either.'],
    references: ['https://www.rfc-editor.org/rfc/rfc6598'],
  },
  'map-e': {
    title: 'This line shares its IPv4 address with other homes (MAP-E)',
    meaning: 'Under MAP-E (v6plus, OCN Virtual Connect, IPv6 option) one IPv4 address is shared by up to 256 homes, each owning a port set: only this home\'s ports can be forwarded, and ports below 4096 (1024 on the OCN rule) belong to nobody, so 80, 443 and 8080 cannot be exposed over IPv4. IPv6 is reachable directly: the router\'s IPv6 firewall is what matters.',
    remediation: ['Keep the router\'s IPv6 firewall on (unsolicited inbound IPv6 dropped); on an NTT home gateway, set the IPv6 security level to 「高度」 where other FLET\'S subscribers should not reach this home either.', 'Forward only ports inside this home\'s port set, and only what must be reachable.'],
    references: ['https://www.rfc-editor.org/rfc/rfc7597', 'https://github.com/missing233/map-e'],
  },
  'ds-lite': {
    title: 'This line carries IPv4 over IPv6 to the provider (DS-Lite)',
    meaning: 'IPv4 leaves through the provider\'s AFTR, where the NAT is: nothing on the internet can open an IPv4 connection to this home, so port forwards and UPnP mappings are not reachable over IPv4. IPv6 is reachable directly: the router\'s IPv6 firewall is what matters. Only a fixed-address (IPIP) add-on gives inbound IPv4.',
    remediation: ['Keep the router\'s IPv6 firewall on (unsolicited inbound IPv6 dropped); on an NTT home gateway, set the IPv6 security level to 「高度」 where other FLET\'S subscribers should not reach this home either.'],
    references: ['https://www.rfc-editor.org/rfc/rfc6333'],
  },
  'ipv6-only': {
    title: 'This network has no IPv4 internet',
    meaning: 'Only IPv6 reaches it: every LAN host with a global IPv6 address is reachable unless the router\'s IPv6 firewall drops unsolicited inbound traffic.',
    remediation: ['Keep the router\'s IPv6 firewall on (unsolicited inbound IPv6 dropped).'],
    references: [],
  },
  unknown: { title: '', meaning: '', remediation: [], references: [] },
};

export const OUTSIDE_SET_REMEDIATION = (port: number): string =>
  `Remove the mapping of port ${port}: it cannot work on this line. A program that needs to be reached must use a port inside this home's set (most routers pick one when UPnP asks for a port outside it; this one did not).`;

const MAX_EVIDENCE = 50;

function lineFinding(access: Access): Finding | undefined {
  if (access.kind === 'unknown') return undefined;
  const guidance = ACCESS_GUIDANCE[access.kind];
  return {
    id: findingId('access-line', access.kind),
    rule: 'access-line',
    classification: unclassified(),
    severity: 'info',
    title: access.kind === 'map-e' && access.portSet ? `${guidance.title}: ${access.portSet.service ?? access.portSet.rule}, ${access.portSet.size} ports` : guidance.title,
    description: `${access.summary} ${guidance.meaning}`,
    evidence: access.evidence.slice(0, MAX_EVIDENCE).map((entry) => ({ subject: entry.source, detail: `${entry.value}${entry.note ? ` (${entry.note})` : ''}` })),
    remediation: [...guidance.remediation],
    references: [...guidance.references],
  };
}

function gatewaysOf(observations: readonly Observation[]): Gateway[] {
  return observationsOf(observations, 'gateway').map((observation) => observation.data);
}

/** A MAP-E home's mappings whose external port is another home's (or nobody's): they cannot be reached. */
function outsideSetFindings(access: Access, gateways: readonly Gateway[]): Finding[] {
  const set = access.portSet;
  if (access.kind !== 'map-e' || !set) return [];
  const confirmed = set.trusted ? 'confirmed by the source ports the vantage agent saw' : 'computed from the IPv6 prefix, not confirmed by a vantage agent';
  return gateways.flatMap((gateway) => {
    const prefix = routerIdParts(gateway, gateways);
    const seen = new Set<string>();
    return gateway.mappings
      .filter((mapping: Mapping) => mapping.externalPort > 0 && !inPortSet(set, mapping.externalPort))
      .flatMap((mapping): Finding[] => {
        const id = findingId('access-mapping-outside-port-set', ...prefix, ...mappingIdParts(mapping));
        if (seen.has(id)) return [];
        seen.add(id);
        return [{
          id,
          rule: 'access-mapping-outside-port-set',
          classification: unclassified(),
          severity: 'low',
          title: `${mapping.protocol} ${mapping.externalPort} cannot be reached from the internet on this line (outside this home's port set)`,
          description: `This line shares its IPv4 address by MAP-E (${set.service ?? set.rule}); this home owns ${set.size} ports (PSID ${set.psid}, ${confirmed}). External port ${mapping.externalPort} is not one of them: traffic to it goes to another home, or to nobody, so this mapping is dead. A program relying on it is not reachable over IPv4.`,
          evidence: [{ subject: gateway.location, detail: `${mapping.protocol} ${mapping.externalPort} -> ${mapping.internalClient}:${mapping.internalPort}; port set rule ${set.rule}, PSID ${set.psid}` }],
          remediation: [OUTSIDE_SET_REMEDIATION(mapping.externalPort)],
          references: ['https://www.rfc-editor.org/rfc/rfc7597#section-5.1'],
        }];
      });
  });
}

/** DS-Lite and CGNAT: no mapping is reachable over IPv4; one finding per router that holds any. */
function unreachableFindings(access: Access, gateways: readonly Gateway[]): Finding[] {
  if (access.kind !== 'ds-lite' && access.kind !== 'cgnat') return [];
  const line = access.kind === 'ds-lite' ? 'DS-Lite' : 'carrier-grade NAT';
  return gateways
    .filter((gateway) => gateway.mappings.length > 0)
    .map((gateway) => ({
      id: findingId('access-mappings-no-inbound-ipv4', ...routerIdParts(gateway, gateways)),
      rule: 'access-mappings-no-inbound-ipv4',
      classification: unclassified(),
      severity: 'info' as const,
      title: `${gateway.mappings.length} UPnP mapping(s) cannot be reached over IPv4 on this line (${line})`,
      description: `On ${line} inbound IPv4 cannot reach this home, so none of this router's mappings is reachable from the internet over IPv4. They become reachable the day the line changes (a fixed-address add-on, another provider): remove the ones nothing needs.`,
      evidence: gateway.mappings.slice(0, MAX_EVIDENCE).map((mapping) => ({ subject: gateway.location, detail: `${mapping.protocol} ${mapping.externalPort} -> ${mapping.internalClient}:${mapping.internalPort}` })),
      remediation: ['Remove the mappings nothing needs, and turn UPnP off on the router if nothing on the LAN needs it.'],
      references: [...ACCESS_GUIDANCE[access.kind].references],
    }));
}

/** The access kind and what it means for the router's mappings. Facts from the access probe; no network. */
export function accessRules(observations: readonly Observation[]): Finding[] {
  const access = observationsOf(observations, 'access')[0]?.data;
  if (!access) return [];
  const gateways = gatewaysOf(observations);
  const line = lineFinding(access);
  return [...(line ? [line] : []), ...outsideSetFindings(access, gateways), ...unreachableFindings(access, gateways)];
}
