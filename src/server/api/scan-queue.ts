import { runScan as defaultRunScan } from '../../scan/run-scan.js';
import { abortError, createError, isExposureError, type ErrorCode } from '../../core/errors.js';
import type { ScanOptions } from '../../core/options.js';
import type { ExposureReport } from '../../core/report.generated.js';
import type { ScanSlots } from './scan-slots.js';

export type RunScan = (options: ScanOptions, signal: AbortSignal) => Promise<ExposureReport>;

export interface ScanFailure {
  code: ErrorCode;
  message: string;
}

/** Where a scan's status transitions go (the store). A recorder that throws is logged, never fatal to the queue. */
export interface ScanRecorder {
  running: (id: number) => void | Promise<void>;
  done: (id: number, report: ExposureReport) => void | Promise<void>;
  /** interrupted: the server shut down under it; failed: anything else (timeout included). */
  failed: (id: number, status: 'failed' | 'interrupted', failure: ScanFailure) => void | Promise<void>;
}

export interface ScanQueueOptions {
  recorder: ScanRecorder;
  run?: RunScan;
  /** Scans at once. One by default: two scans of the same router only slow each other down. */
  maxConcurrent?: number;
  /** Scans waiting; one more is refused with EXP_ERR_API_BUSY. */
  maxQueued?: number;
  /** Beyond the scan's own timeoutSeconds, before the queue gives up on a scan that ignores its signal. */
  graceMs?: number;
  onError?: (error: unknown) => void;
  /** Shared with the other scan starters of the process (the scheduler): a scan waits for a slot first. */
  slots?: ScanSlots;
}

interface Job {
  id: number;
  options: ScanOptions;
  controller: AbortController;
}

/** Why a scan was stopped when the server closes: recorded as "interrupted", not as a failure of the scan. */
const SHUTDOWN = createError('EXP_ERR_ABORTED', 'The scan was interrupted: the server shut down');

/**
 * Runs the scans the API accepted, in order, a bounded number at a time. Every scan runs under its own
 * AbortController (aborted on shutdown) and a hard time limit a little beyond its own timeout.
 */
export class ScanQueue {
  readonly #recorder: ScanRecorder;
  readonly #run: RunScan;
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #graceMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #slots: ScanSlots | undefined;
  readonly #waiting: Job[] = [];
  readonly #running = new Map<number, { job: Job; settled: Promise<void> }>();
  #closed = false;

  constructor(options: ScanQueueOptions) {
    this.#recorder = options.recorder;
    this.#run = options.run ?? defaultRunScan;
    this.#maxConcurrent = options.maxConcurrent ?? 1;
    this.#maxQueued = options.maxQueued ?? 8;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#onError = options.onError ?? (() => undefined);
    this.#slots = options.slots;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running.size;
  }

  /** Whether one more scan would be accepted: callers check before recording it, so a refusal leaves no trace. */
  hasRoom(): boolean {
    return !this.#closed && this.#waiting.length < this.#maxQueued;
  }

  enqueue(id: number, options: ScanOptions): void {
    if (this.#closed) throw createError('EXP_ERR_API_BUSY', 'The server is shutting down');
    if (!this.hasRoom()) throw createError('EXP_ERR_API_BUSY', `${this.#waiting.length} scans are already waiting; try again when they have run`);
    this.#waiting.push({ id, options, controller: new AbortController() });
    this.#pump();
  }

  /** Refuses new scans, aborts the running ones, marks every unfinished scan interrupted, and waits (bounded). */
  async close(waitMs = 5000): Promise<void> {
    this.#closed = true;
    const waiting = this.#waiting.splice(0);
    for (const job of waiting) await this.#record(() => this.#recorder.failed(job.id, 'interrupted', { code: SHUTDOWN.code, message: SHUTDOWN.message }));
    const running = [...this.#running.values()];
    for (const { job } of running) job.controller.abort(SHUTDOWN);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running.map((entry) => entry.settled)), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#maxConcurrent) {
      const job = this.#waiting.shift();
      if (!job) return;
      const settled = this.#execute(job).finally(() => {
        this.#running.delete(job.id);
        this.#pump();
      });
      this.#running.set(job.id, { job, settled });
    }
  }

  async #execute(job: Job): Promise<void> {
    if (this.#slots) {
      try {
        await this.#slots.run(() => this.#attempt(job), job.controller.signal);
      } catch {
        // Aborted while waiting for a slot: the server is closing.
        await this.#record(() => this.#recorder.failed(job.id, 'interrupted', { code: SHUTDOWN.code, message: SHUTDOWN.message }));
      }
      return;
    }
    await this.#attempt(job);
  }

  /** Never throws: every outcome is recorded. */
  async #attempt(job: Job): Promise<void> {
    await this.#record(() => this.#recorder.running(job.id));
    // The limits start now, not while the scan waited for its turn.
    const hardLimit = AbortSignal.timeout(job.options.timeoutSeconds * 1000 + this.#graceMs);
    const signal = AbortSignal.any([job.controller.signal, hardLimit]);
    let report: ExposureReport;
    try {
      // A scan that ignores its signal must still not hold the queue: the race ends it at the hard limit.
      report = await Promise.race([
        this.#run(job.options, signal),
        new Promise<never>((_resolve, reject) => {
          const stop = (): void => reject(abortError(signal, 'The scan'));
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        }),
      ]);
    } catch (error) {
      const interrupted = job.controller.signal.aborted;
      const failure = isExposureError(error) ? { code: error.code, message: error.message } : { code: 'EXP_ERR_API_INTERNAL' as const, message: 'The scan failed unexpectedly; the server log has the details' };
      if (!isExposureError(error)) this.#onError(error);
      await this.#record(() => this.#recorder.failed(job.id, interrupted ? 'interrupted' : 'failed', interrupted ? { code: SHUTDOWN.code, message: SHUTDOWN.message } : failure));
      return;
    }
    await this.#record(() => this.#recorder.done(job.id, report));
  }

  async #record(write: () => void | Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.#onError(error);
    }
  }
}
