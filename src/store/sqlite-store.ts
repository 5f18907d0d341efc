import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createError, isExposureError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';
import { validateReport } from '../report/validate.js';
import { factsOf, summaryOf } from './facts.js';
import { migrate } from './sqlite-migrate.js';
import { defaultDbFile } from './paths.js';
import {
  ABANDON_REASON,
  ACTIVE_STATUSES,
  INTERRUPTED_MESSAGE,
  LIMITS,
  PRUNE_POLICY,
  THIS_PROCESS,
  clampLimit,
  decodeCursor,
  encodeCursor,
  ownerAlive,
  pruneCutoff,
  scheduleBusy,
  scheduleValues,
  storableOptions,
  type ForeignOwners,
  type OwnerRow,
} from './policy.js';
import { ALERT_COLUMNS, MAPPING_COLUMNS, SCAN_COLUMNS, SCHEDULE_COLUMNS, toAlert, toMapping, toScan, toSchedule, type AlertRow, type MappingRow, type ScanRow, type ScheduleRow } from './rows.js';
import { DEFAULT_SITE, siteOrDefault } from './site.js';
import type {
  AlertDelivery,
  HistoryStore,
  LatestDoneQuery,
  ListAlertsQuery,
  ListScansQuery,
  ListSchedulesQuery,
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
  SiteStatusCount,
} from './types.js';
import { SCAN_STATUSES } from './types.js';

/** One machine's file: a scan owned by another host name is an earlier container's or a renamed machine's. */
const FOREIGN_OWNERS: ForeignOwners = 'gone';

function dbError(file: string, error: unknown): Error {
  if (isExposureError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return createError('EXP_ERR_DB_OPEN', `History database ${file}: ${message}`, { cause: error, hint: 'Check the file and its folder are writable and the disk is not full, or choose another file with --db.' });
}

/**
 * Opens (creating when missing) the history database: WAL journal, foreign keys on, migrated to the newest
 * schema. One HistoryStore per process and file; several processes may share a file (WAL, busy timeout).
 */
export function openSqliteStore(options: OpenStoreOptions = {}): HistoryStore {
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

/**
 * The embedded store. better-sqlite3 is synchronous: each method does its work at once and returns a settled
 * promise, so a caller never sees a half-written scan whatever it awaits in between.
 */
class SqliteStore implements HistoryStore {
  readonly file: string;
  readonly kind = 'sqlite' as const;
  readonly schemaVersion: number;
  private readonly db: Database.Database;
  private readonly now: () => Date;

  constructor(db: Database.Database, file: string, schemaVersion: number, now: () => Date) {
    this.db = db;
    this.file = file;
    this.schemaVersion = schemaVersion;
    this.now = now;
  }

  /** Runs synchronous work as a promise, with every failure as an ExposureError. */
  private run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(dbError(this.file, error));
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

  private scheduleRow(id: number): ScheduleRow | undefined {
    return this.db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = ?`).get(id) as ScheduleRow | undefined;
  }

  private insertScan(input: NewScan, site: string, status: ScanStatus, at: string): number {
    const result = this.db
      .prepare('INSERT INTO scans (site, status, trigger, schedule_id, options, created_at, owner_host, owner_pid, owner_instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(site, status, input.trigger, input.scheduleId ?? null, JSON.stringify(storableOptions(input.options)), at, THIS_PROCESS.host, THIS_PROCESS.pid, THIS_PROCESS.instance);
    return Number(result.lastInsertRowid);
  }

  /** The site a new scan is stamped with: its schedule's, else the one asked for. */
  private siteFor(input: NewScan): string {
    if (input.scheduleId === undefined || input.scheduleId === null) return siteOrDefault(input.site, 'site');
    const schedule = this.scheduleRow(input.scheduleId);
    if (!schedule) throw createError('EXP_ERR_SCHEDULE_NOT_FOUND', `No schedule ${input.scheduleId}`);
    return schedule.site;
  }

  createScan(input: NewScan): Promise<ScanRecord> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const site = this.siteFor(input);
          if (input.scheduleId !== undefined && input.scheduleId !== null) {
            const active = this.db.prepare(`SELECT id, owner_host, owner_pid, owner_instance, created_at FROM scans WHERE schedule_id = ? AND status IN ('queued', 'running')`).all(input.scheduleId) as (OwnerRow & { id: number })[];
            for (const id of scheduleBusy(input.scheduleId, active, FOREIGN_OWNERS, this.now()).interrupt) this.interrupt(id);
          }
          return toScan(this.requireScan(this.insertScan(input, site, 'queued', this.now().toISOString())));
        })
        .immediate(),
    );
  }

  startScan(id: number): Promise<ScanRecord> {
    return this.run(() => {
      const changed = this.db
        .prepare("UPDATE scans SET status = 'running', started_at = ?, owner_host = ?, owner_pid = ?, owner_instance = ? WHERE id = ? AND status = 'queued'")
        .run(this.now().toISOString(), THIS_PROCESS.host, THIS_PROCESS.pid, THIS_PROCESS.instance, id).changes;
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
    const mapping = this.db.prepare(`INSERT INTO scan_mappings (scan_id, ${MAPPING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const m of facts.mappings) mapping.run(id, m.gateway, m.protocol, m.externalPort, m.internalClient, m.internalPort, m.description, m.enabled ? 1 : 0, m.leaseDuration, m.remoteHost);
    const port = this.db.prepare('INSERT INTO scan_wan_ports (scan_id, port, protocol, state, service) VALUES (?, ?, ?, ?, ?)');
    for (const p of facts.wanPorts) port.run(id, p.port, p.protocol, p.state, p.service);
    const finding = this.db.prepare('INSERT INTO scan_findings (scan_id, finding_id, rule, severity, title) VALUES (?, ?, ?, ?, ?)');
    for (const f of facts.findings) finding.run(id, f.findingId, f.rule, f.severity, f.title);
    const host = this.db.prepare('INSERT INTO scan_hosts (scan_id, address, seen_from, model, firmware) VALUES (?, ?, ?, ?, ?)');
    for (const h of facts.hosts) host.run(id, h.address, h.seenFrom, h.model, h.firmware);
  }

  finishScan(id: number, report: ExposureReport): Promise<ScanRecord> {
    return this.run(() => {
      validateReport(report);
      return this.db
        .transaction(() => {
          const row = this.requireScan(id);
          if (row.status !== 'running') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}, not running`);
          this.writeReport(id, report);
          return toScan(this.requireScan(id));
        })
        .immediate();
    });
  }

  failScan(id: number, error: ScanError): Promise<ScanRecord> {
    return this.run(() => {
      const changed = this.db
        .prepare("UPDATE scans SET status = 'failed', finished_at = ?, error_code = ?, error_message = ? WHERE id = ? AND status IN ('queued', 'running')")
        .run(this.now().toISOString(), error.code.slice(0, LIMITS.errorCode), error.message.slice(0, LIMITS.errorMessage), id).changes;
      const row = this.requireScan(id);
      if (changed === 0) throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can fail`);
      return toScan(row);
    });
  }

  interruptScan(id: number): Promise<ScanRecord> {
    return this.run(() => {
      this.interrupt(id);
      const row = this.requireScan(id);
      if (row.status !== 'interrupted') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can be interrupted`);
      return toScan(row);
    });
  }

  recordScan(report: ExposureReport, input: NewScan): Promise<ScanRecord> {
    return this.run(() => {
      validateReport(report);
      return this.db
        .transaction(() => {
          const id = this.insertScan(input, this.siteFor(input), 'running', report.startedAt);
          this.db.prepare('UPDATE scans SET started_at = ? WHERE id = ?').run(report.startedAt, id);
          this.writeReport(id, report);
          return toScan(this.requireScan(id));
        })
        .immediate();
    });
  }

  getScan(id: number): Promise<ScanRecord | undefined> {
    return this.run(() => {
      const row = this.scanRow(id);
      return row ? toScan(row) : undefined;
    });
  }

  getReport(id: number): Promise<ExposureReport | undefined> {
    return this.run(() => {
      const row = this.db.prepare('SELECT report, report_gz FROM scans WHERE id = ?').get(id) as { report: string | null; report_gz: Buffer | null } | undefined;
      if (row?.report_gz) return JSON.parse(gunzipSync(row.report_gz).toString('utf8')) as ExposureReport;
      return row?.report ? (JSON.parse(row.report) as ExposureReport) : undefined;
    });
  }

  getFacts(id: number): Promise<ScanFacts | undefined> {
    return this.run(() => {
      const row = this.db.prepare('SELECT status, wan_address FROM scans WHERE id = ?').get(id) as { status: ScanStatus; wan_address: string | null } | undefined;
      if (row?.status !== 'done') return undefined;
      const mappings = this.db.prepare(`SELECT ${MAPPING_COLUMNS} FROM scan_mappings WHERE scan_id = ? ORDER BY rowid`).all(id) as MappingRow[];
      const wanPorts = this.db.prepare('SELECT port, protocol, state, service FROM scan_wan_ports WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['wanPorts'];
      const findings = this.db.prepare('SELECT finding_id AS findingId, rule, severity, title FROM scan_findings WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['findings'];
      const hosts = this.db.prepare('SELECT address, seen_from AS seenFrom, model, firmware FROM scan_hosts WHERE scan_id = ? ORDER BY rowid').all(id) as ScanFacts['hosts'];
      return { mappings: mappings.map(toMapping), wanPorts, findings, hosts, wanAddress: row.wan_address };
    });
  }

  listScans(query: ListScansQuery = {}): Promise<Page<ScanRecord>> {
    return this.run(() => {
      const limit = clampLimit(query.limit, 20);
      const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(query.cursor);
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
      if (query.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(query.site);
      }
      // One extra row tells whether another page exists without a COUNT.
      const rows = this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...parameters, limit + 1) as ScanRow[];
      const items = rows.slice(0, limit).map(toScan);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  latestDone(n: number, query: LatestDoneQuery = {}): Promise<ScanRecord[]> {
    return this.run(() => {
      const conditions = ["status = 'done'"];
      const parameters: (string | number)[] = [];
      if (query.scheduleId !== undefined) {
        conditions.push('schedule_id = ?');
        parameters.push(query.scheduleId);
      }
      if (query.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(query.site);
      }
      const rows = this.db.prepare(`SELECT ${SCAN_COLUMNS} FROM scans WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...parameters, clampLimit(n, 1)) as ScanRow[];
      return rows.map(toScan);
    });
  }

  countScansByStatus(site?: string): Promise<Record<ScanStatus, number>> {
    return this.run(() => {
      const counts = Object.fromEntries(SCAN_STATUSES.map((status) => [status, 0])) as Record<ScanStatus, number>;
      const rows = (
        site === undefined
          ? this.db.prepare('SELECT status, COUNT(*) AS count FROM scans GROUP BY status').all()
          : this.db.prepare('SELECT status, COUNT(*) AS count FROM scans WHERE site = ? GROUP BY status').all(site)
      ) as { status: string; count: number }[];
      for (const row of rows) if ((SCAN_STATUSES as readonly string[]).includes(row.status)) counts[row.status as ScanStatus] = row.count;
      return counts;
    });
  }

  countScansBySiteAndStatus(): Promise<SiteStatusCount[]> {
    return this.run(() => this.db.prepare('SELECT site, status, COUNT(*) AS count FROM scans GROUP BY site, status ORDER BY site, status').all() as SiteStatusCount[]);
  }

  listSites(): Promise<string[]> {
    return this.run(() => (this.db.prepare('SELECT site FROM scans UNION SELECT site FROM schedules ORDER BY site LIMIT 1000').all() as { site: string }[]).map((row) => row.site));
  }

  private interrupt(id: number): void {
    this.db
      .prepare("UPDATE scans SET status = 'interrupted', finished_at = ?, error_code = 'EXP_ERR_SCAN_INTERRUPTED', error_message = ? WHERE id = ? AND status IN ('queued', 'running')")
      .run(this.now().toISOString(), INTERRUPTED_MESSAGE, id);
  }

  markInterrupted(): Promise<number> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const rows = this.db.prepare(`SELECT id, owner_host, owner_pid, owner_instance, created_at FROM scans WHERE status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`).all(...ACTIVE_STATUSES) as (OwnerRow & { id: number })[];
          let marked = 0;
          for (const row of rows) {
            if (ownerAlive(row, FOREIGN_OWNERS, this.now())) continue;
            this.interrupt(row.id);
            marked++;
          }
          return marked;
        })
        .immediate(),
    );
  }

  pruneScans(olderThan: Date): Promise<number> {
    const groups = { schedule: 'schedule_id', site: 'site' } as const;
    const keep = PRUNE_POLICY.keepNewestDoneOf.map((group) => `AND id NOT IN (SELECT MAX(id) FROM scans WHERE status = 'done' GROUP BY ${groups[group]})`).join(' ');
    const statuses = PRUNE_POLICY.statuses;
    return this.run(
      () =>
        this.db.prepare(`DELETE FROM scans WHERE status IN (${statuses.map(() => '?').join(', ')}) AND created_at < ? ${keep}`).run(...statuses, pruneCutoff(olderThan)).changes,
    );
  }

  createSchedule(input: NewSchedule): Promise<Schedule> {
    return this.run(() => {
      const values = scheduleValues(input);
      if (this.db.prepare('SELECT 1 FROM schedules WHERE site = ? AND name = ?').get(values.site, values.name) !== undefined) {
        throw createError('EXP_ERR_SCHEDULE_INVALID', `A schedule named "${values.name}" already exists${values.site === DEFAULT_SITE ? '' : ` in site ${values.site}`}`, { hint: 'Choose another name, or delete the old schedule first.' });
      }
      const at = this.now().toISOString();
      const result = this.db
        .prepare('INSERT INTO schedules (name, site, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(values.name, values.site, values.cron, values.options, values.webhooks, values.alertOn, values.enabled ? 1 : 0, at, at);
      return toSchedule(this.scheduleRow(Number(result.lastInsertRowid)) as ScheduleRow);
    });
  }

  upsertSchedule(input: NewSchedule): Promise<Schedule> {
    return this.run(() => {
      const values = scheduleValues(input);
      return this.db.transaction(() => {
        const at = this.now().toISOString();
        const row = this.db
          .prepare(
            `INSERT INTO schedules (name, site, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(site, name) DO UPDATE SET cron = excluded.cron, options = excluded.options, webhooks = excluded.webhooks, alert_on = excluded.alert_on, enabled = excluded.enabled, updated_at = excluded.updated_at
             RETURNING ${SCHEDULE_COLUMNS}`,
          )
          .get(values.name, values.site, values.cron, values.options, values.webhooks, values.alertOn, values.enabled ? 1 : 0, at, at) as ScheduleRow;
        const schedule = toSchedule(row);
        this.abandonScheduleAlerts(schedule.id, schedule.webhooks, ABANDON_REASON.webhookRemoved(schedule.name), at);
        return schedule;
      })();
    });
  }

  /** Pending alerts of a schedule to webhooks not in `keep` stop being tried. */
  private abandonScheduleAlerts(scheduleId: number, keep: readonly string[], reason: string, at: string): number {
    return this.db
      .prepare("UPDATE alerts SET status = 'abandoned', abandoned_at = ?, last_error = ? WHERE status = 'pending' AND schedule_id = ? AND webhook NOT IN (SELECT value FROM json_each(?))")
      .run(at, reason, scheduleId, JSON.stringify(keep)).changes;
  }

  listSchedules(query: ListSchedulesQuery = {}): Promise<Schedule[]> {
    return this.run(() =>
      (query.site === undefined
        ? (this.db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY id`).all() as ScheduleRow[])
        : (this.db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE site = ? ORDER BY id`).all(query.site) as ScheduleRow[])
      ).map(toSchedule),
    );
  }

  getSchedule(id: number): Promise<Schedule | undefined> {
    return this.run(() => {
      const row = this.scheduleRow(id);
      return row ? toSchedule(row) : undefined;
    });
  }

  getScheduleByName(name: string, site: string = DEFAULT_SITE): Promise<Schedule | undefined> {
    return this.run(() => {
      const row = this.db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE site = ? AND name = ?`).get(site, name) as ScheduleRow | undefined;
      return row ? toSchedule(row) : undefined;
    });
  }

  deleteSchedule(id: number): Promise<boolean> {
    return this.run(() =>
      this.db.transaction(() => {
        const row = this.scheduleRow(id);
        if (!row) return false;
        this.abandonScheduleAlerts(id, [], ABANDON_REASON.scheduleDeleted(row.name), this.now().toISOString());
        return this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
      })(),
    );
  }

  enqueueAlert(alert: NewAlert): Promise<boolean> {
    return this.run(() => {
      const at = this.now().toISOString();
      const result = this.db
        .prepare("INSERT INTO alerts (dedupe_key, webhook, site, schedule_id, from_scan_id, to_scan_id, body, status, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(dedupe_key) DO NOTHING")
        .run(alert.dedupeKey, alert.webhook, siteOrDefault(alert.site, 'site'), alert.scheduleId, alert.fromScanId, alert.toScanId, alert.body, at, at);
      return result.changes > 0;
    });
  }

  private due(now: Date, limit: number): AlertDelivery[] {
    return (this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`).all(now.toISOString(), clampLimit(limit, 1, 1000)) as AlertRow[]).map(toAlert);
  }

  dueAlerts(now: Date, limit: number): Promise<AlertDelivery[]> {
    return this.run(() => this.due(now, limit));
  }

  claimDueAlerts(now: Date, leaseMs: number, limit: number): Promise<AlertDelivery[]> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const due = this.due(now, limit);
          const until = new Date(now.getTime() + Math.max(0, leaseMs)).toISOString();
          const claim = this.db.prepare('UPDATE alerts SET next_attempt_at = ? WHERE id = ?');
          for (const alert of due) claim.run(until, alert.id);
          return due;
        })
        .immediate(),
    );
  }

  markAlertDelivered(id: number, at: Date): Promise<void> {
    return this.run(() => void this.db.prepare("UPDATE alerts SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?").run(at.toISOString(), id));
  }

  markAlertFailed(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    // Only while pending: an alert abandoned during its send keeps the reason it was abandoned for.
    return this.run(() => void this.db.prepare("UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'").run(error.slice(0, LIMITS.alertError), nextAttemptAt.toISOString(), id));
  }

  markAlertAbandoned(id: number, error: string, at: Date): Promise<void> {
    return this.run(() => void this.db.prepare("UPDATE alerts SET status = 'abandoned', attempts = attempts + 1, last_error = ?, abandoned_at = ? WHERE id = ? AND status = 'pending'").run(error.slice(0, LIMITS.alertError), at.toISOString(), id));
  }

  rescheduleAlerts(webhook: string, at: Date): Promise<number> {
    return this.run(() => this.db.prepare("UPDATE alerts SET next_attempt_at = ? WHERE status = 'pending' AND webhook = ? AND next_attempt_at > ?").run(at.toISOString(), webhook, at.toISOString()).changes);
  }

  hasAlertFor(toScanId: number): Promise<boolean> {
    return this.run(() => this.db.prepare('SELECT 1 FROM alerts WHERE to_scan_id = ? LIMIT 1').get(toScanId) !== undefined);
  }

  listAlerts(query: ListAlertsQuery = {}): Promise<AlertDelivery[]> {
    return this.run(() => {
      const conditions: string[] = [];
      const parameters: (string | number)[] = [];
      if (query.status !== undefined) {
        conditions.push('status = ?');
        parameters.push(query.status);
      }
      if (query.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(query.site);
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      return (this.db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts ${where} ORDER BY id DESC LIMIT ?`).all(...parameters, clampLimit(query.limit, 50)) as AlertRow[]).map(toAlert);
    });
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
