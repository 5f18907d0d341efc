import { Cron } from 'croner';
import { isExposureError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import type { ExposureReport } from '../core/report.generated.js';
import { diffReports } from '../diff/diff.js';
import { queueAlerts, startOutbox, type Outbox, type OutboxOptions } from '../alerts/outbox.js';
import { baselineDiff } from '../alerts/baseline.js';
import { DEFAULT_COVERAGE_ALERT_AFTER, withCoverageStreak } from '../alerts/coverage-streak.js';
import type { HistoryStore, ScanRecord, Schedule } from '../store/types.js';
import { systemClock, type Clock } from './clock.js';
import { runRecordedScan, type RecordedScan, type ScanRunner } from './run-recorded.js';

export interface SchedulerOptions {
  store: HistoryStore;
  /** Run only these schedules (exposure watch runs its own); default: every enabled schedule in the store (of `site`, when given). */
  scheduleIds?: readonly number[];
  /** Run only this site's schedules (exposure serve --site): servers of several sites may share one database. */
  site?: string;
  /** The scan; default runScan. */
  run?: ScanRunner;
  /** Not stored in the database: given to every scheduled scan that names a vantage agent. */
  vantageToken?: string;
  /**
   * Upper bound of the random delay before each run (default 30 s). The delay is also at most a tenth of the
   * schedule's interval, so a every-10-seconds schedule waits up to 1 s. 0 disables it.
   */
  maxJitterMs?: number;
  /** Scans older than this many days are deleted (the newest done scan of each schedule is always kept); default: keep all. */
  retentionDays?: number;
  /** Alert delivery tuning (timeouts, retry backoff, poll interval). */
  outbox?: Omit<OutboxOptions, 'store' | 'log'>;
  log?: (line: string) => void;
  /** Time and timers for the cron, the jitter, pruning and the outbox (default the system clock); tests pass a fake one. */
  clock?: Clock;
  /** A requested view failing this many scans in a row raises one new-exposure alert (default 3). */
  coverageAlertAfter?: number;
}

export interface ScheduleState {
  scheduleId: number;
  name: string;
  cron: string;
  nextRun: string | null;
  running: boolean;
}

export interface Scheduler {
  /**
   * Re-reads the schedules from the store: call after creating, changing or deleting one (the API does). Reloads
   * run one after another (a later one never loses to an earlier one's stale read); never rejects (a failure is logged).
   */
  reload(): Promise<void>;
  /** Runs a schedule now, outside its cron. Resolves undefined when one of its scans is already running. */
  runNow(scheduleId: number): Promise<ScanRecord | undefined>;
  states(): ScheduleState[];
  /** Resolves when no scheduled scan is running and the outbox is idle (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Stops the timers, aborts running scans (recorded as failed, EXP_ERR_ABORTED) and waits for them. */
  stop(): Promise<void>;
}

interface Job {
  schedule: Schedule;
  /** Croner only computes the run times (from the scheduler's clock); the timer is the clock's. */
  cron: Cron;
  next: Date | null;
  timer: unknown;
  running: Promise<RecordedScan | undefined> | undefined;
}

/**
 * The longest single wait: a timer checks the clock again at least this often, so a machine that slept, or a
 * clock that was set, delays a run by at most this much (croner's own timer does the same).
 */
const MAX_WAIT_MS = 30_000;

function intervalMs(cron: Cron, now: number): number {
  const [a, b] = cron.nextRuns(2, new Date(now));
  return a && b ? b.getTime() - a.getTime() : 60_000;
}

/**
 * Runs the store's schedules with croner. Resolves once started: on start it marks scans left running by a dead process as interrupted
 * and re-queues any alert that a crash kept from being queued. Never runs two scans of one schedule at once: a
 * run that finds its previous one still going is skipped (in this process by the job's flag, across processes
 * by the store's EXP_ERR_SCHEDULE_BUSY). Alerts are queued in the store's outbox and sent in the background.
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { store } = options;
  const log = options.log ?? (() => undefined);
  const maxJitterMs = options.maxJitterMs ?? 30_000;
  const clock = options.clock ?? systemClock;
  const coverageAlertAfter = options.coverageAlertAfter ?? DEFAULT_COVERAGE_ALERT_AFTER;
  const controller = new AbortController();
  const jobs = new Map<number, Job>();
  const interrupted = await store.markInterrupted();
  if (interrupted > 0) log(`exposure: marked ${interrupted} scan${interrupted === 1 ? '' : 's'} left running by a stopped process as interrupted`);
  const outbox: Outbox = startOutbox({ store, log, clock, ...options.outbox });

  async function prune(): Promise<void> {
    if (options.retentionDays === undefined || options.retentionDays <= 0) return;
    try {
      const deleted = await store.pruneScans(new Date(clock.now() - options.retentionDays * 86_400_000));
      if (deleted > 0) log(`exposure: deleted ${deleted} scan${deleted === 1 ? '' : 's'} older than ${options.retentionDays} days`);
    } catch (error) {
      log(`exposure: cannot prune the history: ${(error as Error).message}`);
    }
  }
  await prune();

  async function alertFor(schedule: Schedule, latest: ScanRecord): Promise<void> {
    if (schedule.webhooks.length === 0) return;
    // Enough history to see a view failing coverageAlertAfter scans in a row, and one more to see where it began.
    const recent = (await store.latestDone(coverageAlertAfter + 1, { scheduleId: schedule.id })).filter((scan) => scan.id <= latest.id);
    const after = await store.getReport(latest.id);
    if (!after) return;
    const previous = recent.find((scan) => scan.id < latest.id);
    const targets = { webhooks: schedule.webhooks, alertOn: schedule.alertOn, schedule: { id: schedule.id, name: schedule.name }, site: schedule.site };
    let queued: number;
    let what: string;
    if (!previous) {
      queued = await queueAlerts(store, targets, baselineDiff(after, latest.id), latest.summary, 'baseline');
      what = `baseline of scan ${latest.id}`;
    } else {
      // Each report read (and unzipped) once: the newest for the diff and the streak, the rest for the streak.
      const reports = new Map<number, ExposureReport | undefined>();
      for (const scan of recent) reports.set(scan.id, scan.id === latest.id ? after : await store.getReport(scan.id));
      const before = reports.get(previous.id);
      if (!before) return;
      const streak = recent.map((scan) => reports.get(scan.id)).filter((report) => report !== undefined);
      const diff = withCoverageStreak(diffReports(before, after, { from: previous.id, to: latest.id }), streak, coverageAlertAfter);
      queued = await queueAlerts(store, targets, diff, latest.summary);
      what = `${diff.changes.length} change(s) from scan ${previous.id} to ${latest.id}`;
    }
    if (queued > 0) {
      log(`exposure: schedule "${schedule.name}": ${what}; ${queued} alert(s) queued`);
      outbox.kick();
    }
  }

  function scanOptions(schedule: Schedule): ScanOptions {
    return { ...schedule.options, ...(schedule.options.vantageUrl !== undefined && options.vantageToken !== undefined ? { vantageToken: options.vantageToken } : {}) };
  }

  async function wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(resolve, ms);
      controller.signal.addEventListener('abort', () => { clock.clearTimeout(timer); resolve(); }, { once: true });
    });
  }

  /** Never rejects: a croner callback's rejection would be unhandled and end the process. */
  async function execute(job: Job, jitter: boolean): Promise<RecordedScan | undefined> {
    try {
      return await executeOnce(job, jitter);
    } catch (error) {
      log(`exposure: schedule "${job.schedule.name}": ${(error as Error).message}`);
      return undefined;
    }
  }

  async function executeOnce(job: Job, jitter: boolean): Promise<RecordedScan | undefined> {
    if (jitter) await wait(Math.random() * Math.min(maxJitterMs, intervalMs(job.cron, clock.now()) / 10));
    if (controller.signal.aborted) return undefined;
    const schedule = await store.getSchedule(job.schedule.id);
    if (!schedule?.enabled) return undefined;
    job.schedule = schedule;
    let result: RecordedScan;
    try {
      result = await runRecordedScan({ store, options: scanOptions(schedule), trigger: 'schedule', scheduleId: schedule.id, signal: controller.signal, ...(options.run ? { run: options.run } : {}) });
    } catch (error) {
      if (isExposureError(error, 'EXP_ERR_SCHEDULE_BUSY')) log(`exposure: schedule "${schedule.name}": ${error.message}`);
      else log(`exposure: schedule "${schedule.name}": cannot record the scan: ${(error as Error).message}`);
      return undefined;
    }
    const { scan } = result;
    if (scan.status === 'done') {
      log(`exposure: schedule "${schedule.name}": scan ${scan.id} done: ${scan.summary?.headline ?? ''}`);
      await prune();
      try {
        await alertFor(schedule, scan);
      } catch (error) {
        log(`exposure: schedule "${schedule.name}": cannot queue alerts: ${(error as Error).message}`);
      }
    } else {
      log(`exposure: schedule "${schedule.name}": scan ${scan.id} ${scan.status}: ${scan.error?.code ?? ''} ${scan.error?.message ?? ''}`);
    }
    return result;
  }

  function trigger(job: Job, jitter: boolean): Promise<RecordedScan | undefined> {
    if (job.running) {
      log(`exposure: schedule "${job.schedule.name}": the previous run is still going; this one is skipped`);
      return Promise.resolve(undefined);
    }
    const running = execute(job, jitter).finally(() => {
      job.running = undefined;
    });
    job.running = running;
    return running;
  }

  /** Sets the job's timer for its next run; when it fires at or after that time, the run is triggered. */
  function arm(job: Job): void {
    if (job.next === null) return;
    const wait = Math.min(MAX_WAIT_MS, job.next.getTime() - clock.now());
    job.timer = clock.setTimeout(() => {
      const now = clock.now();
      if (job.next !== null && now >= job.next.getTime()) {
        // The cron is only the clock; overlap is handled by trigger(), so a skipped run is logged.
        void trigger(job, true);
        job.next = job.cron.nextRun(new Date(now));
      }
      arm(job);
    }, Math.max(0, wait));
  }

  function disarm(job: Job): void {
    clock.clearTimeout(job.timer);
    job.next = null;
  }

  /** The schedules this scheduler runs: the ones named, or every one in the store. */
  async function schedules(): Promise<(Schedule | undefined)[]> {
    if (!options.scheduleIds) return store.listSchedules(options.site === undefined ? {} : { site: options.site });
    const found: (Schedule | undefined)[] = [];
    for (const id of options.scheduleIds) found.push(await store.getSchedule(id));
    return found;
  }

  let reloading: Promise<void> = Promise.resolve();

  function reload(): Promise<void> {
    reloading = reloading.then(applySchedules).catch((error: unknown) => log(`exposure: cannot read the schedules: ${(error as Error).message}`));
    return reloading;
  }

  async function applySchedules(): Promise<void> {
    const wanted = new Map((await schedules()).filter((s): s is Schedule => s !== undefined && s.enabled).map((s) => [s.id, s]));
    // Stopped while the schedules were read: nothing may be armed any more.
    if (controller.signal.aborted) return;
    for (const [id, job] of jobs) {
      const next = wanted.get(id);
      if (!next || next.cron !== job.schedule.cron) {
        disarm(job);
        jobs.delete(id);
      } else {
        job.schedule = next;
      }
    }
    for (const [id, schedule] of wanted) {
      if (jobs.has(id)) continue;
      const cron = new Cron(schedule.cron, { paused: true });
      const job: Job = { schedule, cron, next: cron.nextRun(new Date(clock.now())), timer: undefined, running: undefined };
      jobs.set(id, job);
      arm(job);
    }
  }

  // Alerts a crash kept from being queued (the scan was stored, the process died before the outbox row). Only
  // when the newest scan has no alert at all: a webhook added since must not get an old change as if it were new.
  for (const schedule of await schedules()) {
    const [latest] = schedule ? await store.latestDone(1, { scheduleId: schedule.id }) : [];
    if (schedule && latest && !(await store.hasAlertFor(latest.id))) await alertFor(schedule, latest);
  }
  await reload();

  return {
    reload,
    runNow: async (scheduleId) => {
      const schedule = await store.getSchedule(scheduleId);
      if (!schedule) return undefined;
      const job = jobs.get(scheduleId) ?? { schedule, running: undefined, cron: new Cron(schedule.cron, { paused: true }), next: null, timer: undefined };
      return (await trigger(job, false))?.scan;
    },
    states: () =>
      [...jobs.values()].map((job) => ({ scheduleId: job.schedule.id, name: job.schedule.name, cron: job.schedule.cron, nextRun: job.next?.toISOString() ?? null, running: job.running !== undefined })),
    idle: async () => {
      await Promise.all([...jobs.values()].flatMap((job) => (job.running ? [job.running] : [])));
      await outbox.idle();
    },
    stop: async () => {
      controller.abort();
      await reloading;
      for (const job of jobs.values()) disarm(job);
      await Promise.all([...jobs.values()].flatMap((job) => (job.running ? [job.running] : [])));
      await outbox.stop();
    },
  };
}
