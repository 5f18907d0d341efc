import type { LocalNetwork, Warning } from './report.generated.js';

/**
 * What probes produce: facts, never judgements. The set of kinds is open: each probe declares the kinds it emits
 * in its own folder (probes/<id>/manifest.ts), by adding them to this interface through declaration merging, and
 * gives the JSON Schema of each kind's data in its manifest. The kernel declares only the two kinds it makes itself.
 *
 *   declare module '../../src/core/observation.js' {
 *     interface ObservationKinds { 'sauna-heater': SaunaHeater }
 *   }
 */
export interface ObservationKinds {
  /** This machine's networks and default routes, observed by the scan itself before any probe runs. */
  'local-networks': { networks: LocalNetwork[]; defaultGateways: string[] };
  /** Something a probe could not do; any probe may emit one. */
  warning: Warning;
}

export type ObservationKind = Extract<keyof ObservationKinds, string>;

export interface ObservationOf<K extends ObservationKind> {
  /** The probe that made it ('local' for the scan's own observation of this machine). */
  probe: string;
  kind: K;
  /** What it is about: 'lan', 'wan', 'dns', an address or a URL. */
  subject: string;
  at: string;
  data: ObservationKinds[K];
}

/** One observation of any registered kind: a union discriminated by `kind`, so `observationsOf` and `switch` narrow. */
export type Observation = { [K in ObservationKind]: ObservationOf<K> }[ObservationKind];

export function observationsOf<K extends ObservationKind>(observations: readonly Observation[], kind: K): ObservationOf<K>[] {
  return observations.filter((observation): observation is Observation & ObservationOf<K> => observation.kind === kind);
}

export function now(): string {
  return new Date().toISOString();
}
