import { runOutsideChecks } from '../../../probes/wan-scan/outside-checks.js';
import { inPortSet, type MapEPortSet } from '../../net/map-e-port-set.js';
import { formatPortList } from '../../net/portscan/port-spec.js';
import type { PortScanEngine } from '../../net/portscan/types.js';
import { isExposureError } from '../../core/errors.js';
import type { AgentScanResponse } from '../../core/agent.generated.js';
import type { ScanPlan } from './scan-plan.js';

export interface RunOptions {
  engine: PortScanEngine;
  serviceDetection: boolean;
  fingerprint: boolean;
  /** For the whole request, every target together. */
  timeoutMs: number;
  signal: AbortSignal;
}

type Host = NonNullable<AgentScanResponse['hosts']>[number];

function followOnlyInside(portSet: MapEPortSet | undefined): { mayFollow?: (port: number) => boolean } {
  return portSet ? { mayFollow: (port) => inPortSet(portSet, port) } : {};
}

/**
 * Runs what planScan allowed, and nothing else: the plan's targets, the plan's ports. IPv6 targets are scanned one
 * after another within the request's one time limit (the agent's limits bound the request, not each target); a
 * target the time ran out for is listed as not scanned, with the reason.
 */
export async function runPlan(plan: ScanPlan, options: RunOptions): Promise<AgentScanResponse> {
  if (!plan.perHost) {
    const target = plan.targets[0] ?? plan.caller;
    const result = await runOutsideChecks({
      target,
      ports: plan.ports,
      engine: options.engine,
      serviceDetection: options.serviceDetection,
      udp: plan.udp,
      ...(plan.igd ? { igd: plan.igd } : {}),
      fingerprint: options.fingerprint,
      // On a shared address not one packet outside the caller's port set: a device's own link included.
      ...followOnlyInside(plan.scope?.portSet),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return withPlan(result, plan);
  }
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const hosts: Host[] = [];
  const notScanned: Array<{ address: string; reason: string }> = [];
  const warnings: string[] = [];
  let engine = options.engine.name;
  for (const target of plan.targets) {
    const left = deadline - Date.now();
    if (left <= 0) {
      notScanned.push({ address: target, reason: 'not scanned: the request\'s time limit ran out before this target' });
      continue;
    }
    try {
      const result = await runOutsideChecks({
        target,
        ports: plan.ports,
        engine: options.engine,
        serviceDetection: options.serviceDetection,
        udp: false,
        fingerprint: options.fingerprint,
        timeoutMs: left,
        signal: options.signal,
      });
      engine = result.engine;
      hosts.push({ address: target, ports: result.ports, ...(result.fingerprint ? { fingerprint: result.fingerprint } : {}) });
      warnings.push(...result.warnings.map((warning) => `${target}: ${warning}`));
    } catch (error) {
      // A cancelled request stops; a target that took too long costs only itself.
      if (!isExposureError(error) || error.code !== 'EXP_ERR_TIMEOUT' || options.signal.aborted) throw error;
      notScanned.push({ address: target, reason: 'not scanned: the request\'s time limit ran out during this target' });
    }
  }
  return withPlan(
    {
      address: plan.caller,
      engine,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      portSpec: formatPortList(plan.ports),
      ports: [],
      hosts,
      warnings: warnings.slice(0, 100).map((warning) => warning.slice(0, 2000)),
    },
    { ...plan, hostsRefused: [...plan.hostsRefused, ...notScanned] },
  );
}

function withPlan(result: AgentScanResponse, plan: ScanPlan): AgentScanResponse {
  const warnings = [...plan.warnings, ...result.warnings].slice(0, 100);
  return {
    ...result,
    warnings,
    ...(plan.scope ? { scope: plan.scope } : {}),
    ...(plan.perHost ? { hostsRefused: plan.hostsRefused.slice(0, 64) } : {}),
  };
}
