import { observationsOf, type Observation } from '../../src/core/observation.js';
import { reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { Discovery, ExposureReport, Gateway, Mapping } from '../../src/core/report.generated.js';
import type { Cell, ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** How routers were looked for (SSDP or --gateway) and who answered. */
    discovery: Discovery;
    /** One router read: its description, external address, status and whole mapping table. */
    gateway: Gateway;
  }
}

function duration(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${seconds % 60}s`;
}

const routerName = (gateway: Gateway): string => gateway.friendlyName || gateway.modelName || gateway.address;

function terminalMappings(mappings: readonly Mapping[]): SectionBlock {
  return {
    type: 'table',
    formats: 'text',
    indent: 2,
    columns: ['PROTO', 'EXTERNAL', 'INTERNAL CLIENT', 'LEASE', 'ON', 'DESCRIPTION'],
    rows: mappings.map((mapping) => [
      mapping.protocol,
      String(mapping.externalPort) + (mapping.remoteHost ? ` from ${mapping.remoteHost}` : ''),
      `${mapping.internalClient}:${mapping.internalPort}${mapping.internalClientOnLan === false ? ' (NOT ON LAN)' : ''}`,
      mapping.leaseDuration === 0 ? 'permanent' : duration(mapping.leaseDuration),
      mapping.enabled ? 'yes' : 'no',
      mapping.description.slice(0, 60) + (mapping.description.length > 60 ? '…' : ''),
    ]),
  };
}

function terminalGateway(gateway: Gateway): SectionBlock[] {
  const model = [gateway.manufacturer, gateway.modelName, gateway.modelNumber].filter(Boolean).join(' ');
  const line = (text: Cell, indent = 1): SectionBlock => ({ type: 'line', formats: 'text', text, indent });
  const { enumeration } = gateway;
  const blocks: SectionBlock[] = [
    { type: 'line', formats: 'text', gap: true, text: `Router  ${routerName(gateway)}${model ? ` (${model})` : ''} at ${gateway.address}` },
    line(`UPnP IGD v${gateway.igdVersion ?? '?'}, ${gateway.connectionService?.replace('urn:schemas-upnp-org:service:', '') ?? 'no connection service'}, ${gateway.location}`),
    line(`External IP  ${gateway.externalIp ?? 'unknown'} (${gateway.externalIpClass})   Status  ${gateway.connectionStatus ?? 'unknown'}, up ${duration(gateway.uptimeSeconds)}`),
  ];
  if (gateway.firewall) blocks.push(line(`IPv6 firewall  ${gateway.firewall.enabled === null ? 'unknown' : gateway.firewall.enabled ? 'on' : 'OFF'}, inbound pinholes ${gateway.firewall.inboundPinholeAllowed ? 'allowed' : 'not allowed'}`));
  blocks.push(
    line(
      `Port mappings: ${gateway.mappings.length}${gateway.mappingsTruncated ? ' (INCOMPLETE)' : ''}, read with ${enumeration.method} in ${Math.round(enumeration.durationMs)} ms, ${enumeration.requests} requests${enumeration.fallbackReason ? ` (fell back: ${enumeration.fallbackReason})` : ''}`,
    ),
  );
  if (gateway.mappings.length > 0) blocks.push(terminalMappings(gateway.mappings));
  for (const error of gateway.errors) blocks.push(line(`! ${error.code}: ${error.message}`));
  return blocks;
}

function documentGateway(gateway: Gateway): SectionBlock[] {
  const blocks: SectionBlock[] = [
    { type: 'heading', formats: 'document', text: `${routerName(gateway)} at ${gateway.address}` },
    {
      type: 'paragraph',
      formats: 'document',
      tone: 'meta',
      text: [`UPnP IGD v${gateway.igdVersion ?? '?'}, `, { code: gateway.location }, `; external IP ${gateway.externalIp ?? 'unknown'} (${gateway.externalIpClass}); ${gateway.mappings.length} mapping(s)${gateway.mappingsTruncated ? ' (INCOMPLETE)' : ''}.`],
    },
  ];
  if (gateway.mappings.length > 0) {
    blocks.push({
      type: 'table',
      formats: 'document',
      className: 'mappings',
      data: { gateway: gateway.address },
      columns: ['Protocol', 'External', 'Internal client', 'Lease', 'Enabled', 'Description'],
      rows: gateway.mappings.map((mapping) => [
        { token: mapping.protocol },
        [{ token: String(mapping.externalPort) }, mapping.remoteHost ? ` from ${mapping.remoteHost}` : ''],
        [`${mapping.internalClient}:${mapping.internalPort}`, mapping.internalClientOnLan === false ? { strong: ' (not on the LAN)' } : ''],
        mapping.leaseDuration === 0 ? { strong: 'permanent' } : `${mapping.leaseDuration} s`,
        mapping.enabled ? 'yes' : 'no',
        mapping.description,
      ]),
    });
  }
  return blocks;
}

/** The routers: discovery and each router's table in the terminal; a heading and a table each in the documents. */
function section(report: ExposureReport): ReportSection {
  const blocks: SectionBlock[] = [];
  const { discovery } = report;
  if (discovery.method === 'ssdp') {
    blocks.push({ type: 'line', formats: 'text', gap: true, text: `Discovery: SSDP on ${(discovery.interfaces ?? []).join(', ') || 'no interface'} for ${discovery.windowMs} ms, ${discovery.responses.length} answer(s)` });
  }
  for (const response of discovery.responses.filter((candidate) => !candidate.fetched)) {
    blocks.push({ type: 'line', formats: 'text', indent: 1, text: `not fetched: ${response.location} from ${response.from} (${response.refusedReason ?? ''})` });
  }
  if (report.gateways.length === 0) {
    blocks.push({ type: 'line', formats: 'text', text: 'No UPnP router found.' }, { type: 'paragraph', formats: 'document', text: 'No UPnP router answered.' });
  }
  for (const gateway of report.gateways) blocks.push(...terminalGateway(gateway), ...documentGateway(gateway));
  return { id: 'routers', title: 'Routers and UPnP mappings', blocks };
}

export const manifest: ProbeManifest = {
  id: 'upnp-igd',
  name: 'UPnP Internet Gateway Device',
  description: 'Discovers UPnP IGD routers on the LAN and reads their external IP address and every port mapping.',
  safety: 'safe',
  references: ['https://openconnectivity.org/developer/specifications/upnp-resources/upnp/internet-gateway-device-igd-v-2-0/'],
  observes: { discovery: reportSchemaRef('Discovery'), gateway: reportSchemaRef('Gateway') },
  report: {
    fields: (observations: readonly Observation[]) => ({
      discovery: observationsOf(observations, 'discovery')[0]?.data ?? { method: 'ssdp', windowMs: 0, responses: [] },
      gateways: observationsOf(observations, 'gateway').map((observation) => observation.data),
    }),
    section,
    summary: (report) => `${report.gateways.length} router(s), ${report.summary.mappings} mapping(s)`,
    compactFindings: {
      rules: ['upnp-mapping'],
      title: 'What to do about forwarded ports:',
      advice: ['For each device above: turn off its automatic port forwarding (UPnP / "Auto Router Configuration").'],
    },
  },
  load: async () => (await import('./index.js')).upnpIgdProbe,
};
