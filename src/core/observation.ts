import type { Discovery, Gateway, Host, LocalNetwork, MyQnapCloud, NatPmp, Wan, Warning } from './report.generated.js';

/**
 * What probes produce: facts, never judgements. Each kind has one data shape; rules read these and the report is
 * assembled from them. The shapes are the report's own (generated from the schema) so nothing is copied twice.
 */
export type Observation =
  | { probe: 'local'; kind: 'local-networks'; subject: 'host'; at: string; data: { networks: LocalNetwork[]; defaultGateways: string[] } }
  | { probe: 'upnp-igd'; kind: 'discovery'; subject: 'lan'; at: string; data: Discovery }
  | { probe: 'upnp-igd'; kind: 'gateway'; subject: string; at: string; data: Gateway }
  | { probe: 'nat-pmp'; kind: 'nat-pmp'; subject: string; at: string; data: NatPmp }
  | { probe: 'wan-scan'; kind: 'wan'; subject: 'wan'; at: string; data: Wan }
  /** A device the fingerprint probes looked at; verdicts are version facts (below / at or above a fixed build), not severities. */
  | { probe: 'qnap'; kind: 'host'; subject: string; at: string; data: Host }
  | { probe: 'myqnapcloud'; kind: 'myqnapcloud'; subject: 'dns'; at: string; data: MyQnapCloud }
  | { probe: string; kind: 'warning'; subject: string; at: string; data: Warning };

export type ObservationKind = Observation['kind'];
export type ObservationOf<K extends ObservationKind> = Extract<Observation, { kind: K }>;

export function observationsOf<K extends ObservationKind>(observations: readonly Observation[], kind: K): ObservationOf<K>[] {
  return observations.filter((observation): observation is ObservationOf<K> => observation.kind === kind);
}

export function now(): string {
  return new Date().toISOString();
}
