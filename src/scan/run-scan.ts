import { localIpv4Networks, defaultGateways } from '../net/interfaces.js';
import { upnpIgdProbe } from '../../probes/upnp-igd/index.js';
import { natPmpProbe } from '../../probes/nat-pmp/index.js';
import { wanScanProbe } from '../../probes/wan-scan/index.js';
import { qnapProbe } from '../../probes/qnap/index.js';
import { myQnapCloudProbe } from '../../probes/myqnapcloud/index.js';
import { evaluateRules } from '../rules/index.js';
import { buildReport } from '../report/build.js';
import { abortError } from '../core/errors.js';
import { now, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import type { Probe, ProbeContext } from '../core/probe.js';
import { Scope } from '../core/scope.js';
import type { ExposureReport } from '../core/report.generated.js';

/** In order: later probes build on what earlier ones observed. */
export const PROBES: readonly Probe[] = [upnpIgdProbe, natPmpProbe, qnapProbe, wanScanProbe, myQnapCloudProbe];

/**
 * The one flow every face calls: probes -> observations -> rules -> findings -> validated report.
 * The whole scan is bounded by options.timeoutSeconds and by the caller's signal.
 */
export async function runScan(options: ScanOptions, signal?: AbortSignal): Promise<ExposureReport> {
  const startedAt = new Date();
  const timeout = AbortSignal.timeout(Math.max(1, options.timeoutSeconds * 1000));
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const networks = localIpv4Networks(options.interface);
  const scope = new Scope(networks);
  // Refused before anything is sent: a --nas address off this machine's networks is a usage error, not a finding.
  for (const address of options.nas ?? []) scope.checkNasAddress(address);
  const observations: Observation[] = [
    { probe: 'local', kind: 'local-networks', subject: 'host', at: now(), data: { networks, defaultGateways: options.gatewayUrl ? [] : await defaultGateways(options.interface) } },
  ];
  const context: ProbeContext = {
    options,
    scope,
    observations,
    // Leave a little of the budget to assemble the report from what was gathered.
    deadline: Date.now() + Math.max(500, options.timeoutSeconds * 1000 - 1000),
    signal: combined,
    progress: (message) => options.onProgress?.(message),
  };
  for (const probe of PROBES) {
    if (combined.aborted) throw abortError(combined, 'The scan');
    if (!probe.appliesTo(context)) continue;
    observations.push(...(await probe.run(context)));
  }
  const findings = evaluateRules(observations);
  return buildReport({ startedAt, finishedAt: new Date(), options, observations, findings });
}
