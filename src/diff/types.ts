import type { AddressClass, ExposureReport, Incident, Severity, Summary, Verdict } from '../core/report.generated.js';

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
  /**
   * Set (true) on changes of a finding that is a sign of compromise (src/rules/incident.ts): a new one passes every
   * alert filter, and is reported even across a view that failed, since it is seen, not inferred. Absent otherwise.
   */
  incident?: true;
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
  /** The newer report's incident, when it is in incident mode (report.incident): what to do first. */
  incident?: Incident;
}

export type PackUsed = NonNullable<ExposureReport['vendorPacks']>[number];
export type VerdictStatus = Verdict['status'];

/** One advisory's verdict on one host that the packs loaded now decide differently from the stored report. */
export interface VerdictChange {
  /** The host's LAN address; "wan" for the one seen from outside (as firmware changes key it). */
  host: string;
  advisory: string;
  component: string;
  /** null: no verdict on that side (the advisory is new to the data, or was dropped from it). */
  before: VerdictStatus | null;
  after: VerdictStatus | null;
  foundVersion: string | null;
  fixedVersion: string | null;
  /** One line for people; carries network text (a version string): escape on output. */
  summary: string;
}

export interface SummaryBrief {
  headline: string;
  riskScore: number;
  highestSeverity: Summary['highestSeverity'];
}

/** What `exposure history rejudge ID` and GET /v1/scans/{id}/rejudge answer: the same object, by the same service. */
export interface Rejudgement {
  /** Present when the re-judged scan is in incident mode: what to do first. */
  incident?: Incident;
  scan: { id: number; site: string; startedAt: string; finishedAt: string; recordedWith: string };
  /** The packs the devices were held against when recorded (null: recorded before vendor packs) and now. */
  packs: { then: PackUsed[] | null; now: PackUsed[] };
  summary: { then: SummaryBrief; now: SummaryBrief };
  /** Verdicts that differ, host by host. */
  verdicts: VerdictChange[];
  /** The diff from the stored report to the re-judged one (from.scanId the scan, to.scanId null): findings new, resolved, re-rated. */
  diff: ReportDiff;
}
