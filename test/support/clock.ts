import FakeTimers, { type TimerId } from '@sinonjs/fake-timers';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { Clock } from '../../src/schedule/clock.js';
import { exampleReport } from './reports.js';

export interface TestClock extends Clock {
  /** Moves time forward by ms, firing every timer that falls due on the way; promises settle between timers. */
  tick: (ms: number) => Promise<void>;
  /** now() as a Date: the store's clock (`openStore({ file, now: clock.date })`). */
  date: () => Date;
}

/**
 * A fake clock for the scheduler, the outbox and the store: nothing moves until the test ticks it, so a test
 * never sleeps and "nothing happened" means nothing was due, not "nothing happened yet". It starts at the real
 * time rounded up to a whole second (an every-second cron is due after exactly 1000 ms), so the same tests run
 * under `faketime` (npm run test:future) start a year ahead too. Real I/O (a webhook receiver, a fake IGD) still
 * runs on real time: after a tick, await the scheduler's or the outbox's idle().
 */
export function testClock(start = Math.ceil(Date.now() / 1000) * 1000): TestClock {
  const fake = FakeTimers.createClock(start);
  return {
    now: () => fake.now,
    date: () => new Date(fake.now),
    setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle as TimerId),
    setInterval: (callback, ms) => fake.setInterval(callback, ms),
    clearInterval: (handle) => fake.clearInterval(handle as TimerId),
    tick: async (ms) => {
      await fake.tickAsync(ms);
    },
  };
}

/** The example report (test/fixtures/report-example.json) as if its scan had started at `at`. */
export function reportAt(at: Date | number): ExposureReport {
  const report = exampleReport();
  const shift = new Date(at).getTime() - Date.parse(report.startedAt);
  report.startedAt = new Date(Date.parse(report.startedAt) + shift).toISOString();
  report.finishedAt = new Date(Date.parse(report.finishedAt) + shift).toISOString();
  return report;
}
