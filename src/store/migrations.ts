import type { Database } from 'better-sqlite3';
import { createError } from '../core/errors.js';

/**
 * The schema, as an ordered list: migration i (1-based) takes PRAGMA user_version from i-1 to i. Never edit a
 * released migration; append a new one. Each runs in its own transaction with its user_version bump, so a crash
 * mid-upgrade leaves the file at the previous version, never half-migrated.
 */
const MIGRATIONS: readonly string[] = [
  // 1: scans (the report whole, plus a summary for lists), their indexed facts, and schedules.
  `
  CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    cron TEXT NOT NULL,
    options TEXT NOT NULL,
    webhooks TEXT NOT NULL DEFAULT '[]',
    alert_on TEXT NOT NULL DEFAULT 'new-exposure',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted')),
    trigger TEXT NOT NULL CHECK (trigger IN ('cli', 'api', 'schedule')),
    schedule_id INTEGER REFERENCES schedules(id) ON DELETE SET NULL,
    options TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    owner_host TEXT,
    owner_pid INTEGER,
    owner_instance TEXT,
    error_code TEXT,
    error_message TEXT,
    summary TEXT,
    report TEXT
  );
  CREATE INDEX scans_status ON scans(status, id);
  CREATE INDEX scans_schedule ON scans(schedule_id, status, id);
  CREATE TABLE scan_mappings (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    gateway TEXT NOT NULL,
    protocol TEXT NOT NULL,
    external_port INTEGER NOT NULL,
    internal_client TEXT NOT NULL,
    internal_port INTEGER NOT NULL,
    description TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    lease_duration INTEGER NOT NULL,
    remote_host TEXT NOT NULL
  );
  CREATE INDEX scan_mappings_scan ON scan_mappings(scan_id);
  CREATE INDEX scan_mappings_port ON scan_mappings(protocol, external_port);
  CREATE TABLE scan_wan_ports (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    port INTEGER NOT NULL,
    protocol TEXT NOT NULL,
    state TEXT NOT NULL,
    service TEXT
  );
  CREATE INDEX scan_wan_ports_scan ON scan_wan_ports(scan_id);
  CREATE TABLE scan_findings (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    finding_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL
  );
  CREATE INDEX scan_findings_scan ON scan_findings(scan_id);
  CREATE INDEX scan_findings_id ON scan_findings(finding_id);
  CREATE TABLE scan_hosts (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    seen_from TEXT NOT NULL,
    model TEXT,
    firmware TEXT
  );
  CREATE INDEX scan_hosts_scan ON scan_hosts(scan_id);
  `,
  // 2: the alert outbox: a delivery is written before it is tried, so a crash or a receiver that is down
  // loses nothing; dedupe_key makes "the same change to the same webhook" a single row forever.
  `
  ALTER TABLE scans ADD COLUMN wan_address TEXT;
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    webhook TEXT NOT NULL,
    schedule_id INTEGER,
    from_scan_id INTEGER NOT NULL,
    to_scan_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT
  );
  CREATE INDEX alerts_due ON alerts(status, next_attempt_at);
  `,
  // 3: reports gzip-compressed (a 10 KiB report becomes 2.5 KiB; bench/history-store.ts). Older rows keep
  // their text report; getReport reads either. Plus an index for pruning by age.
  `
  ALTER TABLE scans ADD COLUMN report_gz BLOB;
  CREATE INDEX scans_created ON scans(created_at);
  `,
  // 4: an alert can be abandoned: its webhook left the schedule, the schedule was deleted, or it stayed
  // undeliverable past the outbox's limit. SQLite cannot change a CHECK constraint, so the table is rebuilt.
  `
  CREATE TABLE alerts_v4 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    webhook TEXT NOT NULL,
    schedule_id INTEGER,
    from_scan_id INTEGER NOT NULL,
    to_scan_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'abandoned')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT,
    abandoned_at TEXT
  );
  INSERT INTO alerts_v4 (id, dedupe_key, webhook, schedule_id, from_scan_id, to_scan_id, body, status, attempts, created_at, next_attempt_at, delivered_at, last_error)
    SELECT id, dedupe_key, webhook, schedule_id, from_scan_id, to_scan_id, body, status, attempts, created_at, next_attempt_at, delivered_at, last_error FROM alerts;
  DROP TABLE alerts;
  ALTER TABLE alerts_v4 RENAME TO alerts;
  CREATE INDEX alerts_due ON alerts(status, next_attempt_at);
  CREATE INDEX alerts_schedule ON alerts(schedule_id, status);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to `target` (default: the newest). Refuses a file newer than this program knows. */
export function migrate(db: Database, file: string, target = SCHEMA_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw createError('EXP_ERR_DB_VERSION', `${file} is at schema version ${current}; this exposure-scanner knows up to ${SCHEMA_VERSION}`, {
      hint: 'Upgrade exposure-scanner, or use another file with --db.',
    });
  }
  for (let version = current + 1; version <= target; version++) {
    const sql = MIGRATIONS[version - 1];
    if (sql === undefined) break;
    // IMMEDIATE: two processes opening an old file at once must not both run the same migration.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= version) return;
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
