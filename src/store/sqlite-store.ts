import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createError, isExposureError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';
import { validateReport } from '../report/validate.js';
import { validateAlertOn, validateCron, validateScheduleName, validateWebhook } from '../schedule/validate.js';
import { factsOf, summaryOf } from './facts.js';
import { migrate } from './migrations.js';
import { defaultDbFile } from './paths.js';
import type {
  AlertDelivery,
  HistoryStore,
  ListAlertsQuery,
  ListScansQuery,
  NewAlert,
  NewScan,
  NewSchedule,
  OpenStoreOptions,
  Page,
  ScanError,
  ScanFacts,
  ScanRecord,
  ScanStatus,
  Schedule,
  StoredScanOptions,
} from './types.js';
import { SCAN_STATUSES } from './types.js';

interface ScanRow {
  id: number;
  status: ScanStatus;
  trigger: ScanRecord['trigger'];
  schedule_id: number | null;
  options: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_instance: string | null;
  error_code: string | null;
  error_message: string | null;
  summary: string | null;
}

interface ScheduleRow {
  id: number;
  name: string;
  cron: string;
  options: string;
  webhooks: string;
  alert_on: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

interface AlertRow {
  id: number;
  dedupe_key: string;
  webhook: string;
  schedule_id: number | null;
  from_scan_id: number;
  to_scan_id: number;
  body: string;
  status: AlertDelivery['status'];
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  delivered_at: string | null;
  last_error: string | null;
  abandoned_at: string | null;
}

const SCAN_COLUMNS = 'id, status, trigger, schedule_id, options, created_at, started_at, finished_at, owner_host, owner_pid, owner_instance, error_code, error_message, summary';
/** This process, as an owner of scans: host and pid to test liveness, instance to tell us from an earlier process with our pid (pid 1 in a container). */
const OWNER = { host: hostname(), pid: process.pid, instance: randomUUID() };

function toScan(row: ScanRow): ScanRecord {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    scheduleId: row.schedule_id,
    options: JSON.parse(row.options) as StoredScanOptions,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    summary: row.summary === null ? null : (JSON.parse(row.summary) as ScanRecord['summary']),
  };
}

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    options: JSON.parse(row.options) as StoredScanOptions,
    webhooks: JSON.parse(row.webhooks) as string[],
    alertOn: validateAlertOn(row.alert_on),
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAlert(row: AlertRow): AlertDelivery {
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    webhook: row.webhook,
    scheduleId: row.schedule_id,
    fromScanId: row.from_scan_id,
    toScanId: row.to_scan_id,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    abandonedAt: row.abandoned_at,
  };
}

/** Is the process that owns a scan still there? Unknown owners (another host, no pid) count as gone. */
function ownerAlive(row: Pick<ScanRow, 'owner_host' | 'owner_pid' | 'owner_instance'>): boolean {
  if (row.owner_instance === OWNER.instance) return true;
  if (row.owner_host !== OWNER.host || row.owner_pid === null || row.owner_pid === OWNER.pid) return false;
  try {
    process.kill(row.owner_pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Never pass user-supplied options' secrets or callbacks to the database. */
function storableOptions(options: StoredScanOptions & { vantageToken?: unknown; onProgress?: unknown }): StoredScanOptions {
  const rest: StoredScanOptions & { vantageToken?: unknown; onProgress?: unknown } = { ...options };
  delete rest.vantageToken;
  delete rest.onProgress;
  return rest;
}

function encodeCursor(id: number): string {
  return Buffer.from(`scan:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^scan:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw createError('EXP_ERR_DB_CURSOR', 'The cursor is not one this history gave out', { hint: 'Start from the first page and follow nextCursor.' });
  return Number(match[1]);
}

function dbError(file: string, error: unknown): Error {
  if (isExposureError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return createError('EXP_ERR_DB_OPEN', `History database ${file}: ${message}`, { cause: error, hint: 'Check the file and its folder are writable and the disk is not full, or choose another file with --db.' });
}

/**
 * Opens (creating when missing) the history database: WAL journal, foreign keys on, migrated to the newest
 * schema. One HistoryStore per process and file; several processes may share a file (WAL, busy timeout).
 */
export function openStore(options: OpenStoreOptions = {}): HistoryStore {
  const file = path.resolve(options.file ?? defaultDbFile());
  let db: Database.Database;
  let schemaVersion: number;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // The history says which ports are open where: owner-only, like the token files. Created here first, because
    // SQLite would create it with the umask's mode; its -wal and -shm files copy the database file's mode.
    closeSync(openSync(file, 'a', 0o600));
    db = new Database(file);
  } catch (error) {
    throw dbError(file, error);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // WAL: readers (history, the API) never block the scheduler's writes, and a killed writer loses only its
    // uncommitted transaction. synchronous=NORMAL is durable against process crashes in WAL mode; a power
    // cut may lose the last committed scans, never corrupt older ones.
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') throw new Error(`cannot switch to WAL journal mode (got ${mode})`);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    schemaVersion = migrate(db, file);
  } catch (error) {
    db.close();
    throw dbError(file, error);
  }
  return new SqliteStore(db, file, schemaVersion, options.now ?? (() => new Date()));
}

class SqliteStore implements HistoryStore {
  readonly file: string;
  readonly schemaVersion: number;
  private readonly db: Database.Database;
  private readonly now: () => Date;

  constructor(db: Database.Database, file: string, schemaVersion: number, now: () => Date) {
    this.db = db;
    this.file = file;
    this.schemaVersion = schemaVersion;
    this.now = now;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw dbError(this.file, error);
    }
  }

  private scanRow(id: number): ScanRow | undefined {
    return this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = ?`).get(id) as ScanRow | undefined;
  }

  private requireScan(id: number): ScanRow {
    const row = this.scanRow(id);
    if (!row) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${id} in the history`, { hint: 'Run "exposure history" to see the ids.' });
    return row;
  }

  private insertScan(input: NewScan, status: ScanStatus, at: string): number {
    const result = this.db
      .prepare('INSERT INTO scans (status, trigger, schedule_id, options, created_at, owner_host, owner_pid, owner_instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(status, input.trigger, input.scheduleId ?? null, JSON.stringify(storableOptions(input.options)), at, OWNER.host, OWNER.pid, OWNER.instance);
    return Number(result.lastInsertRowid);
  }

  createScan(input: NewScan): ScanRecord {
    return this.guard(() =>
      this.db
        .transaction(() => {
          if (input.scheduleId !== undefined && input.scheduleId !== null) {
            if (!this.getSchedule(input.scheduleId)) throw createError('EXP_ERR_SCHEDULE_NOT_FOUND', `No schedule ${input.scheduleId}`);
            const active = this.db.prepare("SELECT id, owner_host, owner_pid, owner_instance FROM scans WHERE schedule_id = ? AND status IN ('queued', 'running')").all(input.scheduleId) as (Pick<ScanRow, 'id' | 'owner_host' | 'owner_pid' | 'owner_instance'>)[];
            for (const row of active) {
              if (ownerAlive(row)) throw createError('EXP_ERR_SCHEDULE_BUSY', `Scan ${row.id} of schedule ${input.scheduleId} is still queued or running; this run is skipped`);
              this.interrupt(row.id);
            }
          }
          return toScan(this.requireScan(this.insertScan(input, 'queued', this.now().toISOString())));
        })
        .immediate(),
    );
  }

  startScan(id: number): ScanRecord {
    return this.guard(() => {
      const changed = this.db
        .prepare("UPDATE scans SET status = 'running', started_at = ?, owner_host = ?, owner_pid = ?, owner_instance = ? WHERE id = ? AND status = 'queued'")
        .run(this.now().toISOString(), OWNER.host, OWNER.pid, OWNER.instance, id).changes;
      const row = this.requireScan(id);
      if (changed === 0) throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}, not queued`);
      return toScan(row);
    });
  }

  private writeReport(id: number, report: ExposureReport): void {
    const summary = summaryOf(report);
    const facts = factsOf(report);
    this.db
      .prepare("UPDATE scans SET status = 'done', finished_at = ?, summary = ?, report = NULL, report_gz = ?, wan_address = ?, error_code = NULL, error_message = NULL WHERE id = ?")
      .run(this.now().toISOString(), JSON.stringify(summary), gzipSync(JSON.stringify(report)), facts.wanAddress, id);
    const mapping = this.db.prepare('INSERT INTO scan_mappings (scan_id, gateway, protocol, external_port, internal_client, internal_port, description, enabled, lease_duration, remote_host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const m of facts.mappings) mapping.run(id, m.gateway, m.protocol, m.externalPort, m.internalClient, m.internalPort, m.description, m.enabled ? 1 : 0, m.leaseDuration, m.remoteHost);
    const port = this.db.prepare('INSERT INTO scan_wan_ports (scan_id, port, protocol, state, service) VALUES (?, ?, ?, ?, ?)');
    for (const p of facts.wanPorts) port.run(id, p.port, p.protocol, p.state, p.service);
    const finding = this.db.prepare('INSERT INTO scan_findings (scan_id, finding_id, rule, severity, title) VALUES (?, ?, ?, ?, ?)');
    for (const f of facts.findings) finding.run(id, f.findingId, f.rule, f.severity, f.title);
    const host = this.db.prepare('INSERT INTO scan_hosts (scan_id, address, seen_from, model, firmware) VALUES (?, ?, ?, ?, ?)');
    for (const h of facts.hosts) host.run(id, h.address, h.seenFrom, h.model, h.firmware);
  }

  finishScan(id: number, report: ExposureReport): ScanRecord {
    validateReport(report);
    return this.guard(() =>
      this.db
        .transaction(() => {
          const row = this.requireScan(id);
          if (row.status !== 'running') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}, not running`);
          this.writeReport(id, report);
          return toScan(this.requireScan(id));
        })
        .immediate(),
    );
  }

  failScan(id: number, error: ScanError): ScanRecord {
    return this.guard(() => {
      const changed = this.db
        .prepare("UPDATE scans SET status = 'failed', finished_at = ?, error_code = ?, error_message = ? WHERE id = ? AND status IN ('queued', 'running')")
        .run(this.now().toISOString(), error.code.slice(0, 100), error.message.slice(0, 2000), id).changes;
      const row = this.requireScan(id);
      if (changed === 0) throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can fail`);
      return toScan(row);
    });
  }

  interruptScan(id: number): ScanRecord {
    return this.guard(() => {
      this.interrupt(id);
      const row = this.requireScan(id);
      if (row.status !== 'interrupted') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can be interrupted`);
      return toScan(row);
    });
  }

  recordScan(report: ExposureReport, input: NewScan): ScanRecord {
    validateReport(report);
    return this.guard(() =>
      this.db
        .transaction(() => {
          const id = this.insertScan(input, 'running', report.startedAt);
          this.db.prepare('UPDATE scans SET started_at = ? WHERE id = ?').run(report.startedAt, id);
          this.writeReport(id, report);
          return toScan(this.requireScan(id));
        })
        .immediate(),
    );
  }

  getScan(id: number): ScanRecord | undefined {
    return this.guard(() => {
      const row = this.scanRow(id);
      return row ? toScan(row) : undefined;
    });
  }

  getReport(id: number): ExposureReport | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT report, report_gz FROM scans WHERE id = ?').get(id) as { report: string | null; report_gz: Buffer | null } | undefined;
      if (row?.report_gz) return JSON.parse(gunzipSync(row.report_gz).toString('utf8')) as ExposureReport;
      return row?.report ? (JSON.parse(row.report) as ExposureReport) : undefined;
    });
  }

  getFacts(id: number): ScanFacts | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT status, wan_address FROM scans WHERE id = ?').get(id) as { status: ScanStatus; wan_address: string | null } | undefined;
      if (row?.status !== 'done') return undefined;
      const mappings = this.db.prepare('SELECT gateway, protocol, external_port, internal_client, internal_port, description, enabled, lease_duration, remote_host FROM scan_mappings WHERE scan_id = ? ORDER BY rowid').all(id) as {
        gateway: string; protocol: 'TCP' | 'UDP'; external_port: number; internal_client: string; internal_port: number; description: string; enabled: number; lease_duration: number; remote_host: string;
      }[];
      const wanPorts = this.db.prepare('SELECT port, protocol, state, service FROM scan_wan_ports WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['wanPorts'];
      const findings = this.db.prepare('SELECT finding_id AS findingId, rule, severity, title FROM scan_findings WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['findings'];
      const hosts = this.db.prepare('SELECT address, seen_from AS seenFrom, model, firmware FROM scan_hosts WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['hosts'];
      return {
        mappings: mappings.map((m) => ({ gateway: m.gateway, protocol: m.protocol, externalPort: m.external_port, internalClient: m.internal_client, internalPort: m.internal_port, description: m.description, enabled: m.enabled === 1, leaseDuration: m.lease_duration, remoteHost: m.remote_host })),
        wanPorts,
        findings,
        hosts,
        wanAddress: row.wan_address,
      };
    });
  }

  listScans(query: ListScansQuery = {}): Page<ScanRecord> {
    const limit = Math.min(500, Math.max(1, Math.trunc(query.limit ?? 20)));
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(query.cursor);
    return this.guard(() => {
      const conditions = ['id < ?'];
      const parameters: (string | number)[] = [before];
      if (query.status !== undefined) {
        conditions.push('status = ?');
        parameters.push(query.status);
      }
      if (query.scheduleId !== undefined) {
        conditions.push('schedule_id = ?');
        parameters.push(query.scheduleId);
      }
      // One extra row tells whether another page exists without a COUNT.
      const rows = this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...parameters, limit + 1) as ScanRow[];
      const items = rows.slice(0, limit).map(toScan);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  latestDone(n: number, scheduleId?: number): ScanRecord[] {
    const limit = Math.min(500, Math.max(1, Math.trunc(n)));
    return this.guard(() => {
      const rows = (
        scheduleId === undefined
          ? this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE status = 'done' ORDER BY id DESC LIMIT ?`).all(limit)
          : this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE status = 'done' AND schedule_id = ? ORDER BY id DESC LIMIT ?`).all(scheduleId, limit)
      ) as ScanRow[];
      return rows.map(toScan);
    });
  }

  countScansByStatus(): Record<ScanStatus, number> {
    return this.guard(() => {
      const counts = Object.fromEntries(SCAN_STATUSES.map((status) => [status, 0])) as Record<ScanStatus, number>;
      const rows = this.db.prepare('SELECT status, COUNT(*) AS count FROM scans GROUP BY status').all() as Array<{ status: string; count: number }>;
      for (const row of rows) if ((SCAN_STATUSES as readonly string[]).includes(row.status)) counts[row.status as ScanStatus] = row.count;
      return counts;
    });
  }

  private interrupt(id: number): void {
    this.db
      .prepare("UPDATE scans SET status = 'interrupted', finished_at = ?, error_code = 'EXP_ERR_SCAN_INTERRUPTED', error_message = ? WHERE id = ? AND status IN ('queued', 'running')")
      .run(this.now().toISOString(), 'The process running this scan stopped before it finished (crash, kill or restart)', id);
  }

  markInterrupted(): number {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const rows = this.db.prepare("SELECT id, owner_host, owner_pid, owner_instance FROM scans WHERE status IN ('queued', 'running')").all() as (Pick<ScanRow, 'id' | 'owner_host' | 'owner_pid' | 'owner_instance'>)[];
          let marked = 0;
          for (const row of rows) {
            if (ownerAlive(row)) continue;
            this.interrupt(row.id);
            marked++;
          }
          return marked;
        })
        .immediate(),
    );
  }

  pruneScans(olderThan: Date): number {
    return this.guard(
      () =>
        this.db
          .prepare(
            `DELETE FROM scans WHERE status IN ('done', 'failed', 'interrupted') AND created_at < ?
               AND id NOT IN (SELECT MAX(id) FROM scans WHERE status = 'done' GROUP BY schedule_id)
               AND id NOT IN (SELECT MAX(id) FROM scans WHERE status = 'done')`,
          )
          .run(olderThan.toISOString()).changes,
    );
  }

  private checkSchedule(input: NewSchedule): { name: string; cron: string; options: string; webhooks: string; alertOn: string; enabled: number } {
    return {
      name: validateScheduleName(input.name),
      cron: validateCron(input.cron),
      options: JSON.stringify(storableOptions(input.options)),
      webhooks: JSON.stringify([...new Set((input.webhooks ?? []).map(validateWebhook))]),
      alertOn: validateAlertOn(input.alertOn ?? 'new-exposure'),
      enabled: input.enabled === false ? 0 : 1,
    };
  }

  createSchedule(input: NewSchedule): Schedule {
    const values = this.checkSchedule(input);
    return this.guard(() => {
      if (this.getScheduleByName(values.name)) throw createError('EXP_ERR_SCHEDULE_INVALID', `A schedule named "${values.name}" already exists`, { hint: 'Choose another name, or delete the old schedule first.' });
      const at = this.now().toISOString();
      const result = this.db
        .prepare('INSERT INTO schedules (name, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(values.name, values.cron, values.options, values.webhooks, values.alertOn, values.enabled, at, at);
      return this.getSchedule(Number(result.lastInsertRowid)) as Schedule;
    });
  }

  upsertSchedule(input: NewSchedule): Schedule {
    const values = this.checkSchedule(input);
    return this.guard(() => this.db.transaction(() => {
      const at = this.now().toISOString();
      this.db
        .prepare(
          `INSERT INTO schedules (name, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET cron = excluded.cron, options = excluded.options, webhooks = excluded.webhooks, alert_on = excluded.alert_on, enabled = excluded.enabled, updated_at = excluded.updated_at`,
        )
        .run(values.name, values.cron, values.options, values.webhooks, values.alertOn, values.enabled, at, at);
      const schedule = this.getScheduleByName(values.name) as Schedule;
      this.abandonScheduleAlerts(schedule.id, schedule.webhooks, `the webhook was removed from schedule "${schedule.name}"`, at);
      return schedule;
    })());
  }

  /** Pending alerts of a schedule to webhooks not in `keep` stop being tried. */
  private abandonScheduleAlerts(scheduleId: number, keep: readonly string[], reason: string, at: string): number {
    return this.db
      .prepare("UPDATE alerts SET status = 'abandoned', abandoned_at = ?, last_error = ? WHERE status = 'pending' AND schedule_id = ? AND webhook NOT IN (SELECT value FROM json_each(?))")
      .run(at, reason, scheduleId, JSON.stringify(keep)).changes;
  }

  listSchedules(): Schedule[] {
    return this.guard(() => (this.db.prepare('SELECT * FROM schedules ORDER BY id').all() as ScheduleRow[]).map(toSchedule));
  }

  getSchedule(id: number): Schedule | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
      return row ? toSchedule(row) : undefined;
    });
  }

  getScheduleByName(name: string): Schedule | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT * FROM schedules WHERE name = ?').get(name) as ScheduleRow | undefined;
      return row ? toSchedule(row) : undefined;
    });
  }

  deleteSchedule(id: number): boolean {
    return this.guard(() =>
      this.db.transaction(() => {
        const schedule = this.getSchedule(id);
        if (!schedule) return false;
        this.abandonScheduleAlerts(id, [], `schedule "${schedule.name}" was deleted`, this.now().toISOString());
        return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
      })(),
    );
  }

  enqueueAlert(alert: NewAlert): boolean {
    return this.guard(() => {
      const at = this.now().toISOString();
      const result = this.db
        .prepare("INSERT INTO alerts (dedupe_key, webhook, schedule_id, from_scan_id, to_scan_id, body, status, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(dedupe_key) DO NOTHING")
        .run(alert.dedupeKey, alert.webhook, alert.scheduleId, alert.fromScanId, alert.toScanId, alert.body, at, at);
      return result.changes > 0;
    });
  }

  dueAlerts(now: Date, limit: number): AlertDelivery[] {
    return this.guard(() =>
      (this.db.prepare("SELECT * FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?").all(now.toISOString(), Math.max(1, Math.trunc(limit))) as AlertRow[]).map(toAlert),
    );
  }

  claimDueAlerts(now: Date, leaseMs: number, limit: number): AlertDelivery[] {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const due = this.dueAlerts(now, limit);
          const until = new Date(now.getTime() + Math.max(0, leaseMs)).toISOString();
          const claim = this.db.prepare('UPDATE alerts SET next_attempt_at = ? WHERE id = ?');
          for (const alert of due) claim.run(until, alert.id);
          return due;
        })
        .immediate(),
    );
  }

  markAlertDelivered(id: number, at: Date): void {
    this.guard(() => this.db.prepare("UPDATE alerts SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?").run(at.toISOString(), id));
  }

  markAlertFailed(id: number, error: string, nextAttemptAt: Date): void {
    // Only while pending: an alert abandoned during its send keeps the reason it was abandoned for.
    this.guard(() => this.db.prepare("UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(error.slice(0, 500), nextAttemptAt.toISOString(), id));
  }

  markAlertAbandoned(id: number, error: string, at: Date): void {
    this.guard(() =>
      this.db.prepare("UPDATE alerts SET status = 'abandoned', attempts = attempts + 1, last_error = ?, abandoned_at = ? WHERE id = ? AND status = 'pending'").run(error.slice(0, 500), at.toISOString(), id),
    );
  }

  rescheduleAlerts(webhook: string, at: Date): number {
    return this.guard(() => this.db.prepare("UPDATE alerts SET next_attempt_at = ? WHERE status = 'pending' AND webhook = ? AND next_attempt_at > ?").run(at.toISOString(), webhook, at.toISOString()).changes);
  }

  hasAlertFor(toScanId: number): boolean {
    return this.guard(() => this.db.prepare('SELECT 1 FROM alerts WHERE to_scan_id = ? LIMIT 1').get(toScanId) !== undefined);
  }

  listAlerts(query: ListAlertsQuery = {}): AlertDelivery[] {
    const limit = Math.min(500, Math.max(1, Math.trunc(query.limit ?? 50)));
    return this.guard(() =>
      (query.status === undefined
        ? (this.db.prepare('SELECT * FROM alerts ORDER BY id DESC LIMIT ?').all(limit) as AlertRow[])
        : (this.db.prepare('SELECT * FROM alerts WHERE status = ? ORDER BY id DESC LIMIT ?').all(query.status, limit) as AlertRow[])
      ).map(toAlert),
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
