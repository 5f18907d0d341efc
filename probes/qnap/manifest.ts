import { observationsOf } from '../../src/core/observation.js';
import { reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, Host } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** A device the fingerprints looked at (from the LAN, or from the WAN through the agent): facts; the rules add the verdicts. */
    host: Host;
  }
}

const seenFrom = (host: Host): string => (host.seenFrom === 'lan' ? 'the LAN' : 'the internet');

function identity(host: Host, withName: boolean): string {
  const device = host.device;
  if (!device) return 'not identified by any vendor pack';
  return `${device.vendor} ${device.displayModel ?? device.model ?? ''} ${device.os ?? ''}, firmware ${device.firmware?.full ?? 'unknown'}${withName ? `, ${device.confidence} confidence${device.hostname ? `, name ${device.hostname}` : ''}` : ` (${device.confidence} confidence)`}`.replace(/\s+/g, ' ');
}

function terminalHost(host: Host): SectionBlock[] {
  const blocks: SectionBlock[] = [{ type: 'line', formats: 'text', gap: true, text: `Host  ${host.address} from ${seenFrom(host)} (${host.reasons.join(', ')}): ${identity(host, false)}` }];
  for (const service of host.services) {
    const matches = service.fingerprints.map((match) => `${match.id} ${match.product}${match.version ? ` ${match.version}` : ''} (${match.confidence})`).join('; ');
    blocks.push({ type: 'line', formats: 'text', indent: 1, text: `${service.port}/${service.scheme}  ${matches || service.error || service.title || service.server || 'no fingerprint'}` });
  }
  if (host.verdicts.length > 0) {
    blocks.push({
      type: 'table',
      formats: 'text',
      indent: 2,
      columns: ['ADVISORY', 'STATUS', 'FOUND', 'FIXED IN', 'KNOWN'],
      rows: host.verdicts.map((verdict) => [verdict.advisory, verdict.status.toUpperCase(), verdict.foundVersion ?? 'unknown', verdict.fixedVersion ?? 'unknown', [verdict.kev ? 'KEV' : '', verdict.knownRansomware ? 'ransomware' : ''].filter(Boolean).join(', ')]),
    });
  }
  return blocks;
}

function documentHost(host: Host): SectionBlock[] {
  const blocks: SectionBlock[] = [
    { type: 'heading', formats: 'document', text: host.address, note: `seen from ${seenFrom(host)}` },
    { type: 'paragraph', formats: 'document', text: `${identity(host, true)}${host.device ? '.' : ''}` },
  ];
  const services = host.services.flatMap((service) =>
    service.fingerprints.length > 0
      ? service.fingerprints.map((match) => [{ token: `${service.port}/${service.scheme}` }, match.id, `${match.product}${match.version ? ` ${match.version}` : ''}`, match.confidence, { code: match.evidence.slice(0, 200) }])
      : [[{ token: `${service.port}/${service.scheme}` }, '', service.title ?? service.server ?? '', '', service.error ?? '']],
  );
  if (services.length > 0) blocks.push({ type: 'table', formats: 'document', columns: ['Service', 'Fingerprint', 'Product', 'Confidence', 'Evidence'], rows: services });
  if (host.verdicts.length > 0) {
    blocks.push({
      type: 'table',
      formats: 'document',
      className: 'verdicts',
      columns: ['Advisory', 'Component', 'Status', 'Found', 'Fixed in', 'CVE', 'KEV', 'Ransomware'],
      rows: host.verdicts.map((verdict) => [verdict.advisory, verdict.component, verdict.status, verdict.foundVersion ?? 'unknown', verdict.fixedVersion ?? 'unknown', verdict.cve.join(', '), verdict.kev ? 'yes' : 'no', verdict.knownRansomware ? 'yes' : 'no']),
    });
  }
  return blocks;
}

function section(report: ExposureReport): ReportSection | undefined {
  if (report.hosts.length === 0) return undefined;
  return { id: 'hosts', title: 'Hosts', blocks: report.hosts.flatMap((host) => [...terminalHost(host), ...documentHost(host)]) };
}

export const manifest: ProbeManifest = {
  id: 'qnap',
  name: 'NAS fingerprints (LAN)',
  description:
    "Fingerprints the LAN hosts the router's mappings point at and those named with --nas with every vendor pack (probes/vendors/*, and --vendor-pack folders): QNAP's authLogin.cgi QDocRoot XML, login pages, app pages and their versions, TLS certificates, indicators of compromise. It records what each device said; the rules hold its versions against the packs' advisories.",
  safety: 'safe',
  references: ['https://github.com/nmap/nmap/blob/master/scripts/http-qnap-nas-info.nse', 'https://github.com/rapid7/recog', 'https://www.qnap.com/en/security-advisories'],
  // Fingerprints the internal clients of the routers' mappings.
  after: ['upnp-igd'],
  observes: { host: reportSchemaRef('Host') },
  report: {
    // The WAN probe's agent fingerprints land here too: one list of hosts, each saying where it was seen from.
    fields: (observations) => ({ hosts: observationsOf(observations, 'host').map((observation) => observation.data) }),
    section,
  },
  load: async () => (await import('./index.js')).qnapProbe,
};
