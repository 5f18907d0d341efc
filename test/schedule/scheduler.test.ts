import t from 'tap';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AlertPayload } from '../../src/alerts/payload.js';
import { abortError } from '../../src/core/errors.js';
import { runScan } from '../../src/scan/run-scan.js';
import { main } from '../../src/cli/main.js';
import { parseScanArgs } from '../../src/cli/scan-args.js';
import { startScheduler } from '../../src/schedule/scheduler.js';
import { openStore } from '../../src/store/index.js';
import type { ScanRecord } from '../../src/store/types.js';
import { startFakeIgd, type FakeMapping } from '../support/fake-igd.js';
import { capture, runCli } from '../support/cli.js';
import { testClock } from '../support/clock.js';
import { tempDir } from '../support/reports.js';
import { startReceiver } from '../support/webhook-receiver.js';

// The scheduler runs on a fake clock (test/support/clock.ts): a tick fires what is due, then idle() waits for
// the real work it started (scans of the fake IGD, webhook deliveries). No test sleeps.

t.test('a schedule every second: scans are kept, a new mapping alerts the webhook exactly once', async (t) => {
  const clock = testClock();
  const mappings: FakeMapping[] = [{ protocol: 'UDP', externalPort: 3074, internalClient: '10.0.0.7', internalPort: 3074, description: 'Xbox', leaseDuration: 3600 }];
  const igd = await startFakeIgd({ mappings });
  t.teardown(igd.close);
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const options = parseScanArgs(['--gateway', igd.url, '--no-wan', '--timeout', '5']).scan;
  const schedule = await store.createSchedule({ name: 'home', cron: '* * * * * *', options, webhooks: [receiver.url], alertOn: 'new-exposure' });
  const scheduler = await startScheduler({ store, clock, maxJitterMs: 0, outbox: { pollMs: 100, retryBaseMs: 100 } });
  t.teardown(() => scheduler.stop());
  t.same(scheduler.states().map((s) => [s.scheduleId, s.running, s.nextRun]), [[schedule.id, false, new Date(clock.now() + 1000).toISOString()]], 'the next run comes from the scheduler\'s clock');
  const done = async () => (await store.listScans({ scheduleId: schedule.id, status: 'done' })).items;
  const nextSecond = async () => {
    await clock.tick(1000);
    await scheduler.idle();
  };
  await clock.tick(999);
  await scheduler.idle();
  t.equal((await store.listScans({ scheduleId: schedule.id })).items.length, 0, 'nothing runs before the second is due');
  await clock.tick(1);
  await scheduler.idle();
  t.equal((await done()).length, 1, 'the first scan');
  t.equal(receiver.received.length, 1, 'the first scan sends the baseline');
  const baseline = receiver.received[0]?.body as AlertPayload;
  t.equal(baseline.type, 'exposure.baseline');
  t.equal(baseline.from.scanId, null);
  t.equal(baseline.to.scanId, (await done())[0]?.id);
  t.ok(baseline.changes.some((c) => c.kind === 'mapping-added' && c.key === 'UDP/3074' && c.matched), 'what is exposed now, through the filter');
  t.match(baseline.text, /monitoring started; \d+ things? exposed now/);
  mappings.push({ protocol: 'TCP', externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP QTS', leaseDuration: 0 });
  const withNew = async () => (await done()).filter((scan) => (scan.summary?.mappings ?? 0) === 2);
  await nextSecond();
  t.equal(receiver.received.length, 2, 'the scan that sees the new mapping alerts');
  await nextSecond();
  await nextSecond();
  t.equal((await withNew()).length, 3, 'three scans see the new mapping');
  t.equal(receiver.received.length, 2, 'one alert for one change, not one per scan, and the baseline only once');
  const body = receiver.received[1]?.body as AlertPayload;
  t.equal(body.type, 'exposure.changes');
  t.same(body.schedule, { id: schedule.id, name: 'home' });
  t.ok(body.changes.some((c) => c.kind === 'mapping-added' && c.key === 'TCP/8080' && c.matched));
  t.match(body.text, /new mapping TCP\/8080 -&gt; 10\.0\.0\.5:8080 \(QNAP QTS\)/);
  const [first] = (await withNew()).slice(-1);
  t.equal((await done()).length, 4);
  t.equal(body.to.scanId, first?.id, 'the alert is about the scan that first saw it');
  const scans = (await store.listScans({ scheduleId: schedule.id })).items;
  t.notOk(scans.some((scan) => scan.status === 'failed'), 'no scan failed');
});

t.test('never two runs of one schedule at once; stopping interrupts the running scan', async (t) => {
  const clock = testClock();
  const igd = await startFakeIgd({});
  t.teardown(igd.close);
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const options = parseScanArgs(['--gateway', igd.url, '--no-wan']).scan;
  const schedule = await store.createSchedule({ name: 'slow', cron: '* * * * * *', options });
  let concurrent = 0;
  let most = 0;
  let started = 0;
  const log: string[] = [];
  // The real scan, made slower than the schedule's interval.
  const slow = async (scanOptions: typeof options, signal?: AbortSignal) => {
    concurrent++;
    started++;
    most = Math.max(most, concurrent);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = clock.setTimeout(resolve, 2500);
        signal?.addEventListener('abort', () => { clock.clearTimeout(timer); reject(abortError(signal, 'The scan')); }, { once: true });
      });
      return await runScan(scanOptions, signal);
    } finally {
      concurrent--;
    }
  };
  const scheduler = await startScheduler({ store, clock, maxJitterMs: 0, run: slow, log: (line) => log.push(line) });
  // Runs are due at 1 s, 2 s and 3 s; the first lasts until 3.5 s.
  await clock.tick(3300);
  t.equal(most, 1, 'one at a time');
  t.equal(started, 1);
  t.equal(log.filter((line) => /still going; this one is skipped/.test(line)).length, 2, 'skipped runs are logged');
  t.equal(concurrent, 1, 'a scan in progress');
  const running = (await store.listScans({ scheduleId: schedule.id, status: 'running' })).items[0];
  await scheduler.stop();
  t.equal(running && (await store.getScan(running.id))?.status, 'interrupted', 'a scan cut off by stop() is interrupted, not failed');
  t.notOk((await store.listScans({ status: 'running' })).items.length, 'nothing left running');
});

t.test('exposure watch: stores its schedule and scans until stopped; usage errors', async (t) => {
  const igd = await startFakeIgd({});
  t.teardown(igd.close);
  const db = path.join(await tempDir(t), 'h.db');
  // The real command on the real clock: it is stopped when it logs its --run-now scan as done.
  const controller = new AbortController();
  let stderr = '';
  const err = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stderr += chunk.toString();
      if (/scan \d+ done/.test(stderr)) controller.abort();
      callback();
    },
  });
  const code = await main(['watch', '--cron', '*/30 * * * * *', '--run-now', '--jitter', '0', '--gateway', igd.url, '--no-wan', '--db', db, '--name', 'home', '--site', 'lake-house', '--alert-on', 'severity:high', '--webhook', 'http://127.0.0.1:9/x'], { stdout: capture().stream, stderr: err }, controller.signal);
  const result = { code, stderr };
  const store = await openStore({ file: db });
  t.teardown(() => store.close());
  const scans: ScanRecord[] = (await store.listScans({ status: 'done' })).items;
  t.equal(scans.length, 1, 'the --run-now scan');
  t.equal(result.code, 0, result.stderr);
  t.match(result.stderr, /schedule "home" \(#1\) "\*\/30 \* \* \* \* \*", next run/);
  t.match(result.stderr, /1 webhook\(s\), alert on severity:high/);
  t.match(result.stderr, /site lake-house, schedule "home"/);
  const [schedule] = await store.listSchedules();
  t.same([schedule?.name, schedule?.site, schedule?.cron, schedule?.alertOn, schedule?.webhooks], ['home', 'lake-house', '*/30 * * * * *', 'severity:high', ['http://127.0.0.1:9/x']]);
  t.equal(scans[0]?.site, 'lake-house', 'the scan carries the watcher\'s site');
  t.equal(scans[0]?.scheduleId, schedule?.id);
  t.equal(scans[0]?.trigger, 'schedule');
  t.equal(schedule?.options.gatewayUrl, igd.url);

  for (const [args, pattern] of [
    [['watch', '--gateway', igd.url], /--cron/],
    [['watch', '--cron', 'sometimes', '--gateway', igd.url], /cron expression/],
    [['watch', '--cron', '* * * * *', '--webhook', 'file:///etc/passwd', '--gateway', igd.url], /http or https/],
    [['watch', '--cron', '* * * * *', '--alert-on', 'loud', '--gateway', igd.url], /--alert-on/],
    [['watch', '--cron', '* * * * *', '--output', 'x.json', '--gateway', igd.url], /one-shot/],
    [['watch', '--cron', '* * * * *', '--bogus', '--gateway', igd.url], /bogus/],
  ] as const) {
    const bad = await runCli([...args, '--db', db]);
    t.equal(bad.code, 2, args.join(' '));
    t.match(bad.stderr, /EXP_ERR_USAGE/);
    t.match(bad.stderr, pattern);
  }
  const badSite = await runCli(['watch', '--cron', '* * * * *', '--site', 'Lake House', '--gateway', igd.url, '--db', db]);
  t.equal(badSite.code, 2);
  t.match(badSite.stderr, /EXP_ERR_SITE_INVALID/);
  t.match((await runCli(['watch', '--help'])).stdout, /--alert-on FILTER/);
});

t.test('a scheduler given a site runs only that site\'s schedules (servers of several sites share one database)', async (t) => {
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const options = parseScanArgs(['--gateway', 'http://127.0.0.1:1/rootDesc.xml', '--no-wan']).scan;
  await store.createSchedule({ name: 'watch', site: 'home', cron: '0 * * * *', options });
  const office = await store.createSchedule({ name: 'watch', site: 'office', cron: '0 * * * *', options });
  const scheduler = await startScheduler({ store, clock, site: 'office', maxJitterMs: 0 });
  t.teardown(() => scheduler.stop());
  t.same(scheduler.states().map((state) => state.scheduleId), [office.id]);
  await store.createSchedule({ name: 'nightly', site: 'home', cron: '0 3 * * *', options });
  await scheduler.reload();
  t.same(scheduler.states().map((state) => state.scheduleId), [office.id], 'a reload still reads only its site');
});

t.test('on start: an alert a crash kept from being queued is queued; an old change is not sent to a webhook added later', async (t) => {
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const late = await startReceiver();
  t.teardown(late.close);
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const options = parseScanArgs(['--gateway', 'http://127.0.0.1:1/rootDesc.xml', '--no-wan']).scan;
  const schedule = await store.createSchedule({ name: 'yearly', cron: '0 0 1 1 *', options, webhooks: [receiver.url], alertOn: 'any' });
  const { exampleReport } = await import('../support/reports.js');
  await store.recordScan(exampleReport(), { options, trigger: 'schedule', scheduleId: schedule.id });
  const changed = exampleReport();
  changed.findings = changed.findings.slice(1);
  // The process "died" here: the second scan is stored, its alert never queued.
  await store.recordScan(changed, { options, trigger: 'schedule', scheduleId: schedule.id });
  const first = await startScheduler({ store, clock, maxJitterMs: 0, outbox: { pollMs: 50 } });
  await first.idle();
  await first.stop();
  t.equal(receiver.received.length, 1);
  await store.upsertSchedule({ name: 'yearly', cron: '0 0 1 1 *', options, webhooks: [receiver.url, late.url], alertOn: 'any' });
  const second = await startScheduler({ store, clock, maxJitterMs: 0, outbox: { pollMs: 50 } });
  await second.idle();
  await clock.tick(1000);
  await second.idle();
  await second.stop();
  t.equal(receiver.received.length, 1, 'not again');
  t.equal(late.received.length, 0, 'a webhook added later does not get an old change');
});
