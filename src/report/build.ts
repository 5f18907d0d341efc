import { observationsOf, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { ProbeManifest } from '../core/probe.js';
import type { ExposureReport, Finding, Warning } from '../core/report.generated.js';
import { PROBES } from '../../probes/registry.js';
import { judge, type Judgement } from '../rules/judge.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { validateReport } from './validate.js';

export interface AssembleInput {
  startedAt: Date;
  finishedAt: Date;
  options: ScanOptions;
  observations: readonly Observation[];
  /** The rules' verdict (src/rules/judge.ts): placed as it is, never recomputed here. */
  judgement: Judgement;
  /** The registered probes; each fills its part of the report. */
  probes?: readonly ProbeManifest[];
  warnings?: readonly Warning[];
}

/** Observations of probes without schema 1.0 fields of their own, by probe and kind: `report.probes`. */
function probeData(probes: readonly ProbeManifest[], observations: readonly Observation[]): Record<string, Record<string, unknown[]>> {
  const result: Record<string, Record<string, unknown[]>> = {};
  for (const probe of probes) {
    if (probe.report?.fields) continue;
    const own: Record<string, unknown[]> = {};
    for (const kind of Object.keys(probe.observes)) {
      const data = observations.filter((observation) => observation.kind === kind).map((observation): unknown => observation.data);
      if (data.length > 0) own[kind] = data;
    }
    if (Object.keys(own).length > 0) result[probe.id] = own;
  }
  return result;
}

/** A URL's origin only (never a path or credentials); a URL that does not parse was refused before any scan, so it is left out. */
function originOf<K extends string>(key: K, url: string | undefined): Partial<Record<K, string>> {
  if (!url || !URL.canParse(url)) return {};
  return { [key]: new URL(url).origin } as Partial<Record<K, string>>;
}

function optionsEcho(options: ScanOptions): ExposureReport['options'] {
  return {
    wan: options.wan,
    ...(options.gatewayUrl ? { gatewayUrl: options.gatewayUrl } : {}),
    ...(options.interface ? { interface: options.interface } : {}),
    discoveryWindowMs: options.discoveryWindowMs,
    timeoutSeconds: options.timeoutSeconds,
    maxMappings: options.maxMappings,
    maxInFlight: options.maxInFlight,
    enumeration: options.enumeration,
    ...originOf('vantageUrl', options.vantageUrl),
    ...originOf('vantage6Url', options.vantage6Url),
    ...(options.passive && options.passive.length > 0 ? { passive: [...options.passive] } : {}),
    ...originOf('passiveEndpoint', options.passiveEndpoint),
    engine: options.engine,
    ports: options.ports,
    ...(options.nas ? { nas: options.nas } : {}),
    ...(options.myqnapcloud ? { myqnapcloud: options.myqnapcloud } : {}),
  };
}

/**
 * Builds the one report every face sees from the observations and the rules' judgement, and refuses to hand out
 * one that breaks its own schema. Each probe fills its fields (its schema 1.0 ones, or `probes[id]`); this file
 * only places what it is given: it decides nothing and calls no rule.
 */
export function assembleReport(input: AssembleInput): ExposureReport {
  const probes = input.probes ?? PROBES;
  const local = observationsOf(input.observations, 'local-networks')[0]?.data;
  const fields: Partial<ExposureReport> = {};
  for (const probe of probes) Object.assign(fields, probe.report?.fields?.(input.observations));
  const extra = probeData(probes, input.observations);
  const { judgement } = input;
  const report: Record<string, unknown> = {
    schemaVersion: '1.0',
    // An incident is what the report is about: it comes before anything else (src/rules/incident.ts decides it).
    ...(judgement.incident ? { incident: judgement.incident } : {}),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    coverage: judgement.coverage,
    options: optionsEcho(input.options),
    ...(local ? { localNetworks: local.networks } : {}),
    ...fields,
    // The hosts as the rules judged them (verdicts from the vendor packs), and the packs they were judged with.
    ...(judgement.hosts ? { hosts: judgement.hosts } : {}),
    ...(judgement.vendorPacks ? { vendorPacks: judgement.vendorPacks } : {}),
    ...(Object.keys(extra).length > 0 ? { probes: extra } : {}),
    findings: judgement.findings,
    exposures: judgement.exposures,
    summary: judgement.summary,
    // Each probe's warning keeps its probe and subject: the rules read them, so a stored report can be judged again.
    warnings: [...observationsOf(input.observations, 'warning').map((observation) => ({ ...observation.data, probe: observation.probe, subject: observation.subject })), ...(input.warnings ?? [])],
  };
  validateReport(report);
  return report;
}

export interface BuildInput {
  startedAt: Date;
  finishedAt: Date;
  options: ScanOptions;
  observations: readonly Observation[];
  findings: readonly Finding[];
  warnings?: readonly Warning[];
}

/**
 * For callers that hold observations and raw findings (tests, replays of recorded observations): judge, then
 * assemble. The scan itself (src/scan/run-scan.ts) calls the two stages in turn; this is the same, in one call.
 */
export function buildReport(input: BuildInput): ExposureReport {
  return assembleReport({ ...input, judgement: judge(input.observations, input.options, input.findings) });
}
