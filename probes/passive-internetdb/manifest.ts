import { comparePassive, type InternetDbView, type PassiveComparison } from '../../src/core/passive-view.js';
import type { JsonSchema, ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** What Shodan InternetDB last saw on the WAN IPv4 address (--passive internetdb). */
    internetdb: InternetDbView;
  }
}

const text = (maxLength: number): JsonSchema => ({ type: 'string', maxLength });
const list = (maxItems: number, maxLength: number): JsonSchema => ({ type: 'array', maxItems, items: text(maxLength) });

/** The data of an `internetdb` observation: report.probes['passive-internetdb'].internetdb[]. Caps as in parse.ts. */
export const INTERNETDB_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'endpoint', 'status', 'address', 'addressFrom', 'ports', 'cpes', 'vulns', 'tags', 'hostnames'],
  properties: {
    source: { type: 'string', const: 'internetdb' },
    endpoint: text(2048),
    status: { type: 'string', enum: ['found', 'unknown', 'failed', 'skipped'] },
    address: { anyOf: [{ type: 'string', maxLength: 15 }, { type: 'null' }] },
    addressFrom: { anyOf: [{ type: 'string', enum: ['agent', 'igd'] }, { type: 'null' }] },
    reason: { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: { type: 'string', pattern: '^EXP_ERR_[A-Z0-9_]+$' }, message: text(1000) } },
    httpStatus: { type: 'integer', minimum: 0, maximum: 999 },
    durationMs: { type: 'integer', minimum: 0 },
    ports: { type: 'array', maxItems: 65535, items: { type: 'integer', minimum: 1, maximum: 65535 } },
    cpes: list(64, 253),
    vulns: { type: 'array', maxItems: 256, items: { type: 'string', pattern: '^CVE-\\d{4}-\\d{4,7}$' } },
    tags: list(32, 253),
    hostnames: list(32, 253),
    truncated: { type: 'array', maxItems: 5, items: { type: 'string', enum: ['ports', 'cpes', 'vulns', 'tags', 'hostnames'] } },
  },
};

/** The observation as stored in a report (a report from before this probe has none). */
export function internetDbViewOf(report: ExposureReport): InternetDbView | undefined {
  const data = report.probes?.['passive-internetdb']?.['internetdb']?.[0];
  return data === undefined ? undefined : (data as InternetDbView);
}

const SHOWN_PORTS = 40;

function portList(ports: readonly number[]): string {
  const shown = ports.slice(0, SHOWN_PORTS).join(', ');
  return ports.length > SHOWN_PORTS ? `${shown} and ${ports.length - SHOWN_PORTS} more` : shown;
}

function statusLine(view: InternetDbView): string {
  const from = view.addressFrom === 'agent' ? "the vantage agent's view of the WAN address" : "the router's external address";
  switch (view.status) {
    case 'found':
      return `Shodan InternetDB (a third party) on ${view.address ?? ''} (${from}): ${view.ports.length} port(s) open at its last crawl`;
    case 'unknown':
      return `Shodan InternetDB (a third party) on ${view.address ?? ''} (${from}): unknown to Shodan (it holds nothing on this address)`;
    case 'failed':
      return `Shodan InternetDB (a third party) on ${view.address ?? ''}: FAILED, ${view.reason?.code ?? ''}: ${view.reason?.message ?? ''}; only this view is missing`;
    case 'skipped':
      return `Shodan InternetDB: not asked, ${view.reason?.message ?? ''}`;
  }
}

/** The lines the terminal and the documents share: one fact per line, each labelled with how sure it is. */
function factLines(view: InternetDbView, comparison: PassiveComparison): string[] {
  const lines: string[] = [];
  if (comparison.scope !== 'home') lines.push(comparison.scopeSentence);
  const attributable = comparison.scope === 'home' || comparison.scope === 'map-e';
  if (attributable) {
    if (comparison.closedNow.length > 0) lines.push(`Open at Shodan's last crawl, closed now: ${comparison.closedNow.map((entry) => `${entry.port}/tcp (${entry.state} now)`).join(', ')}`);
    if (comparison.bothOpen.length > 0) lines.push(`Open at Shodan's last crawl and open now (both agree): ${portList(comparison.bothOpen)}`);
    if (comparison.openNowOnly.length > 0) lines.push(`Open now, not in Shodan's list (opened since its last crawl, or not crawled): ${portList(comparison.openNowOnly)}`);
    if (comparison.notCheckedNow.length > 0) lines.push(`Open at Shodan's last crawl, not checked from outside by this scan: ${portList(comparison.notCheckedNow)}${comparison.outsideNow ? '' : ' (no vantage agent: scan with --vantage to see them now)'}`);
  } else if (view.ports.length > 0) {
    lines.push(`Ports Shodan lists on this shared address (not attributed to this home): ${portList(view.ports)}`);
  }
  if (comparison.otherSubscribers.length > 0) lines.push(`Other subscribers on this shared address (not this home's ports, not findings): ${portList(comparison.otherSubscribers)}`);
  if (view.vulns.length > 0) {
    lines.push(`Possible vulnerabilities (version-inferred by Shodan, not verified${comparison.scope === 'home' ? '' : '; on a shared address they may be another subscriber\'s'}): ${view.vulns.slice(0, 30).join(', ')}${view.vulns.length > 30 ? ` and ${view.vulns.length - 30} more` : ''}`);
  }
  if (view.tags.length > 0) lines.push(`Tags: ${view.tags.join(', ')}`);
  if (view.hostnames.length > 0) lines.push(`Hostnames: ${view.hostnames.join(', ')}`);
  if (view.cpes.length > 0) lines.push(`Software (CPE, as Shodan inferred it): ${view.cpes.slice(0, 20).join(', ')}${view.cpes.length > 20 ? ` and ${view.cpes.length - 20} more` : ''}`);
  if (view.truncated !== undefined) lines.push(`Cut to their limits (an unusually large answer): ${view.truncated.join(', ')}`);
  return lines;
}

function section(report: ExposureReport): ReportSection | undefined {
  const view = internetDbViewOf(report);
  if (view === undefined) return undefined;
  const comparison = comparePassive(view, report.wan, report.access);
  const lines = view.status === 'found' ? factLines(view, comparison) : [];
  const blocks: SectionBlock[] = [
    { type: 'line', formats: 'text', gap: true, text: `Passive view  ${statusLine(view)}` },
    ...lines.map((line): SectionBlock => ({ type: 'line', formats: 'text', indent: 1, text: line })),
    { type: 'paragraph', formats: 'document', tone: 'meta', text: 'A passive second opinion: what Shodan, a third party, last saw on the WAN address (crawled about weekly). This scan sent the address to Shodan because --passive internetdb asked it to.' },
    { type: 'paragraph', formats: 'document', text: statusLine(view) },
    ...lines.map((line): SectionBlock => ({ type: 'paragraph', formats: 'document', text: line })),
  ];
  return { id: 'passive-view', title: 'Passive view (Shodan InternetDB)', blocks };
}

function summary(report: ExposureReport): string | undefined {
  const view = internetDbViewOf(report);
  if (view === undefined) return undefined;
  if (view.status === 'found') return `Shodan saw ${view.ports.length} port(s)`;
  if (view.status === 'unknown') return 'unknown to Shodan';
  return `passive view ${view.status}`;
}

export const manifest: ProbeManifest = {
  id: 'passive-internetdb',
  name: 'Passive view: Shodan InternetDB',
  description: 'Asks Shodan InternetDB (a third party) what it last saw on the WAN IPv4 address, and shows it beside the active view. Opt-in: --passive internetdb sends the address to Shodan.',
  safety: 'safe',
  references: ['https://internetdb.shodan.io/docs', 'https://book.shodan.io/enterprise/infrastructure-guidance'],
  // The address comes from the vantage agent's view (wan-scan), else the router's external address (upnp-igd).
  after: ['upnp-igd', 'wan-scan'],
  observes: { internetdb: INTERNETDB_SCHEMA },
  report: { section, summary },
  load: async () => (await import('./index.js')).passiveInternetDbProbe,
};
