import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';

/** RFC 6886 §3.5 result codes. */
const RESULT_CODES: Record<number, string> = {
  1: 'Unsupported Version',
  2: 'Not Authorized/Refused',
  3: 'Network Failure (the gateway has no usable external address: not connected, or behind another NAT)',
  4: 'Out of resources',
  5: 'Unsupported opcode',
};

function natPmpStatus(resultCode: number | undefined, externalIp: string | null): string {
  if (externalIp) return `It reports the external address ${externalIp}.`;
  if (resultCode) return `It answered with result ${resultCode}: ${RESULT_CODES[resultCode] ?? 'unknown'}.`;
  return '';
}

export function natPmpRules(observations: readonly Observation[]): Finding[] {
  return observationsOf(observations, 'nat-pmp')
    .filter((observation) => observation.data.present)
    .map(({ data }) => ({
      id: findingId('nat-pmp-enabled', data.gateway ?? ''),
      rule: 'nat-pmp-enabled',
      classification: unclassified(),
      severity: data.externalIpClass === 'public' || data.externalIpClass === undefined ? 'medium' : 'low',
      title: `${data.pcp ? 'PCP' : 'NAT-PMP'} is enabled on ${data.gateway ?? 'the gateway'}`,
      description: `The gateway answers ${data.pcp ? 'Port Control Protocol' : 'NAT-PMP'} requests on UDP 5351: like UPnP, it lets any program on the LAN open ports to the internet without the owner's knowledge. ${natPmpStatus(data.resultCode, data.externalIp)}`.trim(),
      evidence: [{ subject: `${data.gateway ?? ''}:5351`, detail: `result code ${data.resultCode ?? 0}; external address ${data.externalIp ?? 'not given'}${data.epochSeconds !== undefined ? `; seconds since start of epoch ${data.epochSeconds}` : ''}` }],
      remediation: ['Turn NAT-PMP / PCP off in the router if nothing needs it (often next to the UPnP setting).'],
      references: ['https://www.rfc-editor.org/rfc/rfc6886'],
    }));
}
