import { isPostgresUrl } from './location.js';
import type { HistoryStore, OpenStoreOptions } from './types.js';

/**
 * Opens the history the --db value names: a postgres:// or postgresql:// URL opens PostgreSQL, anything else is a
 * SQLite file (default: the XDG data dir). Each driver is loaded only when used, so a command that opens SQLite
 * never loads pg, and the reverse.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<HistoryStore> {
  if (options.file !== undefined && isPostgresUrl(options.file)) {
    const { openPostgresStore } = await import('./postgres-store.js');
    return openPostgresStore(options.file, options);
  }
  const { openSqliteStore } = await import('./sqlite-store.js');
  return openSqliteStore(options);
}
