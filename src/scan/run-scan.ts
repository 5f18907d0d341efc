import { localIpv4Networks, defaultGateways } from '../net/interfaces.js';
import { PROBES } from '../../probes/registry.js';
import { judge } from '../rules/judge.js';
import { assembleReport } from '../report/build.js';
import { now, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { ProbeManifest } from '../core/probe.js';
import { Scope } from '../core/scope.js';
import type { ExposureReport } from '../core/report.generated.js';
import { runProbes } from './run-probes.js';

export { PROBES };

/**
 * The one flow every face calls, each stage handing its result to the next and none calling back:
 * probes -> observations -> rules -> judgement -> report (validated) -> renderers (the faces').
 * The whole scan is bounded by options.timeoutSeconds and by the caller's signal. `probes` is the registry's list
 * (probes/index.ts); tests hand in their own.
 */
export async function runScan(options: ScanOptions, signal?: AbortSignal, probes: readonly ProbeManifest[] = PROBES): Promise<ExposureReport> {
  const startedAt = new Date();
  const timeout = AbortSignal.timeout(Math.max(1, options.timeoutSeconds * 1000));
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const networks = localIpv4Networks(options.interface);
  const scope = new Scope(networks);
  // Refused before anything is sent: a --nas address off this machine's networks is a usage error, not a finding.
  for (const address of options.nas ?? []) scope.checkNasAddress(address);
  const local: Observation = { probe: 'local', kind: 'local-networks', subject: 'host', at: now(), data: { networks, defaultGateways: options.gatewayUrl ? [] : await defaultGateways(options.interface) } };
  const observations = await runProbes(probes, [local], {
    options,
    scope,
    // Leave a little of the budget to assemble the report from what was gathered.
    deadline: Date.now() + Math.max(500, options.timeoutSeconds * 1000 - 1000),
    signal: combined,
    progress: (message) => options.onProgress?.(message),
  });
  const judgement = judge(observations, options);
  return assembleReport({ startedAt, finishedAt: new Date(), options, observations, judgement, probes });
}
