import { observationsOf, type Observation } from '../core/observation.js';
import type { Finding } from '../core/report.generated.js';
import { findingId } from './finding.js';

export function natPmpRules(observations: readonly Observation[]): Finding[] {
  return observationsOf(observations, 'nat-pmp')
    .filter((observation) => observation.data.present)
    .map(({ data }) => ({
      id: findingId('nat-pmp-enabled', data.gateway ?? ''),
      rule: 'nat-pmp-enabled',
      severity: data.externalIpClass === 'public' || data.externalIpClass === undefined ? 'medium' : 'low',
      title: `${data.pcp ? 'PCP' : 'NAT-PMP'} is enabled on ${data.gateway ?? 'the gateway'}`,
      description: `The gateway answers ${data.pcp ? 'Port Control Protocol' : 'NAT-PMP'} requests on UDP 5351: like UPnP, it lets any program on the LAN open ports to the internet without the owner's knowledge. ${data.externalIp ? `It reports the external address ${data.externalIp}.` : ''}`.trim(),
      evidence: [{ subject: `${data.gateway ?? ''}:5351`, detail: `result code ${data.resultCode ?? 0}; external address ${data.externalIp ?? 'not given'}${data.epochSeconds !== undefined ? `; seconds since start of epoch ${data.epochSeconds}` : ''}` }],
      remediation: ['Turn NAT-PMP / PCP off in the router if nothing needs it (often next to the UPnP setting).'],
      references: ['https://www.rfc-editor.org/rfc/rfc6886'],
    }));
}
