import { now, type Observation } from '../core/observation.js';
import type { Host } from '../core/report.generated.js';
import type { HostFingerprint } from './fingerprint-host.js';
import { verdictsFor } from './verdicts.js';

/**
 * A host observation from a fingerprint, LAN or WAN alike: the verdicts are computed here, from this scanner's
 * advisory data (the agent sends what it saw, never its own judgement).
 */
export function hostObservation(address: string, seenFrom: Host['seenFrom'], reasons: readonly Host['reasons'][number][], fingerprint: HostFingerprint): Observation {
  const data: Host = { address, seenFrom, reasons: [...reasons], services: fingerprint.services, device: fingerprint.device, verdicts: verdictsFor(fingerprint.device) };
  return { probe: 'qnap', kind: 'host', subject: address, at: now(), data };
}
