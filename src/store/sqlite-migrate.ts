import type { Database } from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, SCHEMA_VERSION_TABLE, newerSchemaError } from './migrations.js';

/**
 * Brings a SQLite file to `target` (default: the newest) with the shared list (src/store/migrations.ts). PRAGMA
 * user_version stays the version older programs read; schema_version logs each step. Refuses a file newer than
 * this program knows, and leaves it untouched.
 */
export function migrate(db: Database, file: string, target = SCHEMA_VERSION): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw newerSchemaError(file, current);
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction: switched around it.
    if (step.sqliteForeignKeysOff) db.pragma('foreign_keys = OFF');
    try {
      // IMMEDIATE: two processes opening an old file at once must not both run the same step.
      db.transaction(() => {
        if ((db.pragma('user_version', { simple: true }) as number) >= step.version) return;
        db.exec(SCHEMA_VERSION_TABLE.sqlite);
        db.exec(step.sqlite);
        if (step.sqliteForeignKeysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${step.version} would break ${broken.length} foreign key(s)`);
        }
        // Steps applied before the log existed are recorded without a time.
        const log = db.prepare('INSERT OR IGNORE INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
        for (const earlier of MIGRATIONS) if (earlier.version < step.version) log.run(earlier.version, earlier.name, null);
        log.run(step.version, step.name, new Date().toISOString());
        db.pragma(`user_version = ${step.version}`);
      }).immediate();
    } finally {
      if (step.sqliteForeignKeysOff) db.pragma('foreign_keys = ON');
    }
  }
  return db.pragma('user_version', { simple: true }) as number;
}
