import type { Access } from '../core/report.generated.js';
import { inPortSet } from '../net/map-e-port-set.js';

/**
 * Why this internet line cannot carry inbound IPv4 to an external port, whatever the router forwards; undefined when
 * it can, or when the line is not known. The access probe's facts, judged once for the doors (src/rules/doors.ts).
 */
export function lineBlocks(access: Access | undefined, externalPort: number): string | undefined {
  if (access === undefined) return undefined;
  if (access.kind === 'ds-lite') return 'this line is DS-Lite: IPv4 reaches the internet only through the provider\'s shared address (AFTR), which forwards nothing inbound, so no IPv4 port forward of this router can be reached from the internet';
  if (access.kind === 'cgnat') return 'this line is behind carrier-grade NAT: the address the internet sees is the provider\'s, shared and forwarding nothing inbound, so no IPv4 port forward of this router can be reached from the internet';
  // Only a set the agent's view confirmed: a rule table that is wrong for this line must not hide a real door.
  if (access.kind === 'map-e' && access.portSet?.trusted === true && !inPortSet(access.portSet, externalPort)) {
    return `port ${externalPort} is outside this home's MAP-E port set (${access.portSet.service ?? access.portSet.rule}, PSID ${access.portSet.psid}): on the shared address it is another subscriber's port, so this forward cannot be reached from the internet`;
  }
  return undefined;
}
