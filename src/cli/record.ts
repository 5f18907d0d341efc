import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { runRecordedScan } from '../schedule/run-recorded.js';
import type { Io } from './io.js';
import { openHistory } from './preflight.js';

/**
 * `exposure scan --save` / `--db FILE`: the scan is recorded (queued, running, then done or failed), so a cron
 * job's failures show in `exposure history` too. Errors still reach the caller, which exits 2 as without --save.
 */
export async function scanAndRecord(file: string | undefined, options: ScanOptions, signal: AbortSignal, io: Io): Promise<ExposureReport> {
  // Opened before the scan: a database that cannot be written (or is not a database) is found before the network
  // is touched, and the scan is recorded as queued before it runs.
  const store = openHistory(file);
  try {
    const result = await runRecordedScan({ store, options, trigger: 'cli', signal });
    if (result.report === undefined) throw result.error;
    io.stderr.write(`Saved as scan ${result.scan.id} in ${store.file}\n`);
    return result.report;
  } finally {
    store.close();
  }
}
