import { observationsOf } from '../../src/core/observation.js';
import { REPORT_SCHEMA_ID, reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, ViewCoverage, Wan, WanPort } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** The external address and what answered on it, from the vantage agent or (labelled) from inside. */
    wan: Wan;
    /** What the outside view was allowed to look at, when the line limits it (a MAP-E port set, nothing on DS-Lite). */
    'outside-scope': NonNullable<ViewCoverage['scope']>;
  }
}

const WAN_STATES: readonly WanPort['state'][] = ['open', 'closed', 'filtered', 'open|filtered'];
/** nmap's rule: a state with more ports than this is counted, not listed ("Not shown: 997 closed tcp ports"). */
const MOST_LISTED_PER_STATE = 25;

/**
 * How the outside view is listed. Open ports are always listed; any other state only while it has at most 25 ports,
 * else it is a count, as nmap does. A full-range scan of a router that drops everything would otherwise be 65,535
 * rows; the JSON keeps every port.
 */
export function wanPortListing(ports: readonly WanPort[]): { listed: WanPort[]; counts: string; notListed: string } {
  const count = (state: WanPort['state']): number => ports.filter((port) => port.state === state).length;
  const countedOnly = new Set(WAN_STATES.filter((state) => state !== 'open' && count(state) > MOST_LISTED_PER_STATE));
  return {
    listed: ports.filter((port) => !countedOnly.has(port.state)),
    counts: WAN_STATES.map((state) => `${count(state)} ${state}`).join(', '),
    notListed: countedOnly.size === 0 ? '' : `Not listed: the ${[...countedOnly].join(' and ')} ports.`,
  };
}

function outsidePhrase(wan: Wan): string {
  if (wan.vantage === 'agent') return `outside view: scanned from the vantage agent (${wan.address ?? ''})`;
  if (wan.vantage === 'local') return 'outside view: scanned from inside only, NOT an outside view';
  return 'no outside view';
}

const service = (port: WanPort): string => [port.service, port.product, port.version].filter(Boolean).join(' ');

function terminalBlocks(wan: Wan): SectionBlock[] {
  if (wan.vantage === 'none') return [{ type: 'line', formats: 'text', gap: true, text: `Outside view  not run: ${wan.reason ?? ''}` }];
  const header =
    wan.vantage === 'agent'
      ? `Outside view  ${wan.address ?? ''} scanned from the vantage agent ${wan.agentUrl ?? ''} (${wan.engine ?? ''}, ${Math.round((wan.durationMs ?? 0) / 1000)} s)`
      : `Outside view  NOT AN OUTSIDE VIEW: ${wan.address ?? ''} scanned from inside through the router (${wan.engine ?? ''})`;
  const blocks: SectionBlock[] = [
    { type: 'line', formats: 'text', gap: true, text: header },
    { type: 'line', formats: 'text', indent: 1, text: `${wan.ports.length} ports checked: ${wanPortListing(wan.ports).counts}` },
  ];
  const open = wan.ports.filter((port) => port.state === 'open');
  if (open.length > 0) {
    blocks.push({ type: 'table', formats: 'text', indent: 2, columns: ['PORT', 'STATE', 'SERVICE', 'BANNER'], rows: open.map((port) => [`${port.port}/${port.protocol.toLowerCase()}`, port.state, service(port), (port.banner ?? '').slice(0, 60)]) });
  }
  if (wan.igdControl) {
    blocks.push({ type: 'line', formats: 'text', indent: 1, text: `UPnP control from outside: ${wan.igdControl.descriptionFetched ? `ANSWERS${wan.igdControl.actionAnswered ? ' and obeys a read-only action' : ''}` : 'no answer'}` });
  }
  return blocks;
}

function documentBlocks(wan: Wan): SectionBlock[] {
  if (wan.ports.length === 0) return [];
  const { listed, counts, notListed } = wanPortListing(wan.ports);
  const blocks: SectionBlock[] = [
    { type: 'paragraph', formats: 'document', tone: 'meta', text: outsidePhrase(wan) },
    { type: 'paragraph', formats: 'document', text: `${wan.ports.length} ports checked: ${counts}.${notListed === '' ? '' : ` ${notListed}`}` },
  ];
  if (listed.length > 0) {
    blocks.push({
      type: 'table',
      formats: 'document',
      className: 'wan-ports',
      columns: ['Port', 'State', 'Service', 'Banner'],
      rows: listed.map((port) => [{ token: `${port.port}/${port.protocol.toLowerCase()}` }, port.state, service(port), { code: (port.banner ?? '').slice(0, 120) }]),
    });
  }
  return blocks;
}

function section(report: ExposureReport): ReportSection {
  return { id: 'outside-view', title: 'Outside view', blocks: [...terminalBlocks(report.wan), ...documentBlocks(report.wan)] };
}

export const manifest: ProbeManifest = {
  id: 'wan-scan',
  name: 'WAN port scan',
  description: 'Scans the external address from the vantage agent (or, labelled, from inside) and checks SSDP, NAT-PMP and the IGD control from the WAN side.',
  safety: 'safe',
  references: ['https://nmap.org/book/scan-methods-connect-scan.html'],
  // The router's external address and its mapped ports come from UPnP; the line's kind (what may be scanned at all:
  // a MAP-E port set, nothing on DS-Lite or CGNAT) from the access probe.
  after: ['upnp-igd', 'access'],
  // The agent is asked as soon as the default gateway's table is read, while discovery still listens for other
  // routers; a mapped port of a router that answers later is not asked, and coverage says so (decision 0013).
  startsEarly: { 'upnp-igd': 'gateway' },
  observes: { wan: reportSchemaRef('Wan'), 'outside-scope': { $ref: `${REPORT_SCHEMA_ID}#/definitions/ViewCoverage/properties/scope` } },
  report: {
    fields: (observations) => ({ wan: observationsOf(observations, 'wan')[0]?.data ?? { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], reason: 'not run' } }),
    section,
    summary: (report) => outsidePhrase(report.wan),
  },
  load: async () => (await import('./index.js')).wanScanProbe,
};
