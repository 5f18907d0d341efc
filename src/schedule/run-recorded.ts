import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { ScanService } from '../scan/service.js';
import type { HistoryStore, ScanRecord, ScanTrigger } from '../store/types.js';

export interface RecordedScan {
  scan: ScanRecord;
  /** Present when the scan finished. */
  report?: ExposureReport;
  /** The error when it did not (its code is the one recorded on the scan; see scanFailure). */
  error?: unknown;
}

/**
 * How a scheduled scan runs: the process's scan service (exposure serve gives its own, whose limit the API's scans
 * share), or a bare scan function (tests), which then runs through a service of its own.
 */
export type ScanRunner = ScanService | ((options: ScanOptions, signal?: AbortSignal) => Promise<ExposureReport>);

/**
 * Runs one scan and keeps its history through the scan service: queued, running when its turn comes, then done
 * with the report or failed with the error's code (interrupted when the signal stopped it). The caller decides
 * what a failure means (the CLI exits 2, the scheduler logs and waits for the next run). Throws only what recording
 * the scan throws (EXP_ERR_SCHEDULE_BUSY, database errors) and the limit's refusal (EXP_ERR_API_BUSY).
 */
export async function runRecordedScan(input: { store: HistoryStore; options: ScanOptions; trigger: ScanTrigger; scheduleId?: number | null; signal?: AbortSignal; run?: ScanRunner }): Promise<RecordedScan> {
  const service = input.run instanceof ScanService ? input.run : new ScanService(input.run ? { run: input.run } : {});
  const outcome = await service.run({ options: input.options, signal: input.signal, record: { store: input.store, trigger: input.trigger, scheduleId: input.scheduleId ?? null } });
  // Recorded: start() returns only after createScan gave the record.
  if (!outcome.scan) throw new Error('the scan service returned no record for a recorded scan');
  return outcome.status === 'done' ? { scan: outcome.scan, report: outcome.report } : { scan: outcome.scan, error: outcome.error };
}
