import type { AddressClass, Severity } from '../core/report.generated.js';

export type ChangeKind =
  | 'mapping-added'
  | 'mapping-removed'
  | 'mapping-changed'
  | 'wan-port-opened'
  | 'wan-port-closed'
  | 'wan-view-changed'
  | 'finding-new'
  | 'finding-resolved'
  | 'finding-severity-changed'
  | 'wan-address-changed'
  | 'firmware-changed'
  | 'coverage-changed';

/**
 * One difference between two reports. `key` names what changed in a way that survives a WAN address change
 * (TCP/8080, a finding id, a LAN host address, "wan"), so the same change always has the same key.
 * Strings in `summary`, `before` and `after` may carry network text (mapping descriptions): escape on output.
 */
export interface Change {
  kind: ChangeKind;
  key: string;
  /** One line for people, e.g. "new mapping TCP/8080 -> 192.168.1.20:8080 (QNAP)". */
  summary: string;
  /** The finding's severity for finding changes (the new one for severity changes); null otherwise. */
  severity: Severity | null;
  /** For severity changes, the old severity. */
  previousSeverity?: Severity;
  /** True when the change makes something newly reachable or newly dangerous (see isNewExposure). */
  newExposure: boolean;
  before?: unknown;
  after?: unknown;
}

export interface DiffSide {
  scanId: number | null;
  finishedAt: string;
  wanAddress: string | null;
  wanAddressClass: AddressClass;
}

export interface ReportDiff {
  from: DiffSide;
  to: DiffSide;
  changes: Change[];
}
