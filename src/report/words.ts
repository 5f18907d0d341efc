import type { Classification, Coverage, Exposure, Incident, Severity, Summary } from '../core/report.generated.js';

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

const VIEW_NAMES = { inside: 'Inside view (the router\'s own tables)', outside: 'Outside view (from the internet)' } as const;

/**
 * The INCOMPLETE banner every human format puts first: one line per view that was asked for and is not complete,
 * with its code and what to do. Empty when the scan looked everywhere it was asked to.
 */
export function coverageBanner(coverage: Coverage): { title: string; views: { name: string; status: string; code: string; message: string }[] } | undefined {
  if (coverage.complete) return undefined;
  const views = (['inside', 'outside'] as const)
    .filter((view) => coverage[view].requested && coverage[view].status !== 'complete' && coverage[view].status !== 'not-applicable')
    .map((view) => ({ name: VIEW_NAMES[view], status: coverage[view].status.toUpperCase(), code: coverage[view].reason?.code ?? '', message: coverage[view].reason?.message ?? '' }));
  return { title: 'INCOMPLETE SCAN: part of what you asked for could not be checked, so these results are not the whole picture.', views };
}

/**
 * The risk score as shown. A view that was asked for and failed leaves too much unseen for any number; otherwise an
 * incomplete scan never shows a reassuring 0, and any other score is a lower bound.
 */
export function scoreWords(summary: Summary, coverage: Coverage): { value: string; note: string } {
  if (coverage.complete) return { value: `${summary.riskScore}/100`, note: '' };
  const failed = (['inside', 'outside'] as const).filter((view) => coverage[view].requested && coverage[view].status === 'failed');
  if (failed.length > 0) return { value: 'not given', note: `the ${failed.join(' and ')} view failed` };
  if (summary.riskScore === 0) return { value: 'not given', note: 'the scan is incomplete' };
  return { value: `${summary.riskScore}/100`, note: 'at least: the scan is incomplete' };
}

/**
 * The INCIDENT banner every human format puts before anything else when the rules found signs of compromise
 * (report.incident): what was hit, where, and the first steps, which are incident response, not hardening.
 */
export function incidentBanner(incident: Incident | undefined): { title: string; where: string; stepsTitle: string; steps: readonly string[]; more: string } | undefined {
  if (!incident) return undefined;
  const { campaigns, hosts: addresses } = incident;
  const others = incident.findings.length - 1;
  return {
    title: `INCIDENT: ${incident.title}`,
    where: `Signs of ${campaigns.join(', ')} on ${addresses.join(', ')}.`,
    stepsTitle: 'Do this first (incident response, not hardening):',
    steps: incident.firstSteps,
    more: others > 0 ? `These steps are those of ${incident.firstStepsFinding}; ${others} more compromise finding${others === 1 ? '' : 's'} below carr${others === 1 ? 'ies its' : 'y their'} own.` : `The evidence is in the finding ${incident.firstStepsFinding} below.`,
  };
}
