import { reportSchemaRef, type JsonSchema, type ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, WanPort } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';
/** One LAN address as the agent saw it over IPv6: the open ports listed, the others counted. */
export interface Ipv6ScannedHost {
  address: string;
  open: WanPort[];
  closed: number;
  filtered: number;
  openFiltered: number;
}

/** The IPv6 outside view: what the vantage agent reached over IPv6, or why it did not look. */
export interface Ipv6Scan {
  status: 'scanned' | 'skipped' | 'failed';
  /** The user asked for it: --vantage6, or a --vantage agent that has an IPv6 address. */
  requested: boolean;
  code?: string;
  reason?: string;
  agentUrl?: string;
  /** This host's address as the agent saw it. */
  callerAddress?: string;
  /** The prefix the agent scoped the targets to (the caller's /64, or /56 by the operator's choice). */
  prefix?: string;
  engine?: 'nmap' | 'connect';
  durationMs?: number;
  portSpec?: string;
  /** TCP ports asked per address. */
  portsAsked: number;
  targets: string[];
  hosts: Ipv6ScannedHost[];
  refused: { address: string; reason: string }[];
  warnings: string[];
}

const text = (maxLength: number): JsonSchema => ({ type: 'string', maxLength });
const count: JsonSchema = { type: 'integer', minimum: 0 };

/** report.probes['wan6-scan']['ipv6-scan'][]: the IPv6 outside view (types.ts Ipv6Scan). */
export const SCAN_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'requested', 'portsAsked', 'targets', 'hosts', 'refused', 'warnings'],
  properties: {
    status: { enum: ['scanned', 'skipped', 'failed'] },
    requested: { type: 'boolean' },
    code: { type: 'string', pattern: '^EXP_ERR_[A-Z0-9_]+$' },
    reason: text(1000),
    agentUrl: text(300),
    callerAddress: text(45),
    prefix: text(64),
    engine: { enum: ['nmap', 'connect'] },
    durationMs: { type: 'number', minimum: 0 },
    portSpec: text(4096),
    portsAsked: count,
    targets: { type: 'array', maxItems: 64, items: text(45) },
    hosts: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'open', 'closed', 'filtered', 'openFiltered'],
        properties: { address: text(45), open: { type: 'array', maxItems: 65535, items: reportSchemaRef('WanPort') }, closed: count, filtered: count, openFiltered: count },
      },
    },
    refused: { type: 'array', maxItems: 64, items: { type: 'object', additionalProperties: false, required: ['address', 'reason'], properties: { address: text(45), reason: text(300) } } },
    warnings: { type: 'array', maxItems: 100, items: text(2000) },
  },
};

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** The LAN's global IPv6 addresses as the vantage agent reached them over IPv6. */
    'ipv6-scan': Ipv6Scan;
  }
}

export function ipv6ScanOf(report: ExposureReport): Ipv6Scan | undefined {
  return (report.probes?.['wan6-scan']?.['ipv6-scan'] ?? [])[0] as Ipv6Scan | undefined;
}

const service = (port: { service?: string; product?: string; version?: string }): string => [port.service, port.product, port.version].filter(Boolean).join(' ');

function section(report: ExposureReport): ReportSection | undefined {
  const scan = ipv6ScanOf(report);
  if (!scan) return undefined;
  const blocks: SectionBlock[] = [];
  const say = (text: string): void => void blocks.push({ type: 'line', formats: 'text', gap: blocks.length === 0, indent: blocks.length === 0 ? 0 : 1, text: blocks.length === 0 ? `Outside view over IPv6  ${text}` : text }, { type: 'paragraph', formats: 'document', text });
  if (scan.status !== 'scanned') {
    say(`${scan.status === 'failed' ? 'FAILED' : 'not run'}: ${scan.reason ?? ''}`);
    return { id: 'outside-view-ipv6', title: 'Outside view over IPv6', blocks };
  }
  const open = scan.hosts.reduce((total, host) => total + host.open.length, 0);
  say(`${scan.hosts.length} address(es) scanned from the vantage agent ${scan.agentUrl ?? ''} over IPv6${scan.prefix ? ` (scope ${scan.prefix})` : ''}, ${scan.portsAsked} TCP ports each: ${open} open`);
  for (const refused of scan.refused) say(`not scanned: ${refused.address} (${refused.reason})`);
  const rows = scan.hosts.flatMap((host) => host.open.map((port) => [{ code: host.address }, { token: `${port.port}/tcp` }, port.state, service(port)]));
  if (rows.length > 0) {
    blocks.push({ type: 'table', formats: 'text', indent: 2, columns: ['ADDRESS', 'PORT', 'STATE', 'SERVICE'], rows });
    blocks.push({ type: 'table', formats: 'document', className: 'ipv6-ports', columns: ['Address', 'Port', 'State', 'Service'], rows });
  }
  const counts = scan.hosts.map((host) => `${host.address}: ${host.open.length} open, ${host.closed} closed, ${host.filtered + host.openFiltered} filtered`).join('; ');
  if (counts) blocks.push({ type: 'paragraph', formats: 'document', tone: 'meta', text: counts });
  return { id: 'outside-view-ipv6', title: 'Outside view over IPv6', blocks };
}

export const manifest: ProbeManifest = {
  id: 'wan6-scan',
  name: 'IPv6 outside view',
  description:
    "Asks the vantage agent, over IPv6, to scan the LAN's global IPv6 addresses (this host's and the NAS hosts' first, at most 64) with the outside view's port set. The agent scans only addresses inside the /64 the request comes from. Without a global address or an agent reachable over IPv6 the view is skipped or failed, and says so.",
  safety: 'safe',
  references: ['https://datatracker.ietf.org/doc/html/rfc6092', 'https://wiki.chappell-family.com/wiki/index.php?title=IPv6'],
  // The addresses come from the IPv6 inventory of the LAN.
  after: ['ipv6-lan'],
  observes: { 'ipv6-scan': SCAN_SCHEMA },
  report: {
    section,
    summary: (report) => {
      const scan = ipv6ScanOf(report);
      if (!scan) return undefined;
      return scan.status === 'scanned' ? `IPv6 outside view: ${scan.hosts.length} address(es)` : `IPv6 outside view ${scan.status}`;
    },
  },
  load: async () => (await import('./index.js')).wan6ScanProbe,
};
