import { createError } from '../../core/errors.js';
import type { ScanOptions } from '../../core/options.js';
import type { ScanService } from '../../scan/service.js';
import type { HistoryStore, ScanRecord } from '../../store/types.js';

/** Why a scan was stopped when the server closes: recorded as "interrupted", not as a failure of the scan. */
const SHUTDOWN = createError('EXP_ERR_ABORTED', 'The scan was interrupted: the server shut down');

/**
 * The API's scans: each goes through the scan service (one limit shared with the scheduler in exposure serve,
 * one lifecycle, one set of error codes) under an AbortController of its own, which closing the API aborts.
 */
export class ScanQueue {
  readonly #service: ScanService;
  readonly #store: HistoryStore;
  readonly #scans = new Map<AbortController, Promise<unknown>>();
  #closed = false;

  constructor(options: { service: ScanService; store: HistoryStore }) {
    this.#service = options.service;
    this.#store = options.store;
  }

  /** Scans waiting for their turn in this process (the API's and, in exposure serve, the scheduler's). */
  get waiting(): number {
    return this.#service.limiter.waiting;
  }

  get running(): number {
    return this.#service.limiter.running;
  }

  /**
   * Records the scan as queued (under `site`, default the store's) and runs it in the background. Refused with EXP_ERR_API_BUSY, before anything is
   * recorded, when as many scans wait as the limit allows or the server is closing.
   */
  async submit(options: ScanOptions, site?: string): Promise<ScanRecord> {
    if (this.#isClosed()) throw createError('EXP_ERR_API_BUSY', 'The server is shutting down');
    const controller = new AbortController();
    const started = await this.#service.start({ options, signal: controller.signal, record: { store: this.#store, trigger: 'api', site } });
    this.#scans.set(controller, started.outcome);
    void started.outcome.finally(() => this.#scans.delete(controller));
    // close() came while the scan was being recorded: it stops this one too.
    if (this.#isClosed()) controller.abort(SHUTDOWN);
    if (!started.scan) throw new Error('the scan service returned no record for a recorded scan');
    return started.scan;
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  /** Refuses new scans, stops the waiting and running ones (each recorded interrupted), and waits for them (bounded). */
  async close(waitMs = 5000): Promise<void> {
    this.#closed = true;
    const scans = [...this.#scans];
    for (const [controller] of scans) controller.abort(SHUTDOWN);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(scans.map(([, outcome]) => outcome)), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
}
