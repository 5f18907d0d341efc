import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { createError, isExposureError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';
import { validateReport } from '../report/validate.js';
import { factsOf, summaryOf } from './facts.js';
import { redactUrl, scrub, secretsOf } from './location.js';
import { migratePostgres } from './postgres-migrate.js';
import {
  ABANDON_REASON,
  ACTIVE_STATUSES,
  FOREIGN_OWNER_STALE_MS,
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
  PostgresLimits,
  ScanError,
  ScanFacts,
  ScanRecord,
  ScanStatus,
  Schedule,
  SiteStatusCount,
} from './types.js';
import { SCAN_STATUSES } from './types.js';

/** Small on purpose: one watcher or one serve needs a connection or two; many sites share one server's max_connections. */
export const POSTGRES_DEFAULTS: Required<PostgresLimits> = { maxConnections: 4, connectTimeoutMs: 10_000, statementTimeoutMs: 30_000, idleTimeoutMs: 30_000 };

/** Watchers on several machines share the database: a scan owned elsewhere is live until it is older than any scan runs. */
const FOREIGN_OWNERS: ForeignOwners = { staleAfterMs: FOREIGN_OWNER_STALE_MS };

type Queryable = Pick<Pool, 'query'> | PoolClient;
type Parameter = string | number | boolean | null | Buffer | readonly (string | number | boolean | null)[];

/** The store's SQL is written with "?" (as for SQLite); pg numbers its parameters. No statement has a "?" in a literal. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// R is the caller's statement of what the SELECT returns (pg cannot know it).
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function query<R extends QueryResultRow = QueryResultRow>(db: Queryable, sql: string, parameters: readonly Parameter[] = []): Promise<{ rows: R[]; rowCount: number }> {
  const result = await db.query<R>(numbered(sql), parameters as unknown[]);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** A pg or network error as an ExposureError with a fix-it hint; the URL's password never reaches the message. */
export function postgresError(where: string, secrets: readonly string[], error: unknown): Error {
  if (isExposureError(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = scrub(raw, secrets);
  const code = (error as { code?: unknown } | undefined)?.code;
  const sqlState = typeof code === 'string' ? code : '';
  const cause = new Error(message);
  const fail = (errorCode: 'EXP_ERR_DB_CONNECT' | 'EXP_ERR_DB_TIMEOUT' | 'EXP_ERR_DB_OPEN', text: string, hint: string) => createError(errorCode, `History database ${where}: ${text}`, { hint, cause });
  if (sqlState === '28P01' || sqlState === '28000') return fail('EXP_ERR_DB_CONNECT', `the server refused the login (${message})`, 'Check the user and password in the --db URL (or PGPASSWORD, or ~/.pgpass) and the server\'s pg_hba.conf.');
  if (sqlState === '3D000') return fail('EXP_ERR_DB_CONNECT', `no such database (${message})`, 'Create it first (createdb -O USER NAME, or CREATE DATABASE), or fix the name at the end of the --db URL.');
  if (sqlState === '57014' || sqlState === '55P03') return fail('EXP_ERR_DB_TIMEOUT', `a statement ran out of time (${message})`, 'The server is overloaded or a lock is held by another client: try again; check pg_stat_activity for long transactions.');
  if (sqlState === '42501') return fail('EXP_ERR_DB_OPEN', `permission denied (${message})`, 'The database user needs to own the database, or at least CREATE on its schema (GRANT CREATE ON SCHEMA public TO USER).');
  if (sqlState === '53300') return fail('EXP_ERR_DB_CONNECT', `the server has no free connection (${message})`, 'Raise max_connections on the server, or run fewer watchers against it.');
  if (CONNECT_CODES.has(sqlState) || /timeout expired|connection timeout|Connection terminated/i.test(raw)) {
    return fail('EXP_ERR_DB_CONNECT', `cannot reach the server (${message})`, 'Check that PostgreSQL runs and listens on that host and port (pg_isready -h HOST -p PORT), and that no firewall is in the way.');
  }
  if (/SSL|certificate/i.test(raw)) return fail('EXP_ERR_DB_CONNECT', `TLS failed (${message})`, 'Check sslmode in the --db URL and the server\'s certificate.');
  return fail('EXP_ERR_DB_OPEN', message, 'Check the server\'s log; the message above is PostgreSQL\'s own.');
}

/**
 * Opens a PostgreSQL history: a small bounded pool (connect, statement, lock and idle-in-transaction timeouts),
 * then the shared migrations. The first connection is made here, so a wrong URL, password or database fails
 * now, with EXP_ERR_DB_CONNECT, before any scan or schedule starts.
 */
export async function openPostgresStore(url: string, options: OpenStoreOptions = {}): Promise<HistoryStore> {
  const where = redactUrl(url);
  const secrets = secretsOf(url);
  const limits = { ...POSTGRES_DEFAULTS, ...options.postgres };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw createError('EXP_ERR_DB_OPEN', `--db ${where} is not a valid URL`, { hint: 'Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters in the password).' });
  }
  if (parsed.pathname.length <= 1) throw createError('EXP_ERR_DB_OPEN', `--db ${where} names no database`, { hint: 'End the URL with the database name, e.g. postgres://exposure@db.lan:5432/exposure.' });
  // bigint (ids, counts) as numbers: ids stay far below 2^53, and the contract's ids are numbers.
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.Pool({
    connectionString: url,
    max: limits.maxConnections,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    idleTimeoutMillis: limits.idleTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    // A client-side bound too: a server that stops answering mid-query does not hang the caller.
    query_timeout: limits.statementTimeoutMs + 5000,
    lock_timeout: Math.max(1, Math.trunc(options.busyTimeoutMs ?? 5000)),
    idle_in_transaction_session_timeout: limits.statementTimeoutMs,
    application_name: 'exposure-scanner',
    types,
  });
  // An idle connection dropped by the server (restart, failover) must not end the process; the next query reconnects.
  pool.on('error', () => undefined);
  const abort = (): Promise<never> =>
    new Promise((_resolve, reject) => {
      if (!options.signal) return;
      const fail = () => reject(createError('EXP_ERR_ABORTED', `Opening ${where} was cancelled`));
      if (options.signal.aborted) fail();
      options.signal.addEventListener('abort', fail, { once: true });
    });
  let schemaVersion: number;
  try {
    schemaVersion = await Promise.race([migratePostgres(pool, where), ...(options.signal ? [abort()] : [])]);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresError(where, secrets, error);
  }
  return new PostgresStore(pool, where, secrets, schemaVersion, options.now ?? (() => new Date()));
}

/** The shared store: one database for the watchers of many sites. Every write that must be whole is one transaction. */
class PostgresStore implements HistoryStore {
  readonly file: string;
  readonly kind = 'postgres' as const;
  readonly schemaVersion: number;
  private readonly pool: Pool;
  private readonly secrets: readonly string[];
  private readonly now: () => Date;
  private closed = false;

  constructor(pool: Pool, where: string, secrets: readonly string[], schemaVersion: number, now: () => Date) {
    this.pool = pool;
    this.file = where;
    this.secrets = secrets;
    this.schemaVersion = schemaVersion;
    this.now = now;
  }

  private async run<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) throw createError('EXP_ERR_DB_OPEN', `History database ${this.file} is closed`);
    try {
      return await work(this.pool);
    } catch (error) {
      throw postgresError(this.file, this.secrets, error);
    }
  }

  private async transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw createError('EXP_ERR_DB_OPEN', `History database ${this.file} is closed`);
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw postgresError(this.file, this.secrets, error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      });
      throw postgresError(this.file, this.secrets, error);
    } finally {
      // A connection whose rollback failed is in an unknown state: destroyed, not reused.
      client.release(broken);
    }
  }

  private async scanRow(db: Queryable, id: number, lock = false): Promise<ScanRow | undefined> {
    return (await query<ScanRow>(db, `SELECT ${SCAN_COLUMNS} FROM scans WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  }

  private async requireScan(db: Queryable, id: number, lock = false): Promise<ScanRow> {
    const row = await this.scanRow(db, id, lock);
    if (!row) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${id} in the history`, { hint: 'Run "exposure history" to see the ids.' });
    return row;
  }

  private async scheduleRow(db: Queryable, id: number, lock = false): Promise<ScheduleRow | undefined> {
    return (await query<ScheduleRow>(db, `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  }

  private async insertScan(db: Queryable, input: NewScan, site: string, status: ScanStatus, at: string, startedAt: string | null): Promise<ScanRow> {
    const { rows } = await query<ScanRow>(
      db,
      `INSERT INTO scans (site, status, trigger, schedule_id, options, created_at, started_at, owner_host, owner_pid, owner_instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SCAN_COLUMNS}`,
      [site, status, input.trigger, input.scheduleId ?? null, JSON.stringify(storableOptions(input.options)), at, startedAt, THIS_PROCESS.host, THIS_PROCESS.pid, THIS_PROCESS.instance],
    );
    return rows[0] as ScanRow;
  }

  /** The site of a new scan: its schedule's (the row locked, so two processes queue its scans one at a time), else the one asked for. */
  private async siteFor(db: Queryable, input: NewScan): Promise<string> {
    if (input.scheduleId === undefined || input.scheduleId === null) return siteOrDefault(input.site, 'site');
    const schedule = await this.scheduleRow(db, input.scheduleId, true);
    if (!schedule) throw createError('EXP_ERR_SCHEDULE_NOT_FOUND', `No schedule ${input.scheduleId}`);
    return schedule.site;
  }

  private async interrupt(db: Queryable, ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await query(db, "UPDATE scans SET status = 'interrupted', finished_at = ?, error_code = 'EXP_ERR_SCAN_INTERRUPTED', error_message = ? WHERE id = ANY(?::bigint[]) AND status IN ('queued', 'running')", [this.now().toISOString(), INTERRUPTED_MESSAGE, ids])).rowCount;
  }

  createScan(input: NewScan): Promise<ScanRecord> {
    return this.transaction(async (db) => {
      const site = await this.siteFor(db, input);
      if (input.scheduleId !== undefined && input.scheduleId !== null) {
        const active = (await query<OwnerRow & { id: number }>(db, "SELECT id, owner_host, owner_pid, owner_instance, created_at FROM scans WHERE schedule_id = ? AND status IN ('queued', 'running') FOR UPDATE", [input.scheduleId])).rows;
        await this.interrupt(db, scheduleBusy(input.scheduleId, active, FOREIGN_OWNERS, this.now()).interrupt);
      }
      return toScan(await this.insertScan(db, input, site, 'queued', this.now().toISOString(), null));
    });
  }

  startScan(id: number): Promise<ScanRecord> {
    return this.run(async (db) => {
      const { rows } = await query<ScanRow>(db, `UPDATE scans SET status = 'running', started_at = ?, owner_host = ?, owner_pid = ?, owner_instance = ? WHERE id = ? AND status = 'queued' RETURNING ${SCAN_COLUMNS}`, [this.now().toISOString(), THIS_PROCESS.host, THIS_PROCESS.pid, THIS_PROCESS.instance, id]);
      if (rows[0]) return toScan(rows[0]);
      const row = await this.requireScan(db, id);
      throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}, not queued`);
    });
  }

  /** The report and its facts: one statement per table, the rows passed as arrays (a thousand mappings is one round trip). */
  private async writeReport(db: PoolClient, id: number, report: ExposureReport): Promise<ScanRow> {
    const summary = summaryOf(report);
    const facts = factsOf(report);
    const { rows } = await query<ScanRow>(
      db,
      `UPDATE scans SET status = 'done', finished_at = ?, summary = ?, report = NULL, report_gz = ?, wan_address = ?, error_code = NULL, error_message = NULL WHERE id = ? RETURNING ${SCAN_COLUMNS}`,
      [this.now().toISOString(), JSON.stringify(summary), gzipSync(JSON.stringify(report)), facts.wanAddress, id],
    );
    const m = facts.mappings;
    if (m.length > 0) {
      await query(
        db,
        `INSERT INTO scan_mappings (scan_id, ${MAPPING_COLUMNS}) SELECT ?, a, b, c, d, e, f, g, h, i
           FROM unnest(?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::text[], ?::boolean[], ?::bigint[], ?::text[]) WITH ORDINALITY AS t(a, b, c, d, e, f, g, h, i, n) ORDER BY n`,
        [id, m.map((x) => x.gateway), m.map((x) => x.protocol), m.map((x) => x.externalPort), m.map((x) => x.internalClient), m.map((x) => x.internalPort), m.map((x) => x.description), m.map((x) => x.enabled), m.map((x) => x.leaseDuration), m.map((x) => x.remoteHost)],
      );
    }
    const p = facts.wanPorts;
    if (p.length > 0) {
      await query(db, 'INSERT INTO scan_wan_ports (scan_id, port, protocol, state, service) SELECT ?, a, b, c, d FROM unnest(?::int[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(a, b, c, d, n) ORDER BY n', [
        id,
        p.map((x) => x.port),
        p.map((x) => x.protocol),
        p.map((x) => x.state),
        p.map((x) => x.service),
      ]);
    }
    const f = facts.findings;
    if (f.length > 0) {
      await query(db, 'INSERT INTO scan_findings (scan_id, finding_id, rule, severity, title) SELECT ?, a, b, c, d FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(a, b, c, d, n) ORDER BY n', [
        id,
        f.map((x) => x.findingId),
        f.map((x) => x.rule),
        f.map((x) => x.severity),
        f.map((x) => x.title),
      ]);
    }
    const h = facts.hosts;
    if (h.length > 0) {
      await query(db, 'INSERT INTO scan_hosts (scan_id, address, seen_from, model, firmware) SELECT ?, a, b, c, d FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(a, b, c, d, n) ORDER BY n', [
        id,
        h.map((x) => x.address),
        h.map((x) => x.seenFrom),
        h.map((x) => x.model),
        h.map((x) => x.firmware),
      ]);
    }
    return rows[0] as ScanRow;
  }

  async finishScan(id: number, report: ExposureReport): Promise<ScanRecord> {
    validateReport(report);
    return this.transaction(async (db) => {
      const row = await this.requireScan(db, id, true);
      if (row.status !== 'running') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}, not running`);
      return toScan(await this.writeReport(db, id, report));
    });
  }

  failScan(id: number, error: ScanError): Promise<ScanRecord> {
    return this.run(async (db) => {
      const { rows } = await query<ScanRow>(db, `UPDATE scans SET status = 'failed', finished_at = ?, error_code = ?, error_message = ? WHERE id = ? AND status IN ('queued', 'running') RETURNING ${SCAN_COLUMNS}`, [
        this.now().toISOString(),
        error.code.slice(0, LIMITS.errorCode),
        error.message.slice(0, LIMITS.errorMessage),
        id,
      ]);
      if (rows[0]) return toScan(rows[0]);
      const row = await this.requireScan(db, id);
      throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can fail`);
    });
  }

  interruptScan(id: number): Promise<ScanRecord> {
    return this.run(async (db) => {
      await this.interrupt(db, [id]);
      const row = await this.requireScan(db, id);
      if (row.status !== 'interrupted') throw createError('EXP_ERR_SCAN_STATE', `Scan ${id} is ${row.status}; only queued or running scans can be interrupted`);
      return toScan(row);
    });
  }

  async recordScan(report: ExposureReport, input: NewScan): Promise<ScanRecord> {
    validateReport(report);
    return this.transaction(async (db) => {
      const row = await this.insertScan(db, input, await this.siteFor(db, input), 'running', report.startedAt, report.startedAt);
      return toScan(await this.writeReport(db, row.id, report));
    });
  }

  getScan(id: number): Promise<ScanRecord | undefined> {
    return this.run(async (db) => {
      const row = await this.scanRow(db, id);
      return row ? toScan(row) : undefined;
    });
  }

  getReport(id: number): Promise<ExposureReport | undefined> {
    return this.run(async (db) => {
      const row = (await query<{ report: string | null; report_gz: Buffer | null }>(db, 'SELECT report, report_gz FROM scans WHERE id = ?', [id])).rows[0];
      if (row?.report_gz) return JSON.parse(gunzipSync(row.report_gz).toString('utf8')) as ExposureReport;
      return row?.report ? (JSON.parse(row.report) as ExposureReport) : undefined;
    });
  }

  getFacts(id: number): Promise<ScanFacts | undefined> {
    return this.run(async (db) => {
      const row = (await query<{ status: ScanStatus; wan_address: string | null }>(db, 'SELECT status, wan_address FROM scans WHERE id = ?', [id])).rows[0];
      if (row?.status !== 'done') return undefined;
      const [mappings, wanPorts, findings, hosts] = await Promise.all([
        query<MappingRow>(db, `SELECT ${MAPPING_COLUMNS} FROM scan_mappings WHERE scan_id = ? ORDER BY id`, [id]),
        query<ScanFacts['wanPorts'][number]>(db, 'SELECT port, protocol, state, service FROM scan_wan_ports WHERE scan_id = ? ORDER BY id', [id]),
        query<ScanFacts['findings'][number]>(db, 'SELECT finding_id AS "findingId", rule, severity, title FROM scan_findings WHERE scan_id = ? ORDER BY id', [id]),
        query<ScanFacts['hosts'][number]>(db, 'SELECT address, seen_from AS "seenFrom", model, firmware FROM scan_hosts WHERE scan_id = ? ORDER BY id', [id]),
      ]);
      return { mappings: mappings.rows.map(toMapping), wanPorts: wanPorts.rows, findings: findings.rows, hosts: hosts.rows, wanAddress: row.wan_address };
    });
  }

  listScans(query_: ListScansQuery = {}): Promise<Page<ScanRecord>> {
    return this.run(async (db) => {
      const limit = clampLimit(query_.limit, 20);
      const before = query_.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(query_.cursor);
      const conditions = ['id < ?'];
      const parameters: Parameter[] = [before];
      if (query_.status !== undefined) {
        conditions.push('status = ?');
        parameters.push(query_.status);
      }
      if (query_.scheduleId !== undefined) {
        conditions.push('schedule_id = ?');
        parameters.push(query_.scheduleId);
      }
      if (query_.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(query_.site);
      }
      const { rows } = await query<ScanRow>(db, `SELECT ${SCAN_COLUMNS} FROM scans WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...parameters, limit + 1]);
      const items = rows.slice(0, limit).map(toScan);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  latestDone(n: number, filter: LatestDoneQuery = {}): Promise<ScanRecord[]> {
    return this.run(async (db) => {
      const conditions = ["status = 'done'"];
      const parameters: Parameter[] = [];
      if (filter.scheduleId !== undefined) {
        conditions.push('schedule_id = ?');
        parameters.push(filter.scheduleId);
      }
      if (filter.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(filter.site);
      }
      return (await query<ScanRow>(db, `SELECT ${SCAN_COLUMNS} FROM scans WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...parameters, clampLimit(n, 1)])).rows.map(toScan);
    });
  }

  countScansByStatus(site?: string): Promise<Record<ScanStatus, number>> {
    return this.run(async (db) => {
      const counts = Object.fromEntries(SCAN_STATUSES.map((status) => [status, 0])) as Record<ScanStatus, number>;
      const { rows } = site === undefined ? await query<{ status: string; count: number }>(db, 'SELECT status, COUNT(*) AS count FROM scans GROUP BY status') : await query<{ status: string; count: number }>(db, 'SELECT status, COUNT(*) AS count FROM scans WHERE site = ? GROUP BY status', [site]);
      for (const row of rows) if ((SCAN_STATUSES as readonly string[]).includes(row.status)) counts[row.status as ScanStatus] = row.count;
      return counts;
    });
  }

  countScansBySiteAndStatus(): Promise<SiteStatusCount[]> {
    return this.run(async (db) => (await query<SiteStatusCount>(db, 'SELECT site, status, COUNT(*) AS count FROM scans GROUP BY site, status ORDER BY site, status')).rows);
  }

  listSites(): Promise<string[]> {
    return this.run(async (db) => (await query<{ site: string }>(db, 'SELECT site FROM scans UNION SELECT site FROM schedules ORDER BY site LIMIT 1000')).rows.map((row) => row.site));
  }

  markInterrupted(): Promise<number> {
    return this.transaction(async (db) => {
      // SKIP LOCKED: a scan another process is finishing right now is its business, not a dead owner's.
      const { rows } = await query<OwnerRow & { id: number }>(db, 'SELECT id, owner_host, owner_pid, owner_instance, created_at FROM scans WHERE status = ANY(?::text[]) FOR UPDATE SKIP LOCKED', [ACTIVE_STATUSES]);
      const now = this.now();
      return this.interrupt(db, rows.filter((row) => !ownerAlive(row, FOREIGN_OWNERS, now)).map((row) => row.id));
    });
  }

  pruneScans(olderThan: Date): Promise<number> {
    const groups = { schedule: 'schedule_id', site: 'site' } as const;
    const keep = PRUNE_POLICY.keepNewestDoneOf.map((group) => `AND id NOT IN (SELECT MAX(id) FROM scans WHERE status = 'done' GROUP BY ${groups[group]})`).join(' ');
    return this.run(async (db) => (await query(db, `DELETE FROM scans WHERE status = ANY(?::text[]) AND created_at < ? ${keep}`, [PRUNE_POLICY.statuses, pruneCutoff(olderThan)])).rowCount);
  }

  async createSchedule(input: NewSchedule): Promise<Schedule> {
    const values = scheduleValues(input);
    const exists = () => createError('EXP_ERR_SCHEDULE_INVALID', `A schedule named "${values.name}" already exists${values.site === DEFAULT_SITE ? '' : ` in site ${values.site}`}`, { hint: 'Choose another name, or delete the old schedule first.' });
    return this.run(async (db) => {
        const at = this.now().toISOString();
        const { rows } = await query<ScheduleRow>(db, `INSERT INTO schedules (name, site, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, name) DO NOTHING RETURNING ${SCHEDULE_COLUMNS}`, [
          values.name,
          values.site,
          values.cron,
          values.options,
          values.webhooks,
          values.alertOn,
          values.enabled,
          at,
          at,
        ]);
        if (!rows[0]) throw exists();
        return toSchedule(rows[0]);
      });
  }

  async upsertSchedule(input: NewSchedule): Promise<Schedule> {
    const values = scheduleValues(input);
    return this.transaction(async (db) => {
      const at = this.now().toISOString();
      const { rows } = await query<ScheduleRow>(
        db,
        `INSERT INTO schedules (name, site, cron, options, webhooks, alert_on, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (site, name) DO UPDATE SET cron = excluded.cron, options = excluded.options, webhooks = excluded.webhooks, alert_on = excluded.alert_on, enabled = excluded.enabled, updated_at = excluded.updated_at
         RETURNING ${SCHEDULE_COLUMNS}`,
        [values.name, values.site, values.cron, values.options, values.webhooks, values.alertOn, values.enabled, at, at],
      );
      const schedule = toSchedule(rows[0] as ScheduleRow);
      await this.abandonScheduleAlerts(db, schedule.id, schedule.webhooks, ABANDON_REASON.webhookRemoved(schedule.name), at);
      return schedule;
    });
  }

  private async abandonScheduleAlerts(db: Queryable, scheduleId: number, keep: readonly string[], reason: string, at: string): Promise<number> {
    return (await query(db, "UPDATE alerts SET status = 'abandoned', abandoned_at = ?, last_error = ? WHERE status = 'pending' AND schedule_id = ? AND NOT (webhook = ANY(?::text[]))", [at, reason, scheduleId, keep])).rowCount;
  }

  listSchedules(filter: ListSchedulesQuery = {}): Promise<Schedule[]> {
    return this.run(async (db) =>
      (filter.site === undefined ? await query<ScheduleRow>(db, `SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY id`) : await query<ScheduleRow>(db, `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE site = ? ORDER BY id`, [filter.site])).rows.map(toSchedule),
    );
  }

  getSchedule(id: number): Promise<Schedule | undefined> {
    return this.run(async (db) => {
      const row = await this.scheduleRow(db, id);
      return row ? toSchedule(row) : undefined;
    });
  }

  getScheduleByName(name: string, site: string = DEFAULT_SITE): Promise<Schedule | undefined> {
    return this.run(async (db) => {
      const row = (await query<ScheduleRow>(db, `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE site = ? AND name = ?`, [site, name])).rows[0];
      return row ? toSchedule(row) : undefined;
    });
  }

  deleteSchedule(id: number): Promise<boolean> {
    return this.transaction(async (db) => {
      const row = await this.scheduleRow(db, id, true);
      if (!row) return false;
      await this.abandonScheduleAlerts(db, id, [], ABANDON_REASON.scheduleDeleted(row.name), this.now().toISOString());
      return (await query(db, 'DELETE FROM schedules WHERE id = ?', [id])).rowCount > 0;
    });
  }

  enqueueAlert(alert: NewAlert): Promise<boolean> {
    return this.run(async (db) => {
      const at = this.now().toISOString();
      const { rowCount } = await query(
        db,
        "INSERT INTO alerts (dedupe_key, webhook, site, schedule_id, from_scan_id, to_scan_id, body, status, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        [alert.dedupeKey, alert.webhook, siteOrDefault(alert.site, 'site'), alert.scheduleId, alert.fromScanId, alert.toScanId, alert.body, at, at],
      );
      return rowCount > 0;
    });
  }

  dueAlerts(now: Date, limit: number): Promise<AlertDelivery[]> {
    return this.run(async (db) => (await query<AlertRow>(db, `SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, [now.toISOString(), clampLimit(limit, 1, 1000)])).rows.map(toAlert));
  }

  claimDueAlerts(now: Date, leaseMs: number, limit: number): Promise<AlertDelivery[]> {
    const until = new Date(now.getTime() + Math.max(0, leaseMs)).toISOString();
    // SKIP LOCKED: two senders claiming at once get disjoint alerts instead of waiting for each other. The rows
    // are returned as they were before the claim.
    return this.run(async (db) =>
      (
        await query<AlertRow>(
          db,
          `WITH due AS (SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED),
                claimed AS (UPDATE alerts SET next_attempt_at = ? FROM due WHERE alerts.id = due.id)
           SELECT * FROM due ORDER BY id`,
          [now.toISOString(), clampLimit(limit, 1, 1000), until],
        )
      ).rows.map(toAlert),
    );
  }

  markAlertDelivered(id: number, at: Date): Promise<void> {
    return this.run(async (db) => {
      await query(db, "UPDATE alerts SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?", [at.toISOString(), id]);
    });
  }

  markAlertFailed(id: number, error: string, nextAttemptAt: Date): Promise<void> {
    // Only while pending: an alert abandoned during its send keeps the reason it was abandoned for.
    return this.run(async (db) => {
      await query(db, "UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'", [error.slice(0, LIMITS.alertError), nextAttemptAt.toISOString(), id]);
    });
  }

  markAlertAbandoned(id: number, error: string, at: Date): Promise<void> {
    return this.run(async (db) => {
      await query(db, "UPDATE alerts SET status = 'abandoned', attempts = attempts + 1, last_error = ?, abandoned_at = ? WHERE id = ? AND status = 'pending'", [error.slice(0, LIMITS.alertError), at.toISOString(), id]);
    });
  }

  rescheduleAlerts(webhook: string, at: Date): Promise<number> {
    return this.run(async (db) => (await query(db, "UPDATE alerts SET next_attempt_at = ? WHERE status = 'pending' AND webhook = ? AND next_attempt_at > ?", [at.toISOString(), webhook, at.toISOString()])).rowCount);
  }

  hasAlertFor(toScanId: number): Promise<boolean> {
    return this.run(async (db) => (await query(db, 'SELECT 1 FROM alerts WHERE to_scan_id = ? LIMIT 1', [toScanId])).rows.length > 0);
  }

  listAlerts(filter: ListAlertsQuery = {}): Promise<AlertDelivery[]> {
    return this.run(async (db) => {
      const conditions: string[] = [];
      const parameters: Parameter[] = [];
      if (filter.status !== undefined) {
        conditions.push('status = ?');
        parameters.push(filter.status);
      }
      if (filter.site !== undefined) {
        conditions.push('site = ?');
        parameters.push(filter.site);
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      return (await query<AlertRow>(db, `SELECT ${ALERT_COLUMNS} FROM alerts ${where} ORDER BY id DESC LIMIT ?`, [...parameters, clampLimit(filter.limit, 50)])).rows.map(toAlert);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
