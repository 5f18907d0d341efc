import type { Classification, Exposure, Severity } from '../core/report.generated.js';

/** Words shared by the renderers for fields of the report; formatting only, nothing here decides anything. */

/** Worst first: the order every renderer lists findings and counts in. */
export const SEVERITIES_WORST_FIRST: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function severityLabel(severity: Severity): string {
  return severity.toUpperCase();
}

const REACHABILITY: Readonly<Record<Exposure['reachability'], string>> = {
  open: 'open from the internet',
  closed: 'closed from the internet',
  filtered: 'no answer from the internet',
  'not-scanned': 'not checked from outside',
  'open-from-inside': 'open (seen from inside only)',
};

export function reachabilityText(reachability: Exposure['reachability']): string {
  return REACHABILITY[reachability];
}

export function exposureWords(door: Exposure): string {
  if (door.via === 'router') return 'the router itself';
  if (door.internalClient === null) return 'unknown (a manual forward or an upstream device)';
  return `${door.internalClient}${door.internalPort === null ? '' : `:${door.internalPort}`}`;
}

export function classificationWords(classification: Classification): string {
  return [
    ...classification.cve,
    classification.kev ? 'CISA KEV (known exploited)' : '',
    classification.knownRansomware ? 'used by ransomware' : '',
    ...(classification.advisories ?? []),
    ...(classification.cwe ?? []),
  ]
    .filter(Boolean)
    .join(' · ');
}
