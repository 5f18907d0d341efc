import { startScheduler } from '../schedule/scheduler.js';
import { DEFAULT_COVERAGE_ALERT_AFTER } from '../alerts/coverage-streak.js';
import { validateAlertOn, validateCron, validateWebhook } from '../schedule/validate.js';
import { siteOrDefault } from '../store/site.js';
import { checkScanScope } from '../scan/scan-choices.js';
import { WATCH_HELP } from './help.js';
import { numberOption } from './number-option.js';
import { parseScanArgs } from './scan-args.js';
import { checkScanEngine, openHistory } from './preflight.js';
import type { Io } from './io.js';
import { usageError } from './usage.js';

const usage = (message: string) => usageError('watch', message);

const WATCH_VALUES = new Set(['--cron', '--name', '--site', '--db', '--webhook', '--alert-on', '--jitter', '--alert-retry', '--keep-days', '--coverage-alert-after']);
const WATCH_FLAGS = new Set(['--run-now', '--help', '-h']);
/** Scan options that make no sense for a scheduled scan (reports go to the history, not to a file). */
const NOT_FOR_WATCH = new Set(['--output', '-o', '--format', '--fail-on', '--save', '--no-color']);

interface WatchArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
  scanArgv: string[];
}

/** Separates watch's own options from the scan options, which go to the same parser as "exposure scan". */
function split(argv: readonly string[]): WatchArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const scanArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const [name = '', inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (WATCH_VALUES.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw usage(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (WATCH_FLAGS.has(name)) {
      flags.add(name === '-h' ? '--help' : name);
    } else if (NOT_FOR_WATCH.has(name)) {
      throw usage(`${name} is a one-shot scan option; watch keeps every report in the history (see "exposure history")`);
    } else {
      scanArgv.push(token);
    }
  }
  return { values, flags, scanArgv };
}

function single(args: WatchArgs, name: string): string | undefined {
  const all = args.values.get(name);
  if (all && all.length > 1) throw usage(`${name} is given more than once`);
  return all?.[0];
}

/**
 * exposure watch: keeps one named schedule in the database (created or updated from the command line), runs it
 * with croner until SIGINT/SIGTERM, stores every scan, and alerts the webhooks on changes.
 */
export async function watchCommand(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const args = split(argv);
  if (args.flags.has('--help')) {
    io.stdout.write(WATCH_HELP);
    return 0;
  }
  const cron = single(args, '--cron');
  if (cron === undefined) throw usage('watch needs --cron EXPR, e.g. --cron "0 * * * *" (hourly)');
  const scan = parseScanArgs(args.scanArgv);
  const toUsage = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw usage((error as Error).message);
    }
  };
  const schedule = {
    name: single(args, '--name') ?? 'watch',
    // The site this watcher looks after: its schedule, scans and alerts carry it, so watchers of several homes can share one database.
    site: siteOrDefault(single(args, '--site')),
    cron: toUsage(() => validateCron(cron)),
    options: scan.scan,
    webhooks: toUsage(() => (args.values.get('--webhook') ?? []).map(validateWebhook)),
    alertOn: toUsage(() => validateAlertOn(single(args, '--alert-on') ?? 'new-exposure')),
  };
  const jitterSeconds = numberOption('watch', 'jitter', single(args, '--jitter'), 30, 0, 3600, false);
  const keepDays = numberOption('watch', 'keep-days', single(args, '--keep-days'), 365, 0, 100_000);
  const coverageAlertAfter = numberOption('watch', 'coverage-alert-after', single(args, '--coverage-alert-after'), DEFAULT_COVERAGE_ALERT_AFTER, 1, 100);
  const retrySeconds = numberOption('watch', 'alert-retry', single(args, '--alert-retry'), 30, 0.1, 3600, false);
  // Before anything is stored or scheduled: a schedule whose first run is an hour away must not find a typo then.
  // The scope (--gateway and --nas on this machine's networks, --interface present) as the scan will check it,
  // the engine, then the database.
  checkScanScope(scan.scan);
  await checkScanEngine(scan.scan);
  const db = single(args, '--db');
  const store = await openHistory(db);
  try {
    const saved = await store.upsertSchedule(schedule);
    const log = (line: string): void => void io.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const scheduler = await startScheduler({
      store,
      scheduleIds: [saved.id],
      maxJitterMs: jitterSeconds * 1000,
      retentionDays: keepDays,
      coverageAlertAfter,
      outbox: { retryBaseMs: retrySeconds * 1000, pollMs: Math.min(5000, retrySeconds * 1000) },
      log,
      ...(scan.scan.vantageToken !== undefined ? { vantageToken: scan.scan.vantageToken } : {}),
    });
    const [state] = scheduler.states();
    log(`exposure watch: site ${saved.site}, schedule "${saved.name}" (#${saved.id}) "${saved.cron}", next run ${state?.nextRun ?? 'never'}; history in ${store.file}; ${saved.webhooks.length} webhook(s), alert on ${saved.alertOn}`);
    if (args.flags.has('--run-now')) void scheduler.runNow(saved.id);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log('exposure watch: stopping');
    await scheduler.stop();
    return 0;
  } finally {
    await store.close();
  }
}
