import { terminalSafe } from '../report/sanitize.js';
import { textTable } from '../report/text-table.js';
import type { AlertDelivery, Schedule } from '../store/types.js';
import { webhookOrigin } from './outbox.js';

/** An outbox row as `exposure alerts` and the API show it: the webhook by origin only, its path is often a secret. */
export interface AlertView {
  id: number;
  site: string;
  status: AlertDelivery['status'];
  webhookOrigin: string;
  scheduleId: number | null;
  /** The schedule's name, while the schedule exists. */
  schedule: string | null;
  fromScanId: number;
  toScanId: number;
  attempts: number;
  createdAt: string;
  /** When a pending alert is tried next. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  abandonedAt: string | null;
  lastError: string | null;
}

export function alertView(alert: AlertDelivery, schedules: readonly Schedule[]): AlertView {
  return {
    id: alert.id,
    site: alert.site,
    status: alert.status,
    webhookOrigin: webhookOrigin(alert.webhook),
    scheduleId: alert.scheduleId,
    schedule: schedules.find((schedule) => schedule.id === alert.scheduleId)?.name ?? null,
    fromScanId: alert.fromScanId,
    toScanId: alert.toScanId,
    attempts: alert.attempts,
    createdAt: alert.createdAt,
    nextAttemptAt: alert.status === 'pending' ? alert.nextAttemptAt : null,
    deliveredAt: alert.deliveredAt,
    abandonedAt: alert.abandonedAt,
    lastError: alert.lastError,
  };
}

export function renderAlertsText(alerts: readonly AlertView[]): string {
  if (alerts.length === 0) return 'No alerts. Alerts are queued by "exposure watch" and "exposure serve" schedules that have webhooks.\n';
  const rows = [['ID', 'STATUS', 'QUEUED', 'SCHEDULE', 'WEBHOOK', 'SCANS', 'TRIES', 'NEXT / DONE', 'LAST ERROR']];
  for (const alert of alerts) {
    rows.push([
      String(alert.id),
      alert.status,
      alert.createdAt,
      alert.schedule === null ? (alert.scheduleId === null ? '-' : `#${alert.scheduleId} (deleted)`) : terminalSafe(alert.schedule),
      terminalSafe(alert.webhookOrigin),
      `${alert.fromScanId} -> ${alert.toScanId}`,
      String(alert.attempts),
      alert.nextAttemptAt ?? alert.deliveredAt ?? alert.abandonedAt ?? '-',
      terminalSafe(alert.lastError ?? ''),
    ]);
  }
  return `${textTable(rows).join('\n')}\n`;
}
