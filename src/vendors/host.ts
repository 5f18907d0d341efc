import { now, type Observation } from '../core/observation.js';
import type { Host } from '../core/report.generated.js';
import type { HostFingerprint } from './fingerprint-host.js';

/**
 * A host observation from a fingerprint, LAN or WAN alike: facts only. The verdicts are the rules' (src/rules/
 * vendors.ts), from this scanner's vendor packs; the agent sends what it saw, never its own judgement.
 */
export function hostObservation(address: string, seenFrom: Host['seenFrom'], reasons: readonly Host['reasons'][number][], fingerprint: HostFingerprint): Observation {
  const data: Host = {
    address,
    seenFrom,
    reasons: [...reasons],
    services: fingerprint.services,
    device: fingerprint.device,
    verdicts: [],
    // Only when something matched: a report without indicators is the shape it had before vendor packs.
    ...(fingerprint.indicators.length > 0 ? { indicators: fingerprint.indicators } : {}),
  };
  return { probe: 'qnap', kind: 'host', subject: address, at: now(), data };
}
