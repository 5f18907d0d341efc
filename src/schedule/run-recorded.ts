import { isExposureError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { runScan } from '../scan/run-scan.js';
import type { HistoryStore, ScanRecord, ScanTrigger } from '../store/types.js';

export interface RecordedScan {
  scan: ScanRecord;
  /** Present when the scan finished. */
  report?: ExposureReport;
  /** The error when it did not; already recorded on the scan. */
  error?: unknown;
}

export type ScanRunner = (options: ScanOptions, signal?: AbortSignal) => Promise<ExposureReport>;

/**
 * Runs one scan and keeps its history: queued -> running before the network is touched, then done with the
 * report or failed with the error's code. The caller decides what a failure means (the CLI exits 2, the
 * scheduler logs and waits for the next run). Throws only what createScan throws (EXP_ERR_SCHEDULE_BUSY, DB errors).
 */
export async function runRecordedScan(input: { store: HistoryStore; options: ScanOptions; trigger: ScanTrigger; scheduleId?: number | null; signal?: AbortSignal; run?: ScanRunner }): Promise<RecordedScan> {
  const { store, options } = input;
  const queued = store.createScan({ options, trigger: input.trigger, scheduleId: input.scheduleId ?? null });
  store.startScan(queued.id);
  try {
    const report = await (input.run ?? runScan)(options, input.signal);
    return { scan: store.finishScan(queued.id, report), report };
  } catch (error) {
    // Stopped by our own shutdown (SIGTERM, restart): interrupted, like a crash, not a failure of the scan.
    if (input.signal?.aborted && isExposureError(error, 'EXP_ERR_ABORTED')) return { scan: store.interruptScan(queued.id), error };
    const scanError = isExposureError(error) ? { code: error.code, message: error.message } : { code: 'EXP_ERR_UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
    return { scan: store.failScan(queued.id, scanError), error };
  }
}
