import type { AlertOn, HistoryStore } from '../../store/types.js';
import type { ScanQueue } from './scan-queue.js';

/**
 * What the routes share, in a module of its own: the routes import this, never app.ts, so app.ts (which
 * registers them) and the routes form no import cycle.
 */

/** The vantage agent the server may use; a request can only say yes or no to it, never name another. */
export interface ServerVantage {
  url: string;
  /** --vantage6: the same agent over IPv6, for the IPv6 outside view (default: url, when its host has an IPv6 address). */
  url6?: string;
  token: string;
  /** --vantage-ca: a PEM file the agent's certificate is verified against instead of the system CAs. */
  ca?: string;
  /** --vantage-pin: SPKI pins (sha256/BASE64, ';'-separated) that trust the agent's key itself. */
  pin?: string;
}

export interface ApiContext {
  store: HistoryStore;
  queue: ScanQueue;
  vantage: ServerVantage | undefined;
  onSchedulesChanged: () => void;
  /** site: the server's own (exposure serve --site), given to scans and schedules created over the API. */
  scheduleDefaults: { webhooks?: string[]; alertOn?: AlertOn; site?: string };
}
