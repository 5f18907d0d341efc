import { observationsOf } from '../../src/core/observation.js';
import { reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { Access, ExposureReport } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** The kind of internet line, with the facts that say so (and a MAP-E home's port set). */
    access: Access;
  }
}

/** "4928-4943, 9024-9039, 13120-13135, ... (15 ranges)": the first few, then how many in all. */
export function formatRanges(ranges: readonly { from: number; to: number }[], shown: number): string {
  const listed = ranges.slice(0, shown).map((range) => (range.from === range.to ? String(range.from) : `${range.from}-${range.to}`));
  return ranges.length > shown ? `${listed.join(', ')}, ... (${ranges.length} ranges)` : listed.join(', ');
}

const KIND_WORDS: Record<Access['kind'], string> = {
  'public-ipv4': 'public IPv4',
  'double-nat': 'double NAT',
  cgnat: 'carrier-grade NAT',
  'map-e': 'MAP-E',
  'ds-lite': 'DS-Lite',
  'ipv6-only': 'IPv6 only',
  unknown: 'unknown',
};

/** "MAP-E (v6plus), this home's 240 ports: 4928-4943, ..." */
export function lineWords(access: Access): string {
  const set = access.portSet;
  if (access.kind !== 'map-e' || !set) return KIND_WORDS[access.kind];
  return `MAP-E (${set.service ?? set.rule}), this home's ${set.size} ports: ${formatRanges(set.ranges, 3)}${set.trusted ? '' : ' (not confirmed: not scanned)'}`;
}

function section(report: ExposureReport): ReportSection | undefined {
  const access = report.access;
  if (!access) return undefined;
  const blocks: SectionBlock[] = [
    { type: 'line', formats: 'text', gap: true, text: `Line  ${lineWords(access)}` },
    { type: 'line', formats: 'text', indent: 1, text: access.summary },
    { type: 'paragraph', formats: 'document', text: [{ strong: KIND_WORDS[access.kind] }, `: ${access.summary}`] },
    {
      type: 'table',
      formats: 'document',
      className: 'access-evidence',
      columns: ['Fact', 'Value', 'Note'],
      rows: access.evidence.map((entry) => [{ token: entry.source }, { code: entry.value }, entry.note ?? '']),
    },
  ];
  const set = access.portSet;
  if (set) {
    blocks.push({ type: 'paragraph', formats: 'document', text: `Port set (rule ${set.rule}, PSID ${set.psid}, ${set.size} ports): ${formatRanges(set.ranges, set.ranges.length)}. ${set.trusted ? 'Confirmed by the source ports the vantage agent saw.' : `Not confirmed: ${set.reason ?? ''}.`}` });
  }
  return { id: 'access', title: 'Line', blocks };
}

export const manifest: ProbeManifest = {
  id: 'access',
  name: 'Access line',
  description: 'Tells the kind of internet line (public IPv4, double NAT, CGNAT, MAP-E, DS-Lite, IPv6 only) from the router\'s external address, this host\'s IPv6 prefixes, the MAP-E rules and how the vantage agent sees this host; computes a MAP-E home\'s port set.',
  safety: 'safe',
  references: ['https://www.rfc-editor.org/rfc/rfc7597', 'https://www.rfc-editor.org/rfc/rfc6333', 'https://www.rfc-editor.org/rfc/rfc6598'],
  // The router's external address comes from UPnP. The agent is asked with the scan's start, and the default
  // gateway's table read when the UPnP probe hands it out.
  after: ['upnp-igd'],
  startsAtOnce: ['upnp-igd'],
  observes: { access: reportSchemaRef('Access') },
  report: {
    fields: (observations) => {
      const access = observationsOf(observations, 'access')[0]?.data;
      return access ? { access } : {};
    },
    section,
    summary: (report) => (report.access ? `line: ${lineWords(report.access).split(':')[0] ?? ''}` : undefined),
  },
  load: async () => (await import('./index.js')).accessProbe,
};
