import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { ScanService } from '../scan/service.js';
import type { Io } from './io.js';
import { validateSite } from '../store/site.js';
import { openHistory } from './preflight.js';

/**
 * `exposure scan --save` / `--db FILE`: the scan is recorded (queued, running, then done or failed) by the scan
 * service, as the API's and the scheduler's are, so a cron job's failures show in `exposure history` too, under
 * the code the CLI prints. Errors still reach the caller, which exits 2 as without --save.
 */
export async function scanAndRecord(file: string | undefined, options: ScanOptions, signal: AbortSignal, io: Io, site?: string): Promise<ExposureReport> {
  // Opened before the scan: a database that cannot be written (or is not a database) is found before the network
  // is touched, and the scan is recorded as queued before it runs.
  const siteName = site === undefined ? undefined : validateSite(site);
  const store = await openHistory(file);
  try {
    const outcome = await new ScanService().run({ options, signal, record: { store, trigger: 'cli', ...(siteName !== undefined ? { site: siteName } : {}) } });
    if (outcome.status !== 'done') throw outcome.error;
    if (outcome.scan) io.stderr.write(`Saved as scan ${outcome.scan.id} in ${store.file}\n`);
    return outcome.report;
  } finally {
    await store.close();
  }
}
