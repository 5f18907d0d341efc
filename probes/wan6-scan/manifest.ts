import type { ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';
import { SCAN_SCHEMA } from './schema.js';
import type { Ipv6Scan } from './types.js';

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
