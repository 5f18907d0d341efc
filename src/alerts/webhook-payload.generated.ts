/* Generated from schemas/webhook-payload.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * The filter that decided which changes raise an alert (README "Alert filters").
 */
export type AlertOn =
  | 'any'
  | 'new-exposure'
  | 'coverage'
  | 'severity:info'
  | 'severity:low'
  | 'severity:medium'
  | 'severity:high'
  | 'severity:critical';
export type DateTime = string;
/**
 * public: routable; private: RFC 1918; cgnat: 100.64.0.0/10 (RFC 6598); reserved: any other special-use block; unknown: not an IPv4 address.
 */
export type AddressClass = 'public' | 'private' | 'cgnat' | 'reserved' | 'unknown';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/**
 * The JSON body exposure-scanner POSTs to a webhook (exposure watch --webhook, a schedule's webhooks): one alert, i.e. one change set for one webhook. Checked against this schema before it is sent; a body that does not pass is never sent (EXP_ERR_WEBHOOK_PAYLOAD). version changes only with a breaking change; new optional fields may appear within a version, so a receiver should ignore fields it does not know. Every string that came from the network (mapping descriptions, finding titles, summaries) is untrusted: escape it.
 */
export interface WebhookPayload {
  /**
   * exposure.changes: what changed between two scans; exposure.baseline: the first scan of a schedule, as changes from nothing (from.scanId is null).
   */
  type: 'exposure.changes' | 'exposure.baseline';
  version: 1;
  /**
   * The home or office the scans are of (the watcher's --site). Absent means "default", as in bodies from before sites existed.
   */
  site?: string;
  /**
   * Slack-compatible (mrkdwn) summary: Slack, Mattermost, Rocket.Chat and Discord's /slack endpoint show it as is. <, > and & are escaped, control characters shown as \xNN.
   */
  text: string;
  incident?: Incident;
  /**
   * Unique per change set per webhook; also the Idempotency-Key header. A receiver can drop a repeat.
   */
  id: string;
  alertOn: AlertOn;
  /**
   * The schedule whose scans these are; null for none.
   */
  schedule: null | ScheduleRef;
  from: DiffSide;
  to: DiffSide;
  /**
   * Where things stand after the newer scan; null when it is not known.
   */
  summary: null | ScanSummary;
  /**
   * Every change between the two scans, those that passed alertOn first (matched: true); at most 500.
   *
   * @maxItems 500
   */
  changes: Change[];
  /**
   * Changes left out of changes to keep the body bounded.
   */
  omittedChanges: number;
}
/**
 * The newer scan is in incident mode: a host shows signs that it has been hit (a vendor pack's indicator of compromise matched, e.g. DeadBolt's ransom screen). The same object as the report's incident: what was hit, where, and what to do first (the vendor's incident steps, not hardening). Absent when the newer scan shows no such sign. Strings carry network text: escape them.
 */
export interface Incident {
  /**
   * One line for the banner: which host shows which campaign's signs. Carries network text (an address): escape it.
   */
  title: string;
  /**
   * The campaigns whose signs were seen (DeadBolt), as the packs name them.
   *
   * @minItems 1
   * @maxItems 32
   */
  campaigns: [string, ...string[]];
  /**
   * The addresses of the hosts that show them.
   *
   * @minItems 1
   * @maxItems 64
   */
  hosts: [string, ...string[]];
  /**
   * The ids of the compromise findings (vendor-compromise-<campaign>-<address>), each with its own steps.
   *
   * @minItems 1
   * @maxItems 64
   */
  findings: [string, ...string[]];
  /**
   * What to do first: the vendor's incident steps from the first compromise finding (firstStepsFinding), first step first. Incident response, not hardening.
   *
   * @maxItems 32
   */
  firstSteps: string[];
  /**
   * The finding firstSteps come from; other compromised hosts may need their own vendor's steps (their findings).
   */
  firstStepsFinding: string;
  /**
   * Where the steps and the indicator come from.
   *
   * @maxItems 32
   */
  references: string[];
}
export interface ScheduleRef {
  id: number;
  name: string;
}
export interface DiffSide {
  /**
   * The scan in the history; null on the "from" side of a baseline.
   */
  scanId: number | null;
  finishedAt: DateTime;
  wanAddress: string | null;
  wanAddressClass: AddressClass;
}
export interface ScanSummary {
  highestSeverity: 'none' | 'info' | 'low' | 'medium' | 'high' | 'critical';
  counts: {
    info: number;
    low: number;
    medium: number;
    high: number;
    critical: number;
  };
  riskScore: number;
  headline: string;
  gateways: number;
  mappings: number;
  /**
   * WAN ports in state open.
   */
  openWanPorts: number;
  wanAddress: string | null;
}
export interface Change {
  kind:
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
   * What changed, stable from scan to scan: TCP/8080, a finding id, a LAN address, "wan", "inside".
   */
  key: string;
  /**
   * One line for people.
   */
  summary: string;
  /**
   * The finding's severity on finding changes (the new one on severity changes); null otherwise.
   */
  severity: null | Severity;
  previousSeverity?: Severity;
  /**
   * Something became reachable or newly dangerous.
   */
  newExposure: boolean;
  /**
   * The change passed alertOn (it is why the alert was raised).
   */
  matched: boolean;
  /**
   * Present (true) on changes of a finding that is a sign of compromise (rule vendor-compromise). A new one passes every alertOn filter and is reported even when a view failed on either side.
   */
  incident?: true;
  /**
   * The old value; its shape depends on kind.
   */
  before?: unknown;
  /**
   * The new value; its shape depends on kind.
   */
  after?: unknown;
}
