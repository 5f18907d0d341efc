/**
 * The history store's public contract. The CLI (history, diff, watch), the scheduler and the REST API code
 * against these types only. Two implementations pass the same contract suite (test/store/contract.ts):
 * src/store/sqlite-store.ts (better-sqlite3, WAL; the embedded default) and src/store/postgres-store.ts (pg; one
 * database shared by the watchers of many sites). Domain rules (what pruning keeps, what a diff compares, when a
 * schedule is busy) live in src/store/policy.ts, used by both; the classes only store.
 *
 * Stable once committed: add members, do not change or remove them.
 *
 * Every method returns a Promise (a network database cannot answer synchronously), is short (one indexed
 * statement or one small transaction), and rejects with ExposureError with a stable code (EXP_ERR_DB_*,
 * EXP_ERR_SCAN_NOT_FOUND, ...) on failure. Ids are positive integers assigned by the database; they only grow, so
 * "newer" means "higher id".
 *
 * Sites: every scan, schedule and alert belongs to one site (a short name, default "default"; src/store/site.ts),
 * so the watchers of several homes or offices can share one database and be told apart.
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
  /** The site scanned (src/store/site.ts). */
  site: string;
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
  /** Default DEFAULT_SITE; a scan of a schedule always takes the schedule's site. */
  site?: string;
}

export interface ListScansQuery {
  /** 1..500, default 20. */
  limit?: number;
  /** Opaque: the nextCursor of the previous page. An invalid cursor throws EXP_ERR_DB_CURSOR. */
  cursor?: string;
  status?: ScanStatus;
  scheduleId?: number;
  /** Only this site's scans. */
  site?: string;
}

/** Which done scans latestDone looks at. */
export interface LatestDoneQuery {
  scheduleId?: number;
  site?: string;
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
  /** Unique within its site; `exposure watch` uses --name (default "watch") and --site to find its schedule again after a restart. */
  name: string;
  site: string;
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
  /** Default DEFAULT_SITE. */
  site?: string;
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
  /** The site of the scans it is about. */
  site: string;
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
  site?: string;
}

export interface ListSchedulesQuery {
  site?: string;
}

/** What queueing an alert takes; the store adds the rest. The site defaults to the schedule's, else to the scan's. */
export type NewAlert = Pick<AlertDelivery, 'dedupeKey' | 'webhook' | 'scheduleId' | 'fromScanId' | 'toScanId' | 'body'> & { site?: string };

/** One site's scan count in one status (for /metrics). */
export interface SiteStatusCount {
  site: string;
  status: ScanStatus;
  count: number;
}

export interface HistoryStore {
  /**
   * Where the history is, for messages: the SQLite file's absolute path, or the PostgreSQL URL with its password
   * replaced by "***". Never holds a secret.
   */
  readonly file: string;
  /** 'sqlite' or 'postgres'. */
  readonly kind: StoreKind;
  /** The schema version the database is at (the newest step of src/store/migrations.ts it has applied). */
  readonly schemaVersion: number;

  /**
   * A new scan, status queued. With a scheduleId, refuses (EXP_ERR_SCHEDULE_BUSY) while another scan of that
   * schedule is queued or running in a live process: never two scans of one schedule at once, across processes.
   */
  createScan(input: NewScan): Promise<ScanRecord>;
  /** queued -> running; records this process as the owner (so a crash can be told from a live scan). */
  startScan(id: number): Promise<ScanRecord>;
  /** running -> done: validates the report, stores it whole and indexes its facts, in one transaction. */
  finishScan(id: number, report: ExposureReport): Promise<ScanRecord>;
  /** queued|running -> failed with the error's code and message. */
  failScan(id: number, error: ScanError): Promise<ScanRecord>;
  /** queued|running -> interrupted (EXP_ERR_SCAN_INTERRUPTED): the process is stopping (SIGTERM, restart). */
  interruptScan(id: number): Promise<ScanRecord>;
  /** createScan + startScan + finishScan in one transaction: a one-shot CLI scan that already has its report. */
  recordScan(report: ExposureReport, input: NewScan): Promise<ScanRecord>;
  getScan(id: number): Promise<ScanRecord | undefined>;
  /** The stored report of a done scan; undefined for unknown ids and scans without a report. */
  getReport(id: number): Promise<ExposureReport | undefined>;
  getFacts(id: number): Promise<ScanFacts | undefined>;
  listScans(query?: ListScansQuery): Promise<Page<ScanRecord>>;
  /** How many scans are in each status (for /metrics: one query, whatever the history's size); of one site when given. */
  countScansByStatus(site?: string): Promise<Record<ScanStatus, number>>;
  /** Scan counts by site and status, in one query (sites without scans do not appear). */
  countScansBySiteAndStatus(): Promise<SiteStatusCount[]>;
  /** The sites that have scans or schedules, sorted (at most 1000). */
  listSites(): Promise<string[]>;
  /** The n newest done scans (optionally of one schedule, or one site), newest first. */
  latestDone(n: number, query?: LatestDoneQuery): Promise<ScanRecord[]>;
  /**
   * Marks queued/running scans whose owning process is gone (policy.ownerAlive) as interrupted with
   * EXP_ERR_SCAN_INTERRUPTED. Call once at start (watch, serve). Returns how many it marked.
   */
  markInterrupted(): Promise<number>;
  /**
   * Deletes finished scans created before `olderThan`, with their facts, but keeps what policy.PRUNE_POLICY
   * keeps (the newest done scan of each schedule and of each site), so the next diff has something to compare
   * with. Returns how many were deleted. Alerts keep their bodies (they name scan ids only).
   */
  pruneScans(olderThan: Date): Promise<number>;

  createSchedule(input: NewSchedule): Promise<Schedule>;
  /**
   * Replaces cron, options, webhooks, alertOn, enabled of the schedule with this name in this site, or creates
   * it. Pending alerts of the schedule to a webhook it no longer lists are abandoned: the owner took that
   * receiver out.
   */
  upsertSchedule(input: NewSchedule): Promise<Schedule>;
  listSchedules(query?: ListSchedulesQuery): Promise<Schedule[]>;
  getSchedule(id: number): Promise<Schedule | undefined>;
  /** By name within a site (default DEFAULT_SITE). */
  getScheduleByName(name: string, site?: string): Promise<Schedule | undefined>;
  /** Deletes the schedule (its scans stay, with scheduleId null; its pending alerts are abandoned). False when there was none. */
  deleteSchedule(id: number): Promise<boolean>;

  /** Queues an alert; false (and nothing written) when one with the same dedupeKey exists. */
  enqueueAlert(alert: NewAlert): Promise<boolean>;
  /** Pending alerts whose nextAttemptAt has come, oldest first (read only). */
  dueAlerts(now: Date, limit: number): Promise<AlertDelivery[]>;
  /**
   * Like dueAlerts, but each returned alert's nextAttemptAt is pushed to now + leaseMs in the same transaction,
   * so two processes sharing the database never send one alert at once; a sender that dies leaves it due again
   * when the lease runs out. The alerts are returned as they were before the claim.
   */
  claimDueAlerts(now: Date, leaseMs: number, limit: number): Promise<AlertDelivery[]>;
  markAlertDelivered(id: number, at: Date): Promise<void>;
  markAlertFailed(id: number, error: string, nextAttemptAt: Date): Promise<void>;
  /** A failed attempt after which the outbox stops trying (pending -> abandoned). */
  markAlertAbandoned(id: number, error: string, at: Date): Promise<void>;
  /** Makes every pending alert to this webhook due at `at` (the receiver is back: send its backlog now). Returns how many. */
  rescheduleAlerts(webhook: string, at: Date): Promise<number>;
  /** Whether any alert was queued for the change up to this scan (to any webhook). */
  hasAlertFor(toScanId: number): Promise<boolean>;
  listAlerts(query?: ListAlertsQuery): Promise<AlertDelivery[]>;

  /** Closes the database (SQLite: checkpointing the WAL; PostgreSQL: ending the pool). Further calls reject. */
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenStoreOptions {
  /**
   * The --db value: a SQLite file (default defaultDbFile(), the XDG data dir; parent folders are created, mode
   * 0700), or a postgres:// or postgresql:// URL.
   */
  file?: string;
  /** Milliseconds to wait on a lock held by another process (default 5000); PostgreSQL: the lock_timeout. */
  busyTimeoutMs?: number;
  /** PostgreSQL only: limits (defaults: POSTGRES_DEFAULTS in src/store/postgres-store.ts). */
  postgres?: PostgresLimits;
  /** Aborts opening (connecting, migrating). */
  signal?: AbortSignal;
  /** The time stamped on rows (scans created, finished; alerts queued, abandoned); default the system clock. Tests pass a fake one. */
  now?: () => Date;
}

export interface PostgresLimits {
  /** Connections in this process's pool (default 4). */
  maxConnections?: number;
  /** Connecting, authentication included (default 10 s). */
  connectTimeoutMs?: number;
  /** Any one statement (default 30 s). */
  statementTimeoutMs?: number;
  /** An idle pooled connection is closed after (default 30 s). */
  idleTimeoutMs?: number;
}
