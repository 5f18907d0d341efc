import { observationsOf, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { Coverage, Exposure, ExposureReport, Finding, NatPmp, Summary, Wan, Warning } from '../core/report.generated.js';
import { buildExposures } from '../rules/exposures.js';
import { judgeCoverage, incompleteHeadline } from '../rules/coverage.js';
import { headline, priority, riskScore } from '../rules/score.js';
import { severityRank } from '../rules/severity.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { validateReport } from './validate.js';

export interface BuildInput {
  startedAt: Date;
  finishedAt: Date;
  options: ScanOptions;
  observations: readonly Observation[];
  findings: readonly Finding[];
  warnings?: readonly Warning[];
}

/**
 * Finding ids name what a finding is about (README "Finding ids"): the diff and the alerts follow them from scan
 * to scan, so an id is never renamed here (an order-dependent `-2` suffix was a new finding and a resolved one
 * each time the order changed). Rules make their ids unique (test/rules/finding-ids.test.ts); should two findings
 * still share one, they are one subject told twice: the worst is kept, and among equals the same one whatever the
 * order they came in.
 */
function uniqueIds(findings: readonly Finding[]): Finding[] {
  const byId = new Map<string, { finding: Finding; json: string }>();
  for (const finding of findings) {
    const json = JSON.stringify(finding);
    const known = byId.get(finding.id);
    const better = !known || severityRank(finding.severity) > severityRank(known.finding.severity) || (finding.severity === known.finding.severity && json < known.json);
    if (better) byId.set(finding.id, { finding, json });
  }
  return [...byId.values()].map((entry) => entry.finding);
}

/**
 * Worst first; within a severity, findings about the same door sit together (worst door first, in the router's
 * order) with the one that tells the door's story first, then the findings about no door.
 */
function sortFindings(findings: readonly Finding[], exposures: readonly Exposure[]): Finding[] {
  const doorIndex = new Map(exposures.map((door, index) => [door.key, index]));
  const door = (finding: Finding): number => (finding.exposure === undefined ? exposures.length : (doorIndex.get(finding.exposure) ?? exposures.length));
  return [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || door(a) - door(b) || priority(a) - priority(b) || a.id.localeCompare(b.id, 'en'),
  );
}

function summarise(findings: readonly Finding[], gateways: number, mappings: number, vantage: Wan['vantage'], coverage: Coverage): Summary {
  const counts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  let highest: Summary['highestSeverity'] = 'none';
  for (const finding of findings) {
    counts[finding.severity]++;
    if (severityRank(finding.severity) > severityRank(highest)) highest = finding.severity;
  }
  // A scan that could not look where it was asked to never says "nothing found".
  const relevant = findings.some((finding) => finding.severity !== 'info');
  return { highestSeverity: highest, counts, gateways, mappings, riskScore: riskScore(findings), headline: incompleteHeadline(coverage, relevant ? headline(findings, vantage) : undefined) ?? headline(findings, vantage) };
}

/** NAT-PMP is reported for the first gateway that answered, else the first asked. */
function natPmpSection(observations: readonly Observation[]): NatPmp {
  const answers = observationsOf(observations, 'nat-pmp').map((observation) => observation.data);
  return answers.find((answer) => answer.present) ?? answers[0] ?? { present: false, externalIp: null, checked: false };
}

/** Builds the one report every face sees, and refuses to hand out one that breaks its own schema. */
export function buildReport(input: BuildInput): ExposureReport {
  const gateways = observationsOf(input.observations, 'gateway').map((observation) => observation.data);
  const discovery = observationsOf(input.observations, 'discovery')[0]?.data ?? { method: 'ssdp', windowMs: 0, responses: [] };
  const local = observationsOf(input.observations, 'local-networks')[0]?.data;
  const unsorted = uniqueIds(input.findings);
  const exposures = buildExposures(input.observations, unsorted);
  const findings = sortFindings(unsorted, exposures);
  const wan: Wan = observationsOf(input.observations, 'wan')[0]?.data ?? { vantage: 'none', outsideView: false, address: null, engine: null, ports: [], reason: 'not run' };
  const coverage = judgeCoverage(input.observations, input.options);
  const warnings = [...observationsOf(input.observations, 'warning').map((observation) => observation.data), ...(input.warnings ?? [])];
  const report: ExposureReport = {
    schemaVersion: '1.0',
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    coverage,
    options: {
      wan: input.options.wan,
      ...(input.options.gatewayUrl ? { gatewayUrl: input.options.gatewayUrl } : {}),
      ...(input.options.interface ? { interface: input.options.interface } : {}),
      discoveryWindowMs: input.options.discoveryWindowMs,
      timeoutSeconds: input.options.timeoutSeconds,
      maxMappings: input.options.maxMappings,
      maxInFlight: input.options.maxInFlight,
      enumeration: input.options.enumeration,
      ...(input.options.vantageUrl ? { vantageUrl: new URL(input.options.vantageUrl).origin } : {}),
      engine: input.options.engine,
      ports: input.options.ports,
      ...(input.options.nas ? { nas: input.options.nas } : {}),
      ...(input.options.myqnapcloud ? { myqnapcloud: input.options.myqnapcloud } : {}),
    },
    ...(local ? { localNetworks: local.networks } : {}),
    discovery,
    gateways,
    natPmp: natPmpSection(input.observations),
    wan,
    hosts: observationsOf(input.observations, 'host').map((observation) => observation.data),
    myqnapcloud: observationsOf(input.observations, 'myqnapcloud')[0]?.data ?? { checked: false, names: [] },
    findings,
    exposures,
    summary: summarise(findings, gateways.length, gateways.reduce((total, gateway) => total + gateway.mappings.length, 0), wan.vantage, coverage),
    warnings,
  };
  validateReport(report);
  return report;
}

