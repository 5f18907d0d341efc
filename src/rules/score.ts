import type { AdvisoryDetail, Finding, Severity, Wan } from '../core/report.generated.js';
import { severityRank } from './severity.js';

/**
 * How much one finding of each severity contributes, read as the chance it alone leads to a compromise. Combined as
 * independent chances (1 - product of (1 - weight)), so one critical outweighs many lows and the score never
 * passes 100. The formula, its reasons and worked examples are in docs/risk-score.md.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { info: 0, low: 0.05, medium: 0.15, high: 0.35, critical: 0.6 };

/** A critical finding resting on a hole that is known exploited (CISA KEV) or known to be used by ransomware. */
export const KNOWN_EXPLOITED_WEIGHT = 0.85;

export function findingWeight(finding: Finding): number {
  if (finding.severity === 'critical' && (finding.classification.kev || finding.classification.knownRansomware)) return KNOWN_EXPLOITED_WEIGHT;
  return SEVERITY_WEIGHTS[finding.severity];
}

/**
 * Findings about the same door (finding.exposure, e.g. tcp-8080: the mapping, the open port, the QNAP admin page
 * behind it, its firmware) are one risk told from several sides: the door counts once, at its worst finding.
 */
export function riskScore(findings: readonly Finding[]): number {
  const doors = new Map<string, number>();
  let safe = 1;
  for (const finding of findings) {
    const weight = findingWeight(finding);
    if (finding.exposure === undefined) safe *= 1 - weight;
    else doors.set(finding.exposure, Math.max(doors.get(finding.exposure) ?? 0, weight));
  }
  for (const weight of doors.values()) safe *= 1 - weight;
  return Math.round(100 * (1 - safe));
}

/**
 * Which finding tells the story best when several share a severity: a sign of compromise (the report is then about
 * the incident), the QNAP one, then the most specific. Also the report's order within a door.
 */
const HEADLINE_PRIORITY = [
  'vendor-compromise', 'qnap-admin-exposed', 'nas-admin-exposed', 'qnap-vulnerable-exposed', 'nas-vulnerable-exposed', 'upnp-igd-on-wan', 'file-sharing-exposed', 'remote-access-exposed', 'upnp-mapping-off-lan',
  'upnp-proxy-pattern', 'wan-port-open-mapped', 'wan-port-open-unexplained', 'ssdp-on-wan', 'nat-pmp-on-wan', 'myqnapcloud-ddns-wan', 'qnap-vulnerable-lan', 'nas-vulnerable-lan', 'upnp-mapping',
];

/** A NAS's admin page reachable from outside, and its firmware below a fix: QNAP's rules and every other pack's. */
const ADMIN_EXPOSED = new Set(['qnap-admin-exposed', 'nas-admin-exposed']);
const VULNERABLE_EXPOSED = new Set(['qnap-vulnerable-exposed', 'nas-vulnerable-exposed']);

export function priority(finding: Finding): number {
  const index = HEADLINE_PRIORITY.indexOf(finding.rule);
  return index < 0 ? HEADLINE_PRIORITY.length : index;
}

/** One advisory with its product and only its own flags: "QSA-22-24 (Photo Station, known exploited, used by ransomware)", "QSA-23-31 (QTS)". */
export function advisoryLabel(detail: AdvisoryDetail): string {
  return `${detail.id} (${[detail.product, detail.kev ? 'known exploited' : '', detail.knownRansomware ? 'used by ransomware' : ''].filter(Boolean).join(', ')})`;
}

/** "A, B and C", at most `shown` labels and then "and N more"; the flags stay attached to their own advisory, never summed up. */
export function advisoryLabels(details: readonly AdvisoryDetail[], shown = 3): string {
  const labels = details.slice(0, shown).map(advisoryLabel);
  const rest = details.length - labels.length;
  if (rest > 0) return `${labels.join(', ')} and ${rest} more`;
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1) ?? ''}`;
}

/** The one-sentence verdict at the top of every report, written here so that no renderer has to compose it. */
/** IPv6 findings that are a way in of their own (src/rules/ipv6.ts). */
const IPV6_DOORS = new Set(['ipv6-nas-admin-exposed', 'ipv6-port-open', 'ipv6-firewall-off']);

export function headline(findings: readonly Finding[], vantage: Wan['vantage'] = 'none'): string {
  const relevant = findings.filter((finding) => finding.severity !== 'info');
  if (relevant.length === 0) {
    return vantage === 'agent'
      ? 'Nothing found that the internet can reach: no forwarded port, and the scan from outside found nothing open.'
      : 'Nothing found that the internet can reach from the router\'s tables (no outside view: scan with --vantage to check from the internet).';
  }
  const worst = Math.max(...relevant.map((finding) => severityRank(finding.severity)));
  // Among equals, the door whose firmware is also vulnerable tells the whole story in one sentence.
  const vulnerableDoors = new Set(relevant.filter((finding) => VULNERABLE_EXPOSED.has(finding.rule)).map((finding) => finding.exposure));
  const rank = (finding: Finding): number => priority(finding) * 2 + (finding.exposure !== undefined && vulnerableDoors.has(finding.exposure) ? 0 : 1);
  const lead = relevant.filter((finding) => severityRank(finding.severity) === worst).sort((a, b) => rank(a) - rank(b))[0] ?? relevant[0];
  if (!lead) return '';
  let sentence = lead.rule === 'vendor-compromise' ? `INCIDENT: ${lead.title}; follow the incident steps first, before any hardening` : lead.title;
  let told = 1;
  if (ADMIN_EXPOSED.has(lead.rule)) {
    const vulnerable = relevant.find((finding) => VULNERABLE_EXPOSED.has(finding.rule) && finding.exposure === lead.exposure);
    // Each advisory carries its own product and flags (classification.advisoryDetails), never the finding's sum.
    const details = vulnerable?.classification.advisoryDetails ?? [];
    if (vulnerable && details.length > 0) {
      sentence += `; the NAS runs versions below the fix${details.length === 1 ? '' : 'es'} for ${advisoryLabels(details)}`;
      told++;
    }
  }
  // A door over IPv6 is a second way in that closing the IPv4 forward does not close: at the lead's severity it is
  // named in the sentence, not left among "N more".
  const ipv6Door = lead.rule.startsWith('ipv6-') ? undefined : relevant.find((finding) => IPV6_DOORS.has(finding.rule) && severityRank(finding.severity) === worst);
  if (ipv6Door) {
    sentence += `; also, ${ipv6Door.title.replace(/^The /, 'the ')}`;
    told++;
  }
  const more = relevant.length - told;
  return `${sentence}${more > 0 ? ` (and ${more} more finding${more === 1 ? '' : 's'})` : ''}.`;
}
