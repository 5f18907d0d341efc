import path from 'node:path';
import { createError, isExposureError } from '../core/errors.js';
import { defaultDbFile, openStore } from '../store/index.js';
import type { HistoryStore } from '../store/types.js';

/**
 * Checks made before a scan touches the network: an option that can only fail is refused in milliseconds, not
 * after a full scan. Each says what to do. Nothing here creates anything that outlives the check.
 * The --output and engine checks live in their own files so that `exposure scan` can use them without loading the
 * SQLite driver, which this file's openHistory needs; they are re-exported here for the commands that open a store.
 */
export * from './output-file.js';
export * from './engine-check.js';

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** A fix-it hint for the history database's failures, from the underlying error's code. */
function dbHint(file: string, cause: unknown): string | undefined {
  const folder = path.dirname(file);
  switch (errnoOf(cause)) {
    case 'SQLITE_NOTADB':
      return `${file} is not an exposure-scanner history database (not SQLite, or damaged); it is left untouched. Pass another file with --db, or move this one away.`;
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `This user cannot write ${file} or its folder ${folder}: choose another file with --db, or fix the permissions (ls -ld ${folder}).`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `A part of the path ${folder} is a file, not a folder: check the path given with --db.`;
    case 'EISDIR':
      return `${file} is a folder: give a file inside it, e.g. --db ${path.join(file, 'history.db')}.`;
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `The disk holding ${folder} is full: free some space or choose a file on another disk with --db.`;
    default:
      return undefined;
  }
}

/**
 * openStore with a hint that names the cause (not a database, no permission, a file where a folder should be).
 * Every command opens its database before any other work, so these are found before a scan or a schedule starts.
 */
export async function openHistory(file: string | undefined): Promise<HistoryStore> {
  try {
    return await openStore(file === undefined ? {} : { file });
  } catch (error) {
    if (!isExposureError(error, 'EXP_ERR_DB_OPEN')) throw error;
    const hint = dbHint(path.resolve(file ?? defaultDbFile()), error.cause);
    if (hint === undefined) throw error;
    throw createError('EXP_ERR_DB_OPEN', error.message, { hint, cause: error.cause });
  }
}
