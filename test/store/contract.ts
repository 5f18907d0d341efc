/**
 * The contract every HistoryStore passes: run by test/store/sqlite-contract.test.ts and
 * test/store/postgres-contract.test.ts against real databases. Each subtest asks makeStore for a new, empty
 * history; `sharing` opens a second store on the same history, as a second process would.
 */
import { spawn } from 'node:child_process';
import type { Test } from 'tap';
import type { ExposureReport } from '../../src/core/report.generated.js';
import type { HistoryStore } from '../../src/store/types.js';
import { testClock, reportAt } from '../support/clock.js';
import { exampleReport, LOOPBACK_OPTIONS } from '../support/reports.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

export interface MadeStore {
  store: HistoryStore;
  /** What openStore takes to open this history again (a file, or a URL with its password). */
  location: string;
}

export type MakeStore = (options?: { now?: () => Date; sharing?: MadeStore }) => Promise<MadeStore>;

type Tap = Test;

const day = 86_400_000;

/** The example report with `count` mappings: a large write whose facts take many rows. */
function reportWithMappings(count: number): ExposureReport {
  const report = exampleReport();
  const gateway = report.gateways[0];
  if (gateway) gateway.mappings = Array.from({ length: count }, (_, n) => ({ protocol: n % 2 ? 'UDP' as const : 'TCP' as const, externalPort: 10_000 + n, internalClient: `10.0.0.${(n % 200) + 2}`, internalPort: 20_000 + n, description: `m${n}`, enabled: n % 3 !== 0, leaseDuration: n, remoteHost: '' }));
  report.summary.mappings = count;
  return report;
}

async function fresh(t: Tap, makeStore: MakeStore, options: { now?: () => Date; sharing?: MadeStore } = {}): Promise<MadeStore> {
  const made = await makeStore(options);
  t.teardown(() => made.store.close());
  return made;
}

export function storeContract(t: Tap, makeStore: MakeStore): void {
  t.test('a scan goes queued -> running -> done; the report whole, the facts in order', async (t) => {
    const clock = testClock();
    const { store } = await fresh(t, makeStore, { now: clock.date });
    t.ok(store.schemaVersion >= 5);
    t.notOk(/:[^:@/]+@/.test(store.file.replace(':***@', '@')), 'the location shown holds no password');
    const queued = await store.createScan({ options: { ...LOOPBACK_OPTIONS, vantageToken: 'secret-token' } as typeof LOOPBACK_OPTIONS, trigger: 'api' });
    t.same([queued.status, queued.scheduleId, queued.site, queued.startedAt], ['queued', null, 'default', null]);
    t.notOk('vantageToken' in queued.options, 'the vantage token is never stored');
    await t.rejects(store.finishScan(queued.id, exampleReport()), { code: 'EXP_ERR_SCAN_STATE' }, 'a queued scan cannot finish');
    await clock.tick(1500);
    const running = await store.startScan(queued.id);
    t.same([running.status, queued.createdAt, running.startedAt], ['running', new Date(clock.now() - 1500).toISOString(), clock.date().toISOString()], "stamped by the store's clock");
    await t.rejects(store.startScan(queued.id), { code: 'EXP_ERR_SCAN_STATE' });
    const report = reportWithMappings(40);
    const done = await store.finishScan(queued.id, report);
    t.same([done.status, done.summary?.mappings, done.summary?.wanAddress, done.finishedAt], ['done', 40, '11.22.33.44', clock.date().toISOString()]);
    t.same(await store.getReport(queued.id), report, 'the report comes back whole');
    const facts = await store.getFacts(queued.id);
    t.same(facts?.mappings.map((m) => [m.externalPort, m.protocol, m.enabled, m.leaseDuration]), report.gateways[0]?.mappings.map((m) => [m.externalPort, m.protocol, m.enabled, m.leaseDuration]), 'mappings in report order, booleans and numbers intact');
    t.same(facts?.findings.map((f) => f.findingId), report.findings.map((f) => f.id));
    t.equal(facts?.wanAddress, '11.22.33.44');
    await t.rejects(store.failScan(queued.id, { code: 'EXP_ERR_TIMEOUT', message: 'late' }), { code: 'EXP_ERR_SCAN_STATE' }, 'a done scan cannot fail');
    await t.rejects(store.interruptScan(queued.id), { code: 'EXP_ERR_SCAN_STATE' });
    await t.rejects(store.startScan(999_999), { code: 'EXP_ERR_SCAN_NOT_FOUND' });
    t.same([await store.getScan(999_999), await store.getReport(999_999), await store.getFacts(999_999)], [undefined, undefined, undefined]);
    t.same(await store.getScan(queued.id), done);
  });

  t.test('refused reports write nothing; failScan and interruptScan; errors are bounded', async (t) => {
    const { store } = await fresh(t, makeStore);
    const scan = await store.startScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id);
    const broken = { ...exampleReport(), findings: 'none' } as unknown as ExposureReport;
    await t.rejects(store.finishScan(scan.id, broken), { code: 'EXP_ERR_REPORT_INVALID' });
    await t.rejects(store.recordScan(broken, { options: LOOPBACK_OPTIONS, trigger: 'cli' }), { code: 'EXP_ERR_REPORT_INVALID' });
    t.equal((await store.getScan(scan.id))?.status, 'running');
    t.equal((await store.listScans()).items.length, 1, 'no row from the refused recordScan');
    const failed = await store.failScan(scan.id, { code: 'EXP_ERR_TIMEOUT', message: 'x'.repeat(5000) });
    t.same([failed.status, failed.error?.code, failed.error?.message.length], ['failed', 'EXP_ERR_TIMEOUT', 2000]);
    const other = await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'api' });
    const interrupted = await store.interruptScan(other.id);
    t.same([interrupted.status, interrupted.error?.code], ['interrupted', 'EXP_ERR_SCAN_INTERRUPTED']);
  });

  t.test('a scan and its facts are written in one transaction: a reader never sees one without the other', async (t) => {
    const writer = await fresh(t, makeStore);
    const reader = await fresh(t, makeStore, { sharing: writer });
    const report = reportWithMappings(600);
    const scan = await writer.store.startScan((await writer.store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id);
    const state = { finished: false };
    const finishing = writer.store.finishScan(scan.id, report).finally(() => {
      state.finished = true;
    });
    // Read while the write runs: facts are either absent (not done yet) or complete, never a part; and once the
    // scan reads as done, its facts are all there.
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const facts = await reader.store.getFacts(scan.id);
      seen.add(facts === undefined ? 'none' : String(facts.mappings.length));
      if ((await reader.store.getScan(scan.id))?.status === 'done') seen.add(`done:${(await reader.store.getFacts(scan.id))?.mappings.length ?? 'none'}`);
      if (facts !== undefined || state.finished) break;
    }
    t.same([...seen].filter((entry) => !['none', '600', 'done:600'].includes(entry)), [], `only none or all 600 facts were seen (${[...seen].join(', ')})`);
    await finishing;
    const recorded = await writer.store.recordScan(report, { options: LOOPBACK_OPTIONS, trigger: 'cli' });
    t.equal((await reader.store.getFacts(recorded.id))?.mappings.length, 600, 'recordScan writes scan and facts together');
  });

  t.test('listScans pages newest first; filters by status, schedule and site; latestDone; counts; sites', async (t) => {
    const { store } = await fresh(t, makeStore);
    const home = await store.createSchedule({ name: 'watch', site: 'home', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli' })).id);
    const homeScans: number[] = [];
    for (let i = 0; i < 2; i++) homeScans.push((await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: home.id, site: 'ignored-for-schedules' })).id);
    const office = (await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli', site: 'office' })).id;
    const failed = await store.failScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'api' })).id, { code: 'EXP_ERR_ABORTED', message: 'x' });
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listScans({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    t.same(seen, [failed.id, office, ...homeScans.slice().reverse(), ...ids.slice().reverse()], 'every scan once, newest first');
    t.equal(pages, 3);
    t.same((await store.listScans({ status: 'failed' })).items.map((s) => s.id), [failed.id]);
    t.same((await store.listScans({ scheduleId: home.id })).items.map((s) => [s.id, s.site]), homeScans.slice().reverse().map((id) => [id, 'home']), "a schedule's scans take its site");
    t.same((await store.listScans({ site: 'office' })).items.map((s) => s.id), [office]);
    t.same((await store.listScans({ site: 'nowhere' })).items, []);
    await t.rejects(store.listScans({ cursor: 'bm9wZQ' }), { code: 'EXP_ERR_DB_CURSOR' });
    t.equal((await store.listScans({ limit: 100_000 })).items.length, 9, 'limit is clamped, not refused');
    t.same((await store.latestDone(2)).map((s) => s.id), [office, homeScans[1]]);
    t.same((await store.latestDone(5, { site: 'default' })).map((s) => s.id), ids.slice().reverse());
    t.same((await store.latestDone(1, { scheduleId: home.id })).map((s) => s.id), [homeScans[1]]);
    t.same((await store.latestDone(1, { scheduleId: home.id, site: 'office' })).map((s) => s.id), []);
    t.same(await store.countScansByStatus(), { queued: 0, running: 0, done: 8, failed: 1, interrupted: 0 });
    t.same(await store.countScansByStatus('home'), { queued: 0, running: 0, done: 2, failed: 0, interrupted: 0 });
    t.same(
      (await store.countScansBySiteAndStatus()).map((row) => [row.site, row.status, row.count]),
      [['default', 'done', 5], ['default', 'failed', 1], ['home', 'done', 2], ['office', 'done', 1]],
    );
    t.same(await store.listSites(), ['default', 'home', 'office']);
    await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli', site: 'Not A Site' }), { code: 'EXP_ERR_SITE_INVALID' });
  });

  t.test('schedules: validated, unique per site, upserted by site and name, deleted without their scans', async (t) => {
    const first = await fresh(t, makeStore);
    const { store } = first;
    const created = await store.createSchedule({ name: 'nightly', cron: '0 3 * * *', options: LOOPBACK_OPTIONS, webhooks: ['http://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook'], alertOn: 'severity:high' });
    t.same([created.webhooks, created.enabled, created.site, created.alertOn], [['http://127.0.0.1:9/hook'], true, 'default', 'severity:high'], 'duplicate webhooks collapse');
    await t.rejects(store.createSchedule({ name: 'nightly', cron: '0 3 * * *', options: LOOPBACK_OPTIONS }), { code: 'EXP_ERR_SCHEDULE_INVALID' }, 'names are unique within a site');
    const elsewhere = await store.createSchedule({ name: 'nightly', site: 'office', cron: '0 4 * * *', options: LOOPBACK_OPTIONS, enabled: false });
    t.same([elsewhere.site, elsewhere.enabled], ['office', false], 'another site may use the same name');
    for (const bad of [{ cron: 'every day' }, { webhooks: ['ftp://127.0.0.1/x'] }, { webhooks: ['http://user:pw@127.0.0.1/x'] }, { alertOn: 'severity:urgent' }, { name: '' }]) {
      await t.rejects(store.createSchedule({ name: 'bad', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, ...bad } as Parameters<HistoryStore['createSchedule']>[0]), { code: 'EXP_ERR_SCHEDULE_INVALID' }, JSON.stringify(bad));
    }
    await t.rejects(store.createSchedule({ name: 'bad', site: '../etc', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS }), { code: 'EXP_ERR_SITE_INVALID' });
    const updated = await store.upsertSchedule({ name: 'nightly', cron: '*/10 * * * * *', options: LOOPBACK_OPTIONS, alertOn: 'any' });
    t.same([updated.id, updated.cron, updated.webhooks, updated.createdAt], [created.id, '*/10 * * * * *', [], created.createdAt]);
    const upserted = await store.upsertSchedule({ name: 'watch', site: 'home', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
    t.same((await store.listSchedules()).map((s) => [s.site, s.name]), [['default', 'nightly'], ['office', 'nightly'], ['home', 'watch']]);
    t.same((await store.listSchedules({ site: 'office' })).map((s) => s.id), [elsewhere.id]);
    t.equal((await store.getScheduleByName('watch', 'home'))?.id, upserted.id);
    t.equal(await store.getScheduleByName('watch'), undefined, 'by name within the default site');
    t.equal((await store.getSchedule(created.id))?.cron, '*/10 * * * * *');
    const again = await fresh(t, makeStore, { sharing: first });
    t.same((await again.store.getScheduleByName('nightly'))?.alertOn, 'any', 'it persists');
    const scan = await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: created.id });
    t.ok(await store.deleteSchedule(created.id));
    t.notOk(await store.deleteSchedule(created.id));
    t.equal((await store.getScan(scan.id))?.scheduleId, null, 'scans outlive their schedule');
    await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: created.id }), { code: 'EXP_ERR_SCHEDULE_NOT_FOUND' });
  });

  t.test('never two scans of one schedule; a SIGKILLed owner is found and its scan marked interrupted', async (t) => {
    const made = await fresh(t, makeStore);
    const { store } = made;
    const schedule = await store.createSchedule({ name: 's', site: 'home', cron: '* * * * *', options: LOOPBACK_OPTIONS });
    const first = await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id });
    await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), { code: 'EXP_ERR_SCHEDULE_BUSY' });
    await store.failScan(first.id, { code: 'EXP_ERR_ABORTED', message: 'stop' });
    t.equal(await store.markInterrupted(), 0, 'nothing to mark');
    const child = spawn(process.execPath, [...TS_LOADER_ARGS, new URL('./owner-child.ts', import.meta.url).pathname, made.location, String(schedule.id)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childScanId = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (status) => reject(new Error(`child exited ${String(status)}`)));
    });
    t.same([(await store.getScan(childScanId))?.status, (await store.getScan(childScanId))?.site], ['running', 'home']);
    await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), { code: 'EXP_ERR_SCHEDULE_BUSY' }, 'busy while the other process lives');
    t.equal(await store.markInterrupted(), 0, 'a live owner is left alone');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    t.equal(await store.markInterrupted(), 1);
    t.same((await store.getScan(childScanId))?.error?.code, 'EXP_ERR_SCAN_INTERRUPTED');
    t.ok(await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), 'the schedule runs again');
  });

  t.test('pruning deletes old finished scans but keeps the newest done scan of each schedule and each site', async (t) => {
    const clock = testClock();
    const { store } = await fresh(t, makeStore, { now: clock.date });
    const start = clock.now();
    const schedule = await store.createSchedule({ name: 's', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
    const old: number[] = [];
    for (const daysAgo of [10, 9, 8]) old.push((await store.recordScan(reportAt(start - daysAgo * day), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id })).id);
    const office = (await store.recordScan(reportAt(start - 20 * day), { options: LOOPBACK_OPTIONS, trigger: 'cli', site: 'office' })).id;
    const failed = (await store.failScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id, { code: 'EXP_ERR_TIMEOUT', message: 'x' })).id;
    const running = (await store.startScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id)).id;
    t.equal(await store.pruneScans(new Date(start - 30 * day)), 0, 'nothing is older than thirty days');
    await clock.tick(1000);
    t.equal(await store.pruneScans(clock.date()), 3, 'two old done scans and the failed one');
    t.same((await store.listScans()).items.map((s) => s.id).sort((a, b) => a - b), [old[2], office, running].sort((a, b) => (a ?? 0) - (b ?? 0)), "the office's only scan stays");
    t.equal(await store.getScan(failed), undefined);
    t.equal(await store.getFacts(old[0] ?? 0), undefined, 'facts go with their scan');
    t.equal((await store.getFacts(old[2] ?? 0))?.mappings.length, 2);
  });

  t.test('alert outbox: dedupe, due, failed, delivered, abandoned, rescheduled, listed by status and site', async (t) => {
    const clock = testClock();
    const { store } = await fresh(t, makeStore, { now: clock.date });
    const alert = { dedupeKey: 'a1', webhook: 'http://127.0.0.1:9/', scheduleId: null, fromScanId: 1, toScanId: 2, body: '{"x":1}' };
    t.ok(await store.enqueueAlert(alert));
    t.notOk(await store.enqueueAlert({ ...alert, body: '{"x":2}' }), 'the same change is queued once');
    t.ok(await store.enqueueAlert({ ...alert, dedupeKey: 'b1', toScanId: 3, site: 'office' }));
    const [due] = await store.dueAlerts(clock.date(), 10);
    t.same([due?.body, due?.status, due?.attempts, due?.site], ['{"x":1}', 'pending', 0, 'default']);
    await store.markAlertFailed(due?.id ?? 0, 'refused: ' + 'x'.repeat(1000), new Date(clock.now() + 60_000));
    t.same((await store.dueAlerts(clock.date(), 10)).map((a) => a.dedupeKey), ['b1'], 'not due before its next attempt');
    t.equal((await store.listAlerts({ status: 'pending', limit: 1 }))[0]?.dedupeKey, 'b1', 'newest first');
    t.equal((await store.listAlerts()).find((a) => a.dedupeKey === 'a1')?.lastError?.length, 500, 'errors are bounded');
    t.equal(await store.rescheduleAlerts('http://127.0.0.1:9/', clock.date()), 1, 'the receiver is back: its backlog is due now');
    t.equal((await store.dueAlerts(clock.date(), 10)).length, 2);
    await store.markAlertDelivered(due?.id ?? 0, clock.date());
    const delivered = (await store.listAlerts({ status: 'delivered' }))[0];
    t.same([delivered?.attempts, delivered?.deliveredAt, delivered?.lastError], [2, clock.date().toISOString(), null]);
    await store.markAlertAbandoned(delivered?.id ?? 0, 'late', clock.date());
    t.equal((await store.listAlerts({ status: 'delivered' })).length, 1, 'only a pending alert can be abandoned');
    const office = (await store.listAlerts({ site: 'office' }))[0];
    await store.markAlertAbandoned(office?.id ?? 0, 'gone', clock.date());
    t.same((await store.listAlerts({ status: 'abandoned' })).map((a) => [a.dedupeKey, a.site, a.lastError, a.attempts]), [['b1', 'office', 'gone', 1]]);
    await store.markAlertFailed(office?.id ?? 0, 'after', clock.date());
    t.equal((await store.listAlerts({ site: 'office' }))[0]?.lastError, 'gone', 'an abandoned alert keeps its reason');
    t.ok(await store.hasAlertFor(2));
    t.notOk(await store.hasAlertFor(4));
    t.same(await store.dueAlerts(new Date(clock.now() + 3600_000), 10), []);
  });

  t.test('claims: a lease hides an alert from other senders until it runs out; two stores never claim one alert', async (t) => {
    const clock = testClock();
    const a = await fresh(t, makeStore, { now: clock.date });
    const b = await fresh(t, makeStore, { now: clock.date, sharing: a });
    for (let i = 0; i < 30; i++) await a.store.enqueueAlert({ dedupeKey: `k${i}`, webhook: 'http://127.0.0.1:9/', scheduleId: null, fromScanId: 1, toScanId: 2, body: '{}' });
    const [one, two] = await Promise.all([a.store.claimDueAlerts(clock.date(), 60_000, 20), b.store.claimDueAlerts(clock.date(), 60_000, 20)]);
    const ids = [...one, ...two].map((alert) => alert.id);
    t.equal(ids.length, 30, 'every alert claimed once');
    t.equal(new Set(ids).size, 30, 'no alert claimed twice');
    t.same(one.map((x) => x.nextAttemptAt).filter((at) => at !== clock.date().toISOString()), [], 'returned as before the claim');
    t.same(await a.store.claimDueAlerts(clock.date(), 60_000, 50), [], 'claimed alerts are not due');
    t.equal((await b.store.dueAlerts(new Date(clock.now() + 60_001), 50)).length, 30, 'due again when the lease runs out');
  });

  t.test('schedule changes abandon the pending alerts they orphan', async (t) => {
    const { store } = await fresh(t, makeStore);
    const kept = 'http://127.0.0.1:9/kept';
    const removed = 'http://127.0.0.1:9/removed';
    const home = await store.createSchedule({ name: 'home', cron: '0 * * * *', options: LOOPBACK_OPTIONS, webhooks: [kept, removed] });
    const office = await store.createSchedule({ name: 'office', cron: '0 * * * *', options: LOOPBACK_OPTIONS, webhooks: [removed] });
    for (const [key, webhook, schedule] of [['h1', kept, home], ['h2', removed, home], ['o1', removed, office]] as const) {
      await store.enqueueAlert({ dedupeKey: key, webhook, scheduleId: schedule.id, fromScanId: 1, toScanId: 2, body: '{}' });
    }
    await store.upsertSchedule({ name: 'home', cron: '0 * * * *', options: LOOPBACK_OPTIONS, webhooks: [kept] });
    const status = async () => Object.fromEntries((await store.listAlerts()).map((alert) => [alert.dedupeKey, alert.status]));
    t.same(await status(), { h1: 'pending', h2: 'abandoned', o1: 'pending' });
    t.ok(await store.deleteSchedule(office.id));
    t.same(await status(), { h1: 'pending', h2: 'abandoned', o1: 'abandoned' });
    t.match((await store.listAlerts()).find((alert) => alert.dedupeKey === 'o1')?.lastError, /deleted/);
  });

  t.test('after close, calls reject', async (t) => {
    const { store } = await makeStore();
    await store.close();
    await store.close();
    await t.rejects(store.listScans(), { code: 'EXP_ERR_DB_OPEN' });
  });
}
