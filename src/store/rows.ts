/**
 * Rows as both databases return them (same column names in both dialects), and their mapping to the store's
 * types. Differences the drivers leave are absorbed here: SQLite gives 0/1 for booleans, PostgreSQL true/false.
 */
import { validateAlertOn } from '../schedule/validate.js';
import type { OwnerRow } from './policy.js';
import type { AlertDelivery, ScanFacts, ScanRecord, ScanStatus, Schedule, StoredScanOptions } from './types.js';

export interface ScanRow extends OwnerRow {
  id: number;
  site: string;
  status: ScanStatus;
  trigger: ScanRecord['trigger'];
  schedule_id: number | null;
  options: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
  summary: string | null;
}

export interface ScheduleRow {
  id: number;
  name: string;
  site: string;
  cron: string;
  options: string;
  webhooks: string;
  alert_on: string;
  enabled: number | boolean;
  created_at: string;
  updated_at: string;
}

export interface AlertRow {
  id: number;
  dedupe_key: string;
  webhook: string;
  site: string;
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

export interface MappingRow {
  gateway: string;
  protocol: 'TCP' | 'UDP';
  external_port: number;
  internal_client: string;
  internal_port: number;
  description: string;
  enabled: number | boolean;
  lease_duration: number;
  remote_host: string;
}

export const SCAN_COLUMNS = 'id, site, status, trigger, schedule_id, options, created_at, started_at, finished_at, owner_host, owner_pid, owner_instance, error_code, error_message, summary';
export const SCHEDULE_COLUMNS = 'id, name, site, cron, options, webhooks, alert_on, enabled, created_at, updated_at';
export const ALERT_COLUMNS = 'id, dedupe_key, webhook, site, schedule_id, from_scan_id, to_scan_id, body, status, attempts, created_at, next_attempt_at, delivered_at, last_error, abandoned_at';
export const MAPPING_COLUMNS = 'gateway, protocol, external_port, internal_client, internal_port, description, enabled, lease_duration, remote_host';

export function toScan(row: ScanRow): ScanRecord {
  return {
    id: row.id,
    site: row.site,
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

export function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    name: row.name,
    site: row.site,
    cron: row.cron,
    options: JSON.parse(row.options) as StoredScanOptions,
    webhooks: JSON.parse(row.webhooks) as string[],
    alertOn: validateAlertOn(row.alert_on),
    enabled: row.enabled === 1 || row.enabled === true,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAlert(row: AlertRow): AlertDelivery {
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    webhook: row.webhook,
    site: row.site,
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

export function toMapping(m: MappingRow): ScanFacts['mappings'][number] {
  return { gateway: m.gateway, protocol: m.protocol, externalPort: m.external_port, internalClient: m.internal_client, internalPort: m.internal_port, description: m.description, enabled: m.enabled === 1 || m.enabled === true, leaseDuration: m.lease_duration, remoteHost: m.remote_host };
}
