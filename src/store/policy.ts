/**
 * The history's domain rules, used by every store (SQLite and PostgreSQL) so that they cannot drift: what
 * pruning keeps, when a scan's owner counts as gone and a schedule is busy, what a schedule must be, how list
 * pages are cut. (Which scans a diff compares is src/diff/service.ts's diffPair, on the store's latestDone.) The store classes only read and write rows; the contract suite (test/store/contract.ts)
 * checks both against these rules.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createError } from '../core/errors.js';
import { validateAlertOn, validateCron, validateScheduleName, validateWebhook } from '../schedule/validate.js';
import { siteOrDefault } from './site.js';
import type { NewSchedule, ScanStatus, StoredScanOptions } from './types.js';

/** A scan that may still change: never pruned, and what makes a schedule busy. */
export const ACTIVE_STATUSES: readonly ScanStatus[] = ['queued', 'running'];

/**
 * Pruning deletes finished scans older than the cut-off, but always keeps the newest done scan of each group
 * named here, so the next diff (of a schedule, or of a site) has something to compare with. Running and queued
 * scans are never pruned.
 */
export const PRUNE_POLICY = {
  statuses: ['done', 'failed', 'interrupted'] as readonly ScanStatus[],
  keepNewestDoneOf: ['schedule', 'site'] as const,
};
export type PruneGroup = (typeof PRUNE_POLICY.keepNewestDoneOf)[number];

/** The cut-off as stored (ISO 8601 text sorts as time). */
export function pruneCutoff(olderThan: Date): string {
  return olderThan.toISOString();
}

/** This process, as an owner of scans: host and pid to test liveness, instance to tell us from an earlier process with our pid (pid 1 in a container). */
export interface Owner {
  host: string;
  pid: number;
  instance: string;
}
export const THIS_PROCESS: Owner = { host: hostname(), pid: process.pid, instance: randomUUID() };

export interface OwnerRow {
  owner_host: string | null;
  owner_pid: number | null;
  owner_instance: string | null;
  created_at: string;
}

/**
 * What "another host" means for a store. SQLite: a file on one machine, where a different host name is an earlier
 * container or a renamed machine, so its scans are gone. PostgreSQL: watchers on several machines share the
 * database, and this process cannot see another host's processes, so their scans count as live until they are
 * older than the longest a scan may run.
 */
export type ForeignOwners = 'gone' | { staleAfterMs: number };

/** A scan owned by a process on another machine is taken for dead after this long (PostgreSQL). */
export const FOREIGN_OWNER_STALE_MS = 6 * 3600 * 1000;

/** Is the process that owns a scan still there? */
export function ownerAlive(row: OwnerRow, foreign: ForeignOwners, now: Date, self: Owner = THIS_PROCESS): boolean {
  if (row.owner_instance === self.instance) return true;
  if (row.owner_host !== self.host) {
    if (foreign === 'gone' || row.owner_host === null) return false;
    return now.getTime() - Date.parse(row.created_at) < foreign.staleAfterMs;
  }
  if (row.owner_pid === null || row.owner_pid === self.pid) return false;
  try {
    process.kill(row.owner_pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Before a scheduled scan is queued: a live owner's queued or running scan of the schedule makes it busy
 * (EXP_ERR_SCHEDULE_BUSY); a dead owner's is interrupted first.
 */
export function scheduleBusy(scheduleId: number, active: readonly (OwnerRow & { id: number })[], foreign: ForeignOwners, now: Date): { interrupt: number[] } {
  const interrupt: number[] = [];
  for (const row of active) {
    if (ownerAlive(row, foreign, now)) throw createError('EXP_ERR_SCHEDULE_BUSY', `Scan ${row.id} of schedule ${scheduleId} is still queued or running; this run is skipped`);
    interrupt.push(row.id);
  }
  return { interrupt };
}

export const INTERRUPTED_MESSAGE = 'The process running this scan stopped before it finished (crash, kill or restart)';

/** Never pass user-supplied options' secrets or callbacks to the database. */
export function storableOptions(options: StoredScanOptions & { vantageToken?: unknown; onProgress?: unknown }): StoredScanOptions {
  const rest: StoredScanOptions & { vantageToken?: unknown; onProgress?: unknown } = { ...options };
  delete rest.vantageToken;
  delete rest.onProgress;
  return rest;
}

/** A schedule as stored: validated, webhooks de-duplicated, options without secrets. Throws EXP_ERR_SCHEDULE_INVALID. */
export function scheduleValues(input: NewSchedule): { name: string; site: string; cron: string; options: string; webhooks: string; webhookList: string[]; alertOn: string; enabled: boolean } {
  const webhookList = [...new Set((input.webhooks ?? []).map(validateWebhook))];
  return {
    name: validateScheduleName(input.name),
    site: siteOrDefault(input.site, 'site'),
    cron: validateCron(input.cron),
    options: JSON.stringify(storableOptions(input.options)),
    webhooks: JSON.stringify(webhookList),
    webhookList,
    alertOn: validateAlertOn(input.alertOn ?? 'new-exposure'),
    enabled: input.enabled !== false,
  };
}

/** Why pending alerts stop being tried when their schedule changes. */
export const ABANDON_REASON = {
  webhookRemoved: (schedule: string) => `the webhook was removed from schedule "${schedule}"`,
  scheduleDeleted: (schedule: string) => `schedule "${schedule}" was deleted`,
};

/** Stored error texts are bounded: a hostile receiver's or device's words never grow a row without limit. */
export const LIMITS = { errorCode: 100, errorMessage: 2000, alertError: 500 } as const;

export function clampLimit(raw: number | undefined, fallback: number, max = 500): number {
  return Math.min(max, Math.max(1, Math.trunc(raw ?? fallback)));
}

/** Pages are cut by id (newest first): a cursor names the last id seen, so new scans never shift a page. */
export function encodeCursor(id: number): string {
  return Buffer.from(`scan:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^scan:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw createError('EXP_ERR_DB_CURSOR', 'The cursor is not one this history gave out', { hint: 'Start from the first page and follow nextCursor.' });
  return Number(match[1]);
}
