/**
 * The history store's public contract. The CLI (history, diff, watch), the scheduler and the REST API code
 * against these types only; src/store/sqlite-store.ts is the one implementation (better-sqlite3, WAL).
 *
 * Stable once committed: add members, do not change or remove them.
 *
 * Every method is synchronous (better-sqlite3 is), short (one indexed statement or one small transaction),
 * and throws ExposureError with a stable code (EXP_ERR_DB_*, EXP_ERR_SCAN_NOT_FOUND, ...) on failure.
 * Ids are positive integers assigned by the database; they only grow, so "newer" means "higher id".
 */
import type { ExposureReport, Severity } from '../core/report.generated.js';
import type { ScanOptions } from '../core/options.js';

export type ScanStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';
export const SCAN_STATUSES: readonly ScanStatus[] = ['queued', 'running', 'done', 'failed', 'interrupted'];

/** Who asked for the scan. */
export type ScanTrigger = 'cli' | 'api' | 'schedule';

/**
 * Scan options as stored: everything runScan needs except callbacks and secrets. The vantage token is never
 * written to the database; whoever runs a stored scan supplies it (EXPOSURE_VANTAGE_TOKEN).
 */
export type StoredScanOptions = Omit<ScanOptions, 'onProgress' | 'vantageToken'>;

export interface ScanError {
  /** An EXP_ERR_* code (src/core/errors.ts), e.g. EXP_ERR_TIMEOUT, or EXP_ERR_SCAN_INTERRUPTED. */
  code: string;
  message: string;
}

/** One scan, without its report (getReport has that). */
export interface ScanRecord {
  id: number;
  status: ScanStatus;
  trigger: ScanTrigger;
  /** The schedule that started it; null for one-off scans (and when the schedule was deleted since). */
  scheduleId: number | null;
  options: StoredScanOptions;
  /** ISO 8601 UTC timestamps. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Set when status is failed or interrupted. */
  error: ScanError | null;
  /** Copied from the report when done, for lists that must not load every report. */
  summary: ScanSummary | null;
}

export interface ScanSummary {
  highestSeverity: ExposureReport['summary']['highestSeverity'];
  counts: ExposureReport['summary']['counts'];
  riskScore: number;
  headline: string;
  gateways: number;
  mappings: number;
  /** WAN ports in state open. */
  openWanPorts: number;
  /** The external address (outside view's address, else the first gateway's or NAT-PMP's), or null. */
  wanAddress: string | null;
}

export interface NewScan {
  options: StoredScanOptions;
  trigger: ScanTrigger;
  scheduleId?: number | null;
}

export interface ListScansQuery {
  /** 1..500, default 20. */
  limit?: number;
  /** Opaque: the nextCursor of the previous page. An invalid cursor throws EXP_ERR_DB_CURSOR. */
  cursor?: string;
  status?: ScanStatus;
  scheduleId?: number;
}

export interface Page<T> {
  /** Newest first. */
  items: T[];
  /** Pass as cursor for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The indexed facts of one finished scan: what diffs, metrics and queries read without parsing reports. */
export interface ScanFacts {
  mappings: { gateway: string; protocol: 'TCP' | 'UDP'; externalPort: number; internalClient: string; internalPort: number; description: string; enabled: boolean; leaseDuration: number; remoteHost: string }[];
  wanPorts: { port: number; protocol: 'TCP' | 'UDP'; state: string; service: string | null }[];
  findings: { findingId: string; rule: string; severity: Severity; title: string }[];
  hosts: { address: string; seenFrom: 'lan' | 'wan'; model: string | null; firmware: string | null }[];
  wanAddress: string | null;
}

/** What an alert is raised for; see docs in README "Alert filters". */
export type AlertOn = 'any' | 'new-exposure' | 'coverage' | `severity:${Severity}`;

export interface Schedule {
  id: number;
  /** Unique; `exposure watch` uses --name (default "watch") to find its schedule again after a restart. */
  name: string;
  /** A croner expression: 5 fields, or 6 with seconds first. */
  cron: string;
  options: StoredScanOptions;
  /** http(s) URLs that receive change alerts for this schedule's scans. */
  webhooks: string[];
  alertOn: AlertOn;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewSchedule {
  name: string;
  cron: string;
  options: StoredScanOptions;
  webhooks?: string[];
  alertOn?: AlertOn;
  enabled?: boolean;
}

/** pending: not delivered yet, retried with backoff; delivered; abandoned: no longer tried (see lastError). */
export type AlertStatus = 'pending' | 'delivered' | 'abandoned';

/** One webhook delivery in the outbox. Never deleted by the program: delivered ones are the alert log. */
export interface AlertDelivery {
  id: number;
  /** Unique per change set per webhook: the same change is never queued (or sent) twice to one URL. */
  dedupeKey: string;
  webhook: string;
  scheduleId: number | null;
  fromScanId: number;
  toScanId: number;
  /** The JSON body sent (see src/alerts/payload.ts). */
  body: string;
  status: AlertStatus;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  deliveredAt: string | null;
  /** Why an abandoned alert stopped, or the last failed attempt's error. */
  lastError: string | null;
  abandonedAt: string | null;
}

export interface ListAlertsQuery {
  /** Newest first; default 50, at most 500. */
  limit?: number;
  status?: AlertStatus;
}

/** What queueing an alert takes; the store adds the rest. */
export type NewAlert = Pick<AlertDelivery, 'dedupeKey' | 'webhook' | 'scheduleId' | 'fromScanId' | 'toScanId' | 'body'>;

export interface HistoryStore {
  /** The database file's absolute path. */
  readonly file: string;
  /** The schema version the file is at (PRAGMA user_version). */
  readonly schemaVersion: number;

  /**
   * A new scan, status queued. With a scheduleId, refuses (EXP_ERR_SCHEDULE_BUSY) while another scan of that
   * schedule is queued or running in a live process: never two scans of one schedule at once, across processes.
   */
  createScan(input: NewScan): ScanRecord;
  /** queued -> running; records this process as the owner (so a crash can be told from a live scan). */
  startScan(id: number): ScanRecord;
  /** running -> done: validates the report, stores it whole and indexes its facts, in one transaction. */
  finishScan(id: number, report: ExposureReport): ScanRecord;
  /** queued|running -> failed with the error's code and message. */
  failScan(id: number, error: ScanError): ScanRecord;
  /** queued|running -> interrupted (EXP_ERR_SCAN_INTERRUPTED): the process is stopping (SIGTERM, restart). */
  interruptScan(id: number): ScanRecord;
  /** createScan + startScan + finishScan in one transaction: a one-shot CLI scan that already has its report. */
  recordScan(report: ExposureReport, input: NewScan): ScanRecord;
  getScan(id: number): ScanRecord | undefined;
  /** The stored report of a done scan; undefined for unknown ids and scans without a report. */
  getReport(id: number): ExposureReport | undefined;
  getFacts(id: number): ScanFacts | undefined;
  listScans(query?: ListScansQuery): Page<ScanRecord>;
  /** How many scans are in each status (for /metrics: one query, whatever the history's size). */
  countScansByStatus(): Record<ScanStatus, number>;
  /** The n newest done scans (optionally of one schedule), newest first. */
  latestDone(n: number, scheduleId?: number): ScanRecord[];
  /**
   * Marks queued/running scans whose owning process is gone (same host, pid not alive; or owned by no one) as
   * interrupted with EXP_ERR_SCAN_INTERRUPTED. Call once at start (watch, serve). Returns how many it marked.
   */
  markInterrupted(): number;
  /**
   * Deletes finished scans (done, failed, interrupted) created before `olderThan`, with their facts, but always
   * keeps the newest done scan of each schedule and overall, so the next diff has something to compare with.
   * Returns how many were deleted. Alerts keep their bodies (they name scan ids only).
   */
  pruneScans(olderThan: Date): number;

  createSchedule(input: NewSchedule): Schedule;
  /**
   * Replaces cron, options, webhooks, alertOn, enabled of the schedule with this name, or creates it. Pending
   * alerts of the schedule to a webhook it no longer lists are abandoned: the owner took that receiver out.
   */
  upsertSchedule(input: NewSchedule): Schedule;
  listSchedules(): Schedule[];
  getSchedule(id: number): Schedule | undefined;
  getScheduleByName(name: string): Schedule | undefined;
  /** Deletes the schedule (its scans stay, with scheduleId null; its pending alerts are abandoned). False when there was none. */
  deleteSchedule(id: number): boolean;

  /** Queues an alert; false (and nothing written) when one with the same dedupeKey exists. */
  enqueueAlert(alert: NewAlert): boolean;
  /** Pending alerts whose nextAttemptAt has come, oldest first (read only). */
  dueAlerts(now: Date, limit: number): AlertDelivery[];
  /**
   * Like dueAlerts, but each returned alert's nextAttemptAt is pushed to now + leaseMs in the same transaction,
   * so two processes sharing the file never send one alert at once; a sender that dies leaves it due again
   * when the lease runs out.
   */
  claimDueAlerts(now: Date, leaseMs: number, limit: number): AlertDelivery[];
  markAlertDelivered(id: number, at: Date): void;
  markAlertFailed(id: number, error: string, nextAttemptAt: Date): void;
  /** A failed attempt after which the outbox stops trying (pending -> abandoned). */
  markAlertAbandoned(id: number, error: string, at: Date): void;
  /** Makes every pending alert to this webhook due at `at` (the receiver is back: send its backlog now). Returns how many. */
  rescheduleAlerts(webhook: string, at: Date): number;
  /** Whether any alert was queued for the change up to this scan (to any webhook). */
  hasAlertFor(toScanId: number): boolean;
  listAlerts(query?: ListAlertsQuery): AlertDelivery[];

  /** Closes the database (checkpointing the WAL). Further calls throw. */
  close(): void;
}

export interface OpenStoreOptions {
  /** Database file; default defaultDbFile() (XDG data dir). Parent folders are created (mode 0700). */
  file?: string;
  /** Milliseconds to wait on a lock held by another process (default 5000). */
  busyTimeoutMs?: number;
  /** The time stamped on rows (scans created, finished; alerts queued, abandoned); default the system clock. Tests pass a fake one. */
  now?: () => Date;
}
