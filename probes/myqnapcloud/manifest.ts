import { observationsOf } from '../../src/core/observation.js';
import { reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, MyQnapCloud } from '../../src/core/report.generated.js';
import type { ReportSection, SectionBlock } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** The --myqnapcloud names, what they resolve to and whether that is the WAN address. */
    myqnapcloud: MyQnapCloud;
  }
}

function section(report: ExposureReport): ReportSection | undefined {
  const { myqnapcloud } = report;
  if (!myqnapcloud.checked) return undefined;
  const blocks: SectionBlock[] = myqnapcloud.names.map((name) => ({
    type: 'line',
    formats: 'text',
    gap: true,
    text: `myQNAPcloud  ${name.name} -> ${name.addresses.join(', ') || name.error || 'no address'}${name.matchesWan === true ? ' (YOUR EXTERNAL ADDRESS)' : ''}`,
  }));
  blocks.push({
    type: 'table',
    formats: 'document',
    columns: ['Name', 'Addresses', 'Matches the external address'],
    rows: myqnapcloud.names.map((name) => [name.name, name.addresses.join(', ') || name.error || '', name.matchesWan === null ? 'unknown' : name.matchesWan ? 'yes' : 'no']),
  });
  return { id: 'myqnapcloud', title: 'myQNAPcloud', blocks };
}

export const manifest: ProbeManifest = {
  id: 'myqnapcloud',
  name: 'myQNAPcloud DDNS',
  description: 'Resolves the myQNAPcloud names given with --myqnapcloud and compares them with the WAN address.',
  safety: 'safe',
  references: ['https://github.com/publicsuffix/list/blob/master/public_suffix_list.dat', 'https://www.qnap.com/en/how-to/tutorial/article/how-to-use-myqnapcloud'],
  // Compares the names with the WAN address: the agent's view first, else the router's.
  after: ['upnp-igd', 'wan-scan'],
  observes: { myqnapcloud: reportSchemaRef('MyQnapCloud') },
  report: {
    fields: (observations) => ({ myqnapcloud: observationsOf(observations, 'myqnapcloud')[0]?.data ?? { checked: false, names: [] } }),
    section,
  },
  load: async () => (await import('./index.js')).myQnapCloudProbe,
};
