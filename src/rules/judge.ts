import { observationsOf, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { Coverage, Exposure, ExposureReport, Finding, Host, Incident, Summary } from '../core/report.generated.js';
import { incompleteHeadline, judgeCoverage } from './coverage.js';
import { ruleContext } from './doors.js';
import { buildExposures } from './exposures.js';
import { evaluateRules } from './evaluate.js';
import { incidentOf, isIncident } from './incident.js';
import { headline, priority, riskScore } from './score.js';
import { severityRank } from './severity.js';
import { judgeVendors } from './vendors.js';
import { passiveCoverage } from './passive.js';

/**
 * Everything the rules decide about one scan, handed to the report build in one piece: the findings (ids unique,
 * worst first), the doors with their severity, how much of what was asked could be seen, and the summary. The
 * report build only places these; it never calls back into the rules.
 */
export interface Judgement {
  findings: Finding[];
  exposures: Exposure[];
  coverage: Coverage;
  summary: Summary;
  /** The fingerprinted hosts with the verdicts the rules gave them (src/rules/vendors.ts), when there are any. */
  hosts?: Host[];
  /** The vendor packs the devices were held against, when any device was recognised by one. */
  vendorPacks?: NonNullable<ExposureReport['vendorPacks']>;
  /** Present when a host shows signs of compromise: the report is then about the incident first (src/rules/incident.ts). */
  incident?: Incident;
}

/** The order String.prototype.localeCompare(other, 'en') gives, without building a collator per call. */
const compareIds = new Intl.Collator('en').compare;

/**
 * Finding ids name what a finding is about (README "Finding ids"): the diff and the alerts follow them from scan
 * to scan, so an id is never renamed here (an order-dependent `-2` suffix was a new finding and a resolved one
 * each time the order changed). Rules make their ids unique (test/rules/finding-ids.test.ts); should two findings
 * still share one, they are one subject told twice: the worst is kept, and among equals the same one whatever the
 * order they came in.
 */
function uniqueIds(findings: readonly Finding[]): Finding[] {
  const byId = new Map<string, { finding: Finding; json?: string }>();
  for (const finding of findings) {
    const known = byId.get(finding.id);
    if (!known) {
      byId.set(finding.id, { finding });
      continue;
    }
    const rank = severityRank(finding.severity);
    const knownRank = severityRank(known.finding.severity);
    if (rank < knownRank) continue;
    // Serialised only when two findings share an id and a severity: the tie-break must not depend on their order.
    const json = JSON.stringify(finding);
    known.json ??= JSON.stringify(known.finding);
    if (rank > knownRank || json < known.json) byId.set(finding.id, { finding, json });
  }
  return [...byId.values()].map((entry) => entry.finding);
}

/**
 * Signs of compromise first (an incident comes before any hardening), then worst first; within a severity,
 * findings about the same door sit together (worst door first, in the router's order) with the one that tells the
 * door's story first, then the findings about no door.
 */
function sortFindings(findings: readonly Finding[], exposures: readonly Exposure[]): Finding[] {
  const doorIndex = new Map(exposures.map((door, index) => [door.key, index]));
  // Each key once per finding, not once per comparison (a table of 1,000 mappings is 1,000 findings).
  const keyed = findings.map((finding) => ({
    finding,
    incident: isIncident(finding) ? 1 : 0,
    severity: severityRank(finding.severity),
    door: finding.exposure === undefined ? exposures.length : (doorIndex.get(finding.exposure) ?? exposures.length),
    priority: priority(finding),
  }));
  keyed.sort((a, b) => b.incident - a.incident || b.severity - a.severity || a.door - b.door || a.priority - b.priority || compareIds(a.finding.id, b.finding.id));
  return keyed.map((entry) => entry.finding);
}

function summarise(findings: readonly Finding[], observations: readonly Observation[], coverage: Coverage, vantage: Parameters<typeof headline>[1]): Summary {
  const counts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  let highest: Summary['highestSeverity'] = 'none';
  for (const finding of findings) {
    counts[finding.severity]++;
    if (severityRank(finding.severity) > severityRank(highest)) highest = finding.severity;
  }
  const gateways = observationsOf(observations, 'gateway').map((observation) => observation.data);
  // A scan that could not look where it was asked to never says "nothing found".
  const relevant = findings.some((finding) => finding.severity !== 'info');
  return {
    highestSeverity: highest,
    counts,
    gateways: gateways.length,
    mappings: gateways.reduce((total, gateway) => total + gateway.mappings.length, 0),
    riskScore: riskScore(findings),
    headline: incompleteHeadline(coverage, relevant ? headline(findings, vantage) : undefined) ?? headline(findings, vantage),
  };
}

/**
 * The rules' whole verdict on a scan. `findings` are the rules' own unless a caller (a test, a replay) hands in
 * others; the observations are joined once, here, for every rule family and for the exposure list.
 */
export function judge(given: readonly Observation[], options: ScanOptions, findings?: readonly Finding[]): Judgement {
  // The probes recorded what devices said; the packs judge it here (a stored scan can be judged again).
  const vendors = judgeVendors(given, options.vendorPacks);
  const observations = vendors.observations;
  const context = ruleContext(observations);
  const unsorted = uniqueIds(findings ?? [...evaluateRules(observations, context, vendors.loaded), ...vendors.findings]);
  const exposures = buildExposures(context, unsorted);
  const sorted = sortFindings(unsorted, exposures);
  const passive = passiveCoverage(observations, options);
  // The passive view is shown in coverage but never counted in `complete` (decision 0023).
  const coverage = { ...judgeCoverage(observations, options), ...(passive ? { passive } : {}) };
  const incident = incidentOf(sorted, vendors.hosts);
  const vendorPacks = vendors.packs.map((pack) => ({ id: pack.pack.id, vendor: pack.pack.vendor, version: pack.pack.packVersion, dataDate: pack.pack.dataDate, source: pack.source }));
  return {
    findings: sorted,
    exposures,
    coverage,
    summary: summarise(sorted, observations, coverage, context.wan?.vantage ?? 'none'),
    ...(vendors.hosts ? { hosts: vendors.hosts } : {}),
    ...(vendorPacks.length > 0 ? { vendorPacks } : {}),
    ...(incident ? { incident } : {}),
  };
}
