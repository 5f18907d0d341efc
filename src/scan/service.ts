import { abortError, createError, isExposureError, type ExposureError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { systemClock, type Clock } from '../schedule/clock.js';
import type { HistoryStore, ScanRecord, ScanTrigger } from '../store/types.js';
import { checkScanEngine, THIS_MACHINE, type Machine } from './engine-check.js';
import { runScan } from './run-scan.js';
import { buildScanOptions, checkScanScope, type ScanChoices } from './scan-choices.js';
import { ScanLimiter, type ScanPlace } from './service-limiter.js';

export type RunScan = (options: ScanOptions, signal: AbortSignal) => Promise<ExposureReport>;

/** One scan to run, and where its history goes. */
export interface ScanJob {
  options: ScanOptions;
  /** The caller's stop (SIGINT, server shutdown): the scan ends as interrupted, waiting or running. */
  signal?: AbortSignal | undefined;
  /** Keep the scan in the history: queued now, running when its turn comes, then done, failed or interrupted. */
  record?: { store: HistoryStore; trigger: ScanTrigger; scheduleId?: number | null; site?: string | undefined } | undefined;
}

/** interrupted: the caller stopped it; failed: anything else, its own time limit included. */
export type ScanOutcome =
  | { status: 'done'; report: ExposureReport; scan: ScanRecord | undefined }
  | { status: 'failed' | 'interrupted'; error: ExposureError; scan: ScanRecord | undefined };

export interface StartedScan {
  /** The history record as queued (undefined without job.record). */
  scan: ScanRecord | undefined;
  /** Settles when the scan ends; never rejects. */
  outcome: Promise<ScanOutcome>;
}

export interface ScanServiceOptions {
  /** The scan itself (default runScan); tests give one they control. */
  run?: RunScan;
  /** Shared by every face of the process that runs scans (exposure serve: the API and the scheduler). */
  limiter?: ScanLimiter;
  /** Beyond the scan's own timeoutSeconds, before a scan that ignores its signal is given up (EXP_ERR_TIMEOUT). */
  graceMs?: number;
  /** Errors no caller can act on: a history write that failed after the scan was recorded, a scan's bug. */
  onError?: (error: unknown) => void;
  /** Timers of the hard limit (default the system clock). */
  clock?: Clock;
  /** Root or not, nmap installed or not, for the engine checks (default this machine); tests give their own. */
  machine?: Machine;
}

/**
 * What a scan's failure is called, in every face: the caller's stop is "interrupted" (EXP_ERR_ABORTED, or the
 * reason the caller gave), an error of ours keeps its code, anything else is EXP_ERR_UNEXPECTED (a bug). The CLI
 * prints this code, the API and the scheduler record it.
 */
export function scanFailure(error: unknown, stop: AbortSignal | undefined): { status: 'failed' | 'interrupted'; error: ExposureError } {
  if (stop?.aborted) return { status: 'interrupted', error: abortError(stop, 'The scan') };
  if (isExposureError(error)) return { status: 'failed', error };
  return {
    status: 'failed',
    error: createError('EXP_ERR_UNEXPECTED', 'The scan stopped on an error without a code: a bug in exposure-scanner', { cause: error, hint: 'Please report it, with the error logged on standard error.' }),
  };
}

/**
 * A face's choices as scan options, with the checks a scan would make once it runs made now (gateway and --nas on
 * this machine's networks): a refused scan is refused before it is recorded, with the code the scan would give.
 */
export function prepareScan(choices: ScanChoices): ScanOptions {
  const options = buildScanOptions(choices);
  checkScanScope(options);
  return options;
}

/**
 * The one way a scan runs, for the CLI (scan, scan --save), the REST API and the scheduler: options built and
 * checked by one builder (prepareScan) and one set of engine checks, a place under one concurrency limit, the
 * caller's signal and a hard time limit, the history record kept through queued -> running -> done | failed |
 * interrupted, and failures named by scanFailure.
 */
export class ScanService {
  readonly limiter: ScanLimiter;
  readonly #run: RunScan;
  readonly #graceMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;
  readonly #machine: Machine;

  constructor(options: ScanServiceOptions = {}) {
    this.limiter = options.limiter ?? new ScanLimiter();
    this.#run = options.run ?? runScan;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#onError = options.onError ?? ((error) => process.emitWarning(error instanceof Error ? error : String(error)));
    this.#clock = options.clock ?? systemClock;
    this.#machine = options.machine ?? THIS_MACHINE;
  }

  /**
   * Checks the engine choices against this machine (--syn-scan, --engine nmap: EXP_ERR_USAGE,
   * EXP_ERR_SYN_SCAN_NEEDS_ROOT, EXP_ERR_ENGINE_UNAVAILABLE), takes a place under the limit (EXP_ERR_API_BUSY when
   * the line is full), records the scan as queued, and runs it in the background. A refused scan is not recorded.
   * Throws only those refusals and what recording the scan throws (EXP_ERR_SCHEDULE_BUSY, database errors).
   */
  async start(job: ScanJob): Promise<StartedScan> {
    await checkScanEngine(job.options, this.#machine);
    // Synchronous from here to createScan's call: no other scan can take the place this one was promised.
    const place = this.limiter.reserve(job.signal);
    let scan: ScanRecord | undefined;
    try {
      const record = job.record;
      if (record) scan = await record.store.createScan({ options: job.options, trigger: record.trigger, scheduleId: record.scheduleId ?? null, ...(record.site !== undefined ? { site: record.site } : {}) });
    } catch (error) {
      place.release();
      throw error;
    }
    return { scan, outcome: this.#lifecycle(job, place, scan) };
  }

  /** start() and wait for the end. */
  async run(job: ScanJob): Promise<ScanOutcome> {
    return (await this.start(job)).outcome;
  }

  /** The report, or the failure thrown with its code: for a face that prints (exposure scan). */
  async report(job: ScanJob): Promise<ExposureReport> {
    const outcome = await this.run(job);
    if (outcome.status === 'done') return outcome.report;
    throw outcome.error;
  }

  async #lifecycle(job: ScanJob, place: ScanPlace, queued: ScanRecord | undefined): Promise<ScanOutcome> {
    let scan = queued;
    const store = job.record?.store;
    const write = async (change: (store: HistoryStore, id: number) => ScanRecord | Promise<ScanRecord>): Promise<void> => {
      if (!store || !scan) return;
      try {
        scan = await change(store, scan.id);
      } catch (error) {
        this.#onError(error);
      }
    };
    try {
      try {
        await place.ready;
      } catch (error) {
        const failure = scanFailure(error, job.signal);
        await write((s, id) => s.interruptScan(id));
        return { ...failure, scan };
      }
      await write((s, id) => s.startScan(id));
      let report: ExposureReport;
      try {
        report = await this.#bounded(job);
      } catch (error) {
        const failure = scanFailure(error, job.signal);
        if (failure.error.code === 'EXP_ERR_UNEXPECTED') this.#onError(error);
        await write((s, id) => (failure.status === 'interrupted' ? s.interruptScan(id) : s.failScan(id, { code: failure.error.code, message: failure.error.message })));
        return { ...failure, scan };
      }
      if (store && scan) {
        const id = scan.id;
        try {
          scan = await store.finishScan(id, report);
        } catch (error) {
          // A report the store refuses must not leave the scan "running" for ever.
          const failure = scanFailure(error, undefined);
          this.#onError(error);
          await write((s) => s.failScan(id, { code: failure.error.code, message: failure.error.message }));
          return { ...failure, scan };
        }
      }
      return { status: 'done', report, scan };
    } finally {
      place.release();
    }
  }

  /**
   * The scan under the caller's signal and a hard limit a little beyond its own timeout: the limits start when the
   * scan does, not while it waited, and a scan that ignores its signal is raced, so it cannot hold its slot.
   */
  async #bounded(job: ScanJob): Promise<ExposureReport> {
    const hardLimit = new AbortController();
    const limitMs = job.options.timeoutSeconds * 1000 + this.#graceMs;
    const timer = this.#clock.setTimeout(() => hardLimit.abort(createError('EXP_ERR_TIMEOUT', `The scan ran past its time limit (${job.options.timeoutSeconds} s) and was given up`, { hint: 'Raise the timeout, or check that the router answers.' })), limitMs);
    const signal = job.signal ? AbortSignal.any([job.signal, hardLimit.signal]) : hardLimit.signal;
    let stop: (() => void) | undefined;
    try {
      return await Promise.race([
        this.#run(job.options, signal),
        new Promise<never>((_resolve, reject) => {
          stop = () => reject(abortError(signal, 'The scan'));
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        }),
      ]);
    } finally {
      this.#clock.clearTimeout(timer);
      if (stop) signal.removeEventListener('abort', stop);
    }
  }
}

/** exposure scan without --save: one scan, its report or its failure thrown (the CLI prints the code). */
export async function scanOnce(options: ScanOptions, signal?: AbortSignal): Promise<ExposureReport> {
  return new ScanService().report({ options, signal });
}
