import type { Finding, Host, Incident } from '../core/report.generated.js';
import { findingId } from './finding.js';

/**
 * Incident mode (issue 15): a host that shows signs of having been hit (a pack's indicator of compromise matched:
 * DeadBolt's ransom screen in place of the login page) makes the whole report about that, not about hardening.
 * The rules decide it here, once; renderers, alerts and the diff read `report.incident` or ask `isIncident`.
 */

/** The rule whose findings are signs of compromise (src/rules/vendors.ts writes them). */
export const INCIDENT_RULE = 'vendor-compromise';

export function isIncident(finding: Pick<Finding, 'rule'>): boolean {
  return finding.rule === INCIDENT_RULE;
}

/** The finding id of a campaign seen on a host, as src/rules/vendors.ts builds it: the key from a finding back to its host. */
function incidentKey(campaign: string, address: string): string {
  return findingId(INCIDENT_RULE, campaign, address);
}

function nonEmpty(items: readonly string[], fallback: string): [string, ...string[]] {
  const [head, ...rest] = items;
  return head === undefined ? [fallback] : [head, ...rest];
}

/**
 * The report's incident, from the compromise findings (in the report's order: the first one's steps come first) and
 * the judged hosts' indicator matches, which say which campaign was seen on which address. Undefined when no
 * finding is a sign of compromise.
 */
export function incidentOf(findings: readonly Finding[], hosts: readonly Host[] = []): Incident | undefined {
  const compromises = findings.filter(isIncident);
  const first = compromises[0];
  if (!first) return undefined;
  const seen = new Map<string, { campaign: string; host: string }>();
  for (const host of hosts) {
    for (const match of host.indicators ?? []) seen.set(incidentKey(match.campaign, host.address), { campaign: match.campaign, host: host.address });
  }
  const campaigns: string[] = [];
  const addresses: string[] = [];
  for (const finding of compromises) {
    const where = seen.get(finding.id);
    if (!where) continue;
    if (!campaigns.includes(where.campaign)) campaigns.push(where.campaign);
    if (!addresses.includes(where.host)) addresses.push(where.host);
  }
  const others = compromises.length - 1;
  return {
    title: `${first.title}${others > 0 ? ` (and ${others} more host${others === 1 ? '' : 's'} or campaign${others === 1 ? '' : 's'}: see their findings)` : ''}`.slice(0, 1000),
    // A compromise finding handed in without its host (a test, findings given to judge()) still makes an incident.
    campaigns: nonEmpty(campaigns.slice(0, 32), 'an unnamed campaign'),
    hosts: nonEmpty(addresses.slice(0, 64), first.evidence[0]?.subject.replace(/:\d+$/, '') ?? 'a host'),
    findings: nonEmpty(compromises.map((finding) => finding.id).slice(0, 64), first.id),
    firstSteps: first.remediation.slice(0, 32),
    firstStepsFinding: first.id,
    references: first.references.slice(0, 32),
  };
}
