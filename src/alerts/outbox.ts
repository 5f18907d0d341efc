import { TOOL_VERSION } from '../version.js';
import type { ReportDiff } from '../diff/types.js';
import { systemClock, type Clock } from '../schedule/clock.js';
import type { AlertDelivery, AlertOn, HistoryStore, ScanSummary } from '../store/types.js';
import { matchesFilter } from './filter.js';
import { buildPayload, type AlertKind } from './payload.js';
import { checkStoredPayload } from './payload-validator.js';

export interface AlertTargets {
  webhooks: readonly string[];
  alertOn: AlertOn;
  schedule: { id: number; name: string } | null;
  /** The site the alerts are about (default: the store's default site). */
  site?: string;
}

/**
 * Writes one outbox row per webhook for the changes that pass the filter, before anything is sent: a receiver
 * that is down, or this process dying, loses nothing. The dedupe key makes a repeat (a restart re-diffing the
 * same two scans) a no-op. Returns how many rows were new.
 */
export async function queueAlerts(store: HistoryStore, targets: AlertTargets, diff: ReportDiff, summary: ScanSummary | null, kind: AlertKind = 'changes'): Promise<number> {
  const toScanId = diff.to.scanId;
  // A baseline has no scan before it; its row names the scan on both sides.
  const fromScanId = kind === 'baseline' ? toScanId : diff.from.scanId;
  if (fromScanId === null || toScanId === null) return 0;
  const matched = diff.changes.filter((change) => matchesFilter(change, targets.alertOn));
  // The baseline is sent even when nothing passes the filter: starting to monitor always says where you stand.
  if (matched.length === 0 && kind === 'changes') return 0;
  let queued = 0;
  for (const webhook of targets.webhooks) {
    const payload = buildPayload({ webhook, diff, matched, alertOn: targets.alertOn, schedule: targets.schedule, summary, kind, ...(targets.site !== undefined ? { site: targets.site } : {}) });
    if (await store.enqueueAlert({ dedupeKey: payload.id, webhook, scheduleId: targets.schedule?.id ?? null, fromScanId, toScanId, body: JSON.stringify(payload), ...(targets.site !== undefined ? { site: targets.site } : {}) })) queued++;
  }
  return queued;
}

export interface OutboxOptions {
  store: HistoryStore;
  /** Per delivery: connect, send, and the status line (default 10 s). */
  timeoutMs?: number;
  /** First retry after this, doubling per failure up to retryMaxMs (defaults 30 s and 10 min), ±20 % jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often the outbox looks for due retries (default 5 s). */
  pollMs?: number;
  /**
   * An alert still undelivered this long after it was queued is abandoned at its next failure (default 7 days):
   * a change that old is news no more, and a receiver gone for good must not be tried forever.
   */
  maxAgeMs?: number;
  log?: (line: string) => void;
  /** Time and timers (default the system clock); tests pass a fake one. The store has its own. */
  clock?: Clock;
}

export interface Outbox {
  /** Look for due alerts now (after queueing some). */
  kick(): void;
  /** Resolves when the current delivery round (if any) is over. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

function describeAge(ms: number): string {
  const hours = ms / 3_600_000;
  const [count, unit] = hours >= 48 ? [Math.round(hours / 24), 'day'] : hours >= 1 ? [Math.round(hours), 'hour'] : [Math.max(1, Math.round(ms / 60_000)), 'minute'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Only the origin is logged: a webhook's path often is its secret (Slack, Home Assistant). */
export function webhookOrigin(webhook: string): string {
  try {
    return new URL(webhook).origin;
  } catch {
    return '(invalid URL)';
  }
}

async function send(alert: AlertDelivery, timeoutMs: number, clock: Clock): Promise<void> {
  // AbortSignal.timeout() without its private timer: the time limit runs on the outbox's clock.
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new DOMException(`no answer in ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  try {
    const response = await fetch(alert.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `exposure-scanner/${TOOL_VERSION}`, 'idempotency-key': alert.dedupeKey },
      body: alert.body,
      // A redirect is not followed: the body would go to a host the owner did not name.
      redirect: 'manual',
      signal: controller.signal,
    });
    // The answer is not needed; not reading it keeps a hostile receiver from making us buffer anything.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Delivers queued alerts in the background; never awaited by a scan. */
export function startOutbox(options: OutboxOptions): Outbox {
  const { store } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const retryMaxMs = Math.max(retryBaseMs, options.retryMaxMs ?? 600_000);
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const now = (): Date => new Date(clock.now());
  let round: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function deliverDue(): Promise<void> {
    do {
      again = false;
      let due: AlertDelivery[];
      try {
        // Lease: long enough for one send; a crash mid-send leaves the alert due again afterwards.
        due = await store.claimDueAlerts(now(), timeoutMs * 2 + 1000, 20);
      } catch (error) {
        log(`exposure: alert outbox: ${(error as Error).message}`);
        return;
      }
      for (const alert of due) {
        if (stopped) return;
        // A body that breaks the published contract is never sent, and never retried (it would fail again).
        const invalid = checkStoredPayload(alert, webhookOrigin(alert.webhook));
        if (invalid) {
          try {
            await store.markAlertAbandoned(alert.id, `${invalid.code}: ${invalid.message}`, now());
          } catch {
            // The lease expires by itself; the body is checked again then.
          }
          log(`exposure: ${invalid.code}: ${invalid.message}`);
          continue;
        }
        try {
          await send(alert, timeoutMs, clock);
          await store.markAlertDelivered(alert.id, now());
          log(`exposure: alert ${alert.id} delivered to ${webhookOrigin(alert.webhook)}`);
          // The receiver is back: its backlog goes now, not at each alert's own backoff time.
          if ((await store.rescheduleAlerts(alert.webhook, now())) > 0) again = true;
        } catch (error) {
          const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : error.cause instanceof Error ? error.cause.message : error.message) : String(error);
          const where = `alert ${alert.id} to ${webhookOrigin(alert.webhook)}`;
          const age = clock.now() - Date.parse(alert.createdAt);
          if (age >= maxAgeMs) {
            const attempts = alert.attempts + 1;
            const gaveUp = `${reason}; abandoned after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${describeAge(age)}`;
            try {
              await store.markAlertAbandoned(alert.id, gaveUp, now());
            } catch {
              // The lease expires by itself; the alert is abandoned at its next failure.
            }
            log(`exposure: EXP_ERR_WEBHOOK: ${where} failed: ${gaveUp} (see "exposure alerts")`);
            continue;
          }
          const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(alert.attempts, 20)) * (0.8 + Math.random() * 0.4);
          const next = new Date(clock.now() + delay);
          try {
            await store.markAlertFailed(alert.id, reason, next);
          } catch {
            // The lease expires by itself; the alert is retried then.
          }
          log(`exposure: EXP_ERR_WEBHOOK: ${where} failed (attempt ${alert.attempts + 1}): ${reason}; retry at ${next.toISOString()}`);
        }
      }
      if (due.length === 20) again = true;
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (round) {
      again = true;
      return;
    }
    round = deliverDue().finally(() => {
      round = undefined;
      // A kick that came after the round's last look (its loop had ended, its promise not yet settled) is not
      // lost until the next poll.
      if (again) kick();
    });
  }

  const timer = clock.setInterval(kick, options.pollMs ?? 5000);
  kick();
  return {
    kick,
    idle: async () => {
      while (round) await round;
    },
    stop: async () => {
      stopped = true;
      clock.clearInterval(timer);
      if (round) await round;
    },
  };
}
