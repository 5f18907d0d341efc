import type { Observation } from './observation.js';
import type { ScanOptions } from './options.js';
import type { Scope } from './scope.js';

export interface ProbeContext {
  options: ScanOptions;
  scope: Scope;
  /** What earlier probes observed; a probe may build on them (NAT-PMP asks the gateways UPnP found). */
  observations: readonly Observation[];
  /** Date.now() value after which no new network work starts. */
  deadline: number;
  signal: AbortSignal;
  progress(message: string): void;
}

/**
 * A probe knows what to look at and when it applies. It yields observations and never decides severity.
 * Modelled on nmap NSE scripts: metadata, a rule saying when it applies, and an action; protocol code lives in
 * src/net.
 */
export interface Probe {
  id: string;
  name: string;
  description: string;
  safety: 'safe' | 'intrusive';
  references: readonly string[];
  appliesTo(context: ProbeContext): boolean;
  run(context: ProbeContext): Promise<Observation[]>;
}
