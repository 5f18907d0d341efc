import type { Pool } from 'pg';
import { MIGRATIONS, SCHEMA_VERSION, SCHEMA_VERSION_TABLE, newerSchemaError } from './migrations.js';

/** Any fixed number: the advisory lock that makes two watchers starting at once migrate one after the other. */
const MIGRATION_LOCK = 0x65787073; // "exps"

/**
 * Brings a PostgreSQL database to `target` (default: the newest) with the shared list (src/store/migrations.ts).
 * Each step runs in one transaction (PostgreSQL's DDL is transactional) under a transaction-level advisory lock,
 * and is recorded in schema_version. Refuses a database newer than this program knows, and changes nothing then.
 */
export async function migratePostgres(pool: Pool, where: string, target = SCHEMA_VERSION): Promise<number> {
  const client = await pool.connect();
  try {
    let current = 0;
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const exists = await client.query<{ present: boolean }>("SELECT to_regclass('schema_version') IS NOT NULL AS present");
        current = exists.rows[0]?.present ? ((await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version')).rows[0]?.version ?? 0) : 0;
        if (current > SCHEMA_VERSION) throw newerSchemaError(where, current);
        const step = MIGRATIONS.find((candidate) => candidate.version === current + 1);
        if (!step || step.version > target) {
          await client.query('COMMIT');
          return current;
        }
        await client.query(SCHEMA_VERSION_TABLE.postgres);
        await client.query(step.postgres);
        await client.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [step.version, step.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  } finally {
    client.release();
  }
}
