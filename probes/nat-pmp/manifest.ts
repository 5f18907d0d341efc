import { observationsOf, type Observation } from '../../src/core/observation.js';
import { reportSchemaRef, type ProbeManifest } from '../../src/core/probe.js';
import type { ExposureReport, NatPmp } from '../../src/core/report.generated.js';
import type { ReportSection } from '../../src/core/report-section.js';

declare module '../../src/core/observation.js' {
  interface ObservationKinds {
    /** One gateway's answer (or silence) to a NAT-PMP external-address request. */
    'nat-pmp': NatPmp;
  }
}

/** NAT-PMP is reported for the first gateway that answered, else the first asked. */
function natPmpField(observations: readonly Observation[]): NatPmp {
  const answers = observationsOf(observations, 'nat-pmp').map((observation) => observation.data);
  return answers.find((answer) => answer.present) ?? answers[0] ?? { present: false, externalIp: null, checked: false };
}

/** One line in the terminal; the documents say it through the findings. */
function section(report: ExposureReport): ReportSection {
  const nat = report.natPmp;
  const state = !nat.checked && !nat.present ? 'not checked' : nat.present ? `${nat.pcp ? 'PCP' : 'enabled'} on ${nat.gateway ?? ''}${nat.externalIp ? `, external IP ${nat.externalIp}` : ''}` : `not answering on ${nat.gateway ?? ''}`;
  return { id: 'nat-pmp', title: 'NAT-PMP', blocks: [{ type: 'line', formats: 'text', gap: true, text: `NAT-PMP  ${state}` }] };
}

export const manifest: ProbeManifest = {
  id: 'nat-pmp',
  name: 'NAT-PMP / PCP',
  description: 'Asks the gateway for its external address over NAT-PMP (UDP 5351) to learn whether NAT-PMP or PCP is enabled.',
  safety: 'safe',
  references: ['https://www.rfc-editor.org/rfc/rfc6886', 'https://www.rfc-editor.org/rfc/rfc6887'],
  // Asks the routers UPnP found, besides the default routes.
  after: ['upnp-igd'],
  observes: { 'nat-pmp': reportSchemaRef('NatPmp') },
  report: { fields: (observations) => ({ natPmp: natPmpField(observations) }), section },
  load: async () => (await import('./index.js')).natPmpProbe,
};
