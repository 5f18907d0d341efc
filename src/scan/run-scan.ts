import { localIpv4Networks, defaultGateways } from '../net/interfaces.js';
import { PROBES } from '../../probes/registry.js';
import { now, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { ProbeManifest } from '../core/probe.js';
import { Scope } from '../core/scope.js';
import type { ExposureReport } from '../core/report.generated.js';
import { runProbes } from './run-probes.js';

export { PROBES };

/**
 * The rules, the report build (with its schema validator), the renderers and the vendor packs are needed only once
 * the probes are done. Loaded after the probes' own code, they compile while the probes wait on the network instead of before the
 * first packet (decision 0013). The renderers are only a hint: every face imports them itself when it renders.
 */
async function loadJudging(probes: readonly ProbeManifest[]): Promise<{ judge: typeof import('../rules/judge.js').judge; assembleReport: typeof import('../report/build.js').assembleReport }> {
  // import() of a module already loading gives the same promise: this waits on runProbes' loads, adds none.
  for (const probe of probes) await probe.load().catch(() => undefined);
  const [{ judge }, { assembleReport }, { builtinPacks }] = await Promise.all([import('../rules/judge.js'), import('../report/build.js'), import('../vendors/load.js')]);
  void import('../report/render.js').catch(() => undefined);
  // The shipped vendor packs are read and schema-checked once per process (about 35 ms of CPU): the fingerprints and
  // the rules need them, so they are read here, in the network wait, not after the router's table has arrived. A
  // pack that fails to load fails where it is used, with that probe's or rule's error.
  setImmediate(() => {
    try {
      builtinPacks();
    } catch {
      // Reported where it is used.
    }
  });
  return { judge, assembleReport };
}

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
  const probing = runProbes(probes, [local], {
    options,
    scope,
    // Leave a little of the budget to assemble the report from what was gathered.
    deadline: Date.now() + Math.max(500, options.timeoutSeconds * 1000 - 1000),
    signal: combined,
    progress: (message) => options.onProgress?.(message),
  });
  const judging = loadJudging(probes);
  // Awaited below unless the probes fail first; then their error is the scan's.
  judging.catch(() => undefined);
  const observations = await probing;
  const { judge, assembleReport } = await judging;
  const judgement = judge(observations, options);
  return assembleReport({ startedAt, finishedAt: new Date(), options, observations, judgement, probes });
}
