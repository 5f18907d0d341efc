import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, defaultDbFile, SCHEMA_VERSION } from '../../src/store/index.js';
import { migrate } from '../../src/store/sqlite-migrate.js';
import { reportAt, testClock } from '../support/clock.js';
import { exampleReport, LOOPBACK_OPTIONS, tempDir } from '../support/reports.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';


t.test('default file follows XDG_DATA_HOME; WAL; current schema; private folder and file', async (t) => {
  const dir = await tempDir(t);
  t.equal(defaultDbFile({ XDG_DATA_HOME: dir }), path.join(dir, 'exposure-scanner', 'history.db'));
  t.match(defaultDbFile({ XDG_DATA_HOME: 'relative/ignored', HOME: '/home/u' }), /\.local\/share\/exposure-scanner\/history\.db$/, 'a relative XDG_DATA_HOME is ignored (spec)');
  const file = path.join(dir, 'nested', 'history.db');
  const store = await openStore({ file });
  t.teardown(() => store.close());
  t.equal(store.schemaVersion, SCHEMA_VERSION);
  t.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli' });
  for (const name of [file, `${file}-wal`]) t.equal(statSync(name).mode & 0o777, 0o600, `${path.basename(name)} is owner-only`);
  const raw = new Database(file, { readonly: true });
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  raw.close();
});

t.test('a scan goes queued -> running -> done; the report is stored whole and its facts indexed', async (t) => {
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const queued = await store.createScan({ options: { ...LOOPBACK_OPTIONS, vantageToken: 'secret-token' } as typeof LOOPBACK_OPTIONS, trigger: 'api' });
  t.equal(queued.status, 'queued');
  t.equal(queued.scheduleId, null);
  t.notOk('vantageToken' in queued.options, 'the vantage token is never stored');
  await t.rejects(store.finishScan(queued.id, exampleReport()), { code: 'EXP_ERR_SCAN_STATE' }, 'a queued scan cannot finish');
  await clock.tick(1500);
  const running = await store.startScan(queued.id);
  t.equal(running.status, 'running');
  t.same([queued.createdAt, running.startedAt], [new Date(clock.now() - 1500).toISOString(), clock.date().toISOString()], 'stamped by the store\'s clock');
  await t.rejects(store.startScan(queued.id), { code: 'EXP_ERR_SCAN_STATE' });
  const report = exampleReport();
  const done = await store.finishScan(queued.id, report);
  t.equal(done.status, 'done');
  t.equal(done.summary?.mappings, 2);
  t.equal(done.summary?.wanAddress, '11.22.33.44', 'the router-reported address when there is no outside view');
  t.same(await store.getReport(queued.id), report);
  const facts = await store.getFacts(queued.id);
  t.equal(facts?.mappings.length, 2);
  t.same(facts?.findings.map((f) => f.findingId).sort(), report.findings.map((f) => f.id).sort());
  t.equal(facts?.wanAddress, '11.22.33.44');
  await t.rejects(store.failScan(queued.id, { code: 'EXP_ERR_TIMEOUT', message: 'late' }), { code: 'EXP_ERR_SCAN_STATE' }, 'a done scan cannot fail');
  await t.rejects(store.startScan(999), { code: 'EXP_ERR_SCAN_NOT_FOUND' });
  t.equal(await store.getScan(999), undefined);
  t.equal(await store.getReport(999), undefined);
});

t.test('an invalid report is refused and nothing is written', async (t) => {
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db') });
  t.teardown(() => store.close());
  const scan = await store.startScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id);
  const broken = { ...exampleReport(), findings: 'none' } as unknown as ReturnType<typeof exampleReport>;
  await t.rejects(store.finishScan(scan.id, broken), { code: 'EXP_ERR_REPORT_INVALID' });
  t.equal((await store.getScan(scan.id))?.status, 'running');
  const failed = await store.failScan(scan.id, { code: 'EXP_ERR_TIMEOUT', message: 'The scan timed out' });
  t.same(failed.error, { code: 'EXP_ERR_TIMEOUT', message: 'The scan timed out' });
  t.equal(failed.status, 'failed');
  t.ok(failed.finishedAt);
});

t.test('listScans pages newest first with an opaque cursor; latestDone; filters', async (t) => {
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db') });
  t.teardown(() => store.close());
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) ids.push((await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli' })).id);
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
  t.same(seen, [failed.id, ...ids.slice().reverse()], 'every scan once, newest first');
  t.equal(pages, 3);
  t.same((await store.latestDone(2)).map((s) => s.id), [ids[6], ids[5]]);
  t.same((await store.listScans({ status: 'failed' })).items.map((s) => s.id), [failed.id]);
  await t.rejects(store.listScans({ cursor: 'bm9wZQ' }), { code: 'EXP_ERR_DB_CURSOR' });
  t.equal((await store.listScans({ limit: 100000 })).items.length, 8, 'limit is clamped, not refused');
});

t.test('schedules persist, validate, and upsert by name', async (t) => {
  const file = path.join(await tempDir(t), 'h.db');
  const store = await openStore({ file });
  const created = await store.createSchedule({ name: 'nightly', cron: '0 3 * * *', options: LOOPBACK_OPTIONS, webhooks: ['http://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook'], alertOn: 'severity:high' });
  t.same(created.webhooks, ['http://127.0.0.1:9/hook'], 'duplicate webhooks collapse');
  t.equal(created.enabled, true);
  await t.rejects(store.createSchedule({ name: 'nightly', cron: '0 3 * * *', options: LOOPBACK_OPTIONS }), { code: 'EXP_ERR_SCHEDULE_INVALID' }, 'names are unique');
  for (const bad of [
    { cron: 'every day' },
    { cron: '* * * * * * * *' },
    { webhooks: ['ftp://127.0.0.1/x'] },
    { webhooks: ['http://user:pw@127.0.0.1/x'] },
    { alertOn: 'severity:urgent' },
    { name: '' },
  ]) {
    await t.rejects(store.createSchedule({ name: 'bad', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, ...bad } as Parameters<typeof store.createSchedule>[0]), { code: 'EXP_ERR_SCHEDULE_INVALID' }, JSON.stringify(bad));
  }
  const updated = await store.upsertSchedule({ name: 'nightly', cron: '*/10 * * * * *', options: LOOPBACK_OPTIONS, alertOn: 'any' });
  t.equal(updated.id, created.id);
  t.equal(updated.cron, '*/10 * * * * *');
  t.same(updated.webhooks, []);
  await store.close();
  const reopened = await openStore({ file });
  t.teardown(() => reopened.close());
  t.same((await reopened.listSchedules()).map((s) => [s.name, s.cron, s.alertOn]), [['nightly', '*/10 * * * * *', 'any']]);
  const scan = await reopened.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: created.id });
  t.ok(await reopened.deleteSchedule(created.id));
  t.notOk(await reopened.deleteSchedule(created.id));
  t.equal((await reopened.getScan(scan.id))?.scheduleId, null, 'scans outlive their schedule');
  await t.rejects(reopened.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: created.id }), { code: 'EXP_ERR_SCHEDULE_NOT_FOUND' });
});

t.test('never two scans of one schedule; a scan whose process was SIGKILLed is marked interrupted', async (t) => {
  const file = path.join(await tempDir(t), 'h.db');
  const store = await openStore({ file });
  t.teardown(() => store.close());
  const schedule = await store.createSchedule({ name: 's', cron: '* * * * *', options: LOOPBACK_OPTIONS });
  const first = await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id });
  await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), { code: 'EXP_ERR_SCHEDULE_BUSY' });
  await store.failScan(first.id, { code: 'EXP_ERR_ABORTED', message: 'stop' });
  t.equal(await store.markInterrupted(), 0, 'nothing to mark');

  // Another process starts a scan of the schedule and is killed in the middle.
  const child = spawn(process.execPath, [...TS_LOADER_ARGS, new URL('./owner-child.ts', import.meta.url).pathname, file, String(schedule.id)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childScanId = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (status) => reject(new Error(`child exited ${String(status)}`)));
  });
  t.equal((await store.getScan(childScanId))?.status, 'running');
  await t.rejects(store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), { code: 'EXP_ERR_SCHEDULE_BUSY' }, 'busy while the other process lives');
  t.equal(await store.markInterrupted(), 0, 'a live owner is left alone');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  t.equal(await store.markInterrupted(), 1);
  const interrupted = await store.getScan(childScanId);
  t.equal(interrupted?.status, 'interrupted');
  t.equal(interrupted?.error?.code, 'EXP_ERR_SCAN_INTERRUPTED');
  t.ok(await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id }), 'the schedule runs again');
});

t.test('migration 4: the outbox keeps its rows, ids and states, and can now hold abandoned alerts', async (t) => {
  const file = path.join(await tempDir(t), 'v3.db');
  const old = new Database(file);
  t.equal(migrate(old, file, 3), 3);
  const insert = old.prepare("INSERT INTO alerts (id, dedupe_key, webhook, schedule_id, from_scan_id, to_scan_id, body, status, attempts, created_at, next_attempt_at, delivered_at, last_error) VALUES (?, ?, 'https://hooks.example/a', NULL, 1, 2, '{}', ?, ?, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', ?, ?)");
  insert.run(7, 'seven', 'delivered', 1, '2026-11-01T00:00:01.000Z', null);
  insert.run(8, 'eight', 'pending', 3, null, 'HTTP 503');
  t.throws(() => insert.run(9, 'nine', 'abandoned', 1, null, null), /CHECK constraint/, 'version 3 knew no abandoned state');
  old.close();
  const store = await openStore({ file });
  t.teardown(() => store.close());
  t.same((await store.listAlerts()).map((alert) => [alert.id, alert.status, alert.attempts, alert.lastError, alert.abandonedAt]), [[8, 'pending', 3, 'HTTP 503', null], [7, 'delivered', 1, null, null]]);
  await store.markAlertAbandoned(8, 'gone', new Date('2026-11-30T00:00:00.000Z'));
  t.same((await store.listAlerts({ status: 'abandoned' })).map((alert) => [alert.id, alert.attempts, alert.lastError, alert.abandonedAt]), [[8, 4, 'gone', '2026-11-30T00:00:00.000Z']]);
  t.ok(await store.enqueueAlert({ dedupeKey: 'ten', webhook: 'https://hooks.example/a', scheduleId: null, fromScanId: 2, toScanId: 3, body: '{}' }));
  t.equal((await store.listAlerts({ limit: 1 }))[0]?.id, 9, 'new ids continue after the old ones');
  t.equal(await store.enqueueAlert({ dedupeKey: 'seven', webhook: 'https://hooks.example/b', scheduleId: null, fromScanId: 1, toScanId: 2, body: '{}' }), false, 'dedupe keys still unique');
});

t.test('migrations: an old file is upgraded with its data; a newer file is refused and left alone', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'old.db');
  const old = new Database(file);
  t.equal(migrate(old, file, 1), 1);
  old.prepare("INSERT INTO scans (status, trigger, options, created_at, summary, report) VALUES ('done', 'cli', ?, '2026-01-01T00:00:00.000Z', NULL, ?)").run(JSON.stringify(LOOPBACK_OPTIONS), JSON.stringify(exampleReport()));
  old.close();
  const store = await openStore({ file });
  t.equal(store.schemaVersion, SCHEMA_VERSION);
  t.equal((await store.getScan(1))?.status, 'done');
  t.same(await store.getReport(1), exampleReport());
  t.ok(await store.enqueueAlert({ dedupeKey: 'k', webhook: 'http://127.0.0.1:9/', scheduleId: null, fromScanId: 1, toScanId: 1, body: '{}' }), 'the version-2 outbox exists');
  await store.close();

  const future = new Database(file);
  future.pragma('user_version = 99');
  future.close();
  await t.rejects(openStore({ file }), { code: 'EXP_ERR_DB_VERSION' });
  const check = new Database(file, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), 99, 'untouched');
  check.close();
});

t.test('files that cannot be a database fail with EXP_ERR_DB_OPEN', async (t) => {
  const dir = await tempDir(t);
  const { writeFile } = await import('node:fs/promises');
  const junk = path.join(dir, 'junk.db');
  await writeFile(junk, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
  await t.rejects(openStore({ file: junk }), { code: 'EXP_ERR_DB_OPEN' });
  await t.rejects(openStore({ file: path.join(junk, 'below-a-file.db') }), { code: 'EXP_ERR_DB_OPEN' });
  t.notOk(existsSync(path.join(dir, 'junk.db-wal')));
});

t.test('alert outbox: one row per dedupe key; due, failed, delivered', async (t) => {
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const alert = { dedupeKey: 'a1', webhook: 'http://127.0.0.1:9/', scheduleId: null, fromScanId: 1, toScanId: 2, body: '{"x":1}' };
  t.ok(await store.enqueueAlert(alert));
  t.notOk(await store.enqueueAlert({ ...alert, body: '{"x":2}' }), 'the same change is queued once');
  const [due] = await store.dueAlerts(clock.date(), 10);
  t.equal(due?.body, '{"x":1}');
  await store.markAlertFailed(due?.id ?? 0, 'refused', new Date(clock.now() + 60_000));
  t.same(await store.dueAlerts(clock.date(), 10), [], 'not due before its next attempt');
  t.equal((await store.dueAlerts(new Date(clock.now() + 61_000), 10)).length, 1);
  await store.markAlertDelivered(due?.id ?? 0, clock.date());
  const [logged] = await store.listAlerts();
  t.equal(logged?.status, 'delivered');
  t.equal(logged?.attempts, 2);
  t.same(await store.dueAlerts(new Date(clock.now() + 3600_000), 10), []);
});

t.test('pruning deletes old finished scans and their facts, never the newest done scan nor a running one', async (t) => {
  const clock = testClock();
  const file = path.join(await tempDir(t), 'h.db');
  const store = await openStore({ file, now: clock.date });
  t.teardown(() => store.close());
  const day = 86_400_000;
  const start = clock.now();
  const schedule = await store.createSchedule({ name: 's', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
  // Recorded scans are dated by their report: 10, 9 and 8 days before the clock's now.
  const old: number[] = [];
  for (const daysAgo of [10, 9, 8]) old.push((await store.recordScan(reportAt(start - daysAgo * day), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id })).id);
  const failed = (await store.failScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id, { code: 'EXP_ERR_TIMEOUT', message: 'x' })).id;
  const running = (await store.startScan((await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'cli' })).id)).id;
  t.equal(await store.pruneScans(new Date(start - 10 * day)), 0, 'nothing is older than ten days');
  await clock.tick(1000);
  t.equal(await store.pruneScans(clock.date()), 3, 'two old done scans and the failed one');
  t.same((await store.listScans()).items.map((s) => s.id).sort(), [old[2], running].sort());
  t.equal(await store.getScan(failed), undefined);
  const raw = new Database(file, { readonly: true });
  t.same(raw.prepare('SELECT DISTINCT scan_id FROM scan_mappings').all(), [{ scan_id: old[2] }], 'facts go with their scan');
  raw.close();
});

t.test('migration 5: sites arrive with "default" on old rows; scans keep their schedule; deleted schedule ids are not reused', async (t) => {
  const file = path.join(await tempDir(t), 'v4.db');
  const old = new Database(file);
  old.pragma('foreign_keys = ON');
  t.equal(migrate(old, file, 4), 4);
  const schedule = (name: string) => Number(old.prepare("INSERT INTO schedules (name, cron, options, created_at, updated_at) VALUES (?, '0 * * * *', '{}', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')").run(name).lastInsertRowid);
  const kept = schedule('watch');
  const deleted = schedule('old');
  old.prepare('DELETE FROM schedules WHERE id = ?').run(deleted);
  old.prepare("INSERT INTO scans (status, trigger, schedule_id, options, created_at) VALUES ('failed', 'schedule', ?, '{}', '2026-11-01T00:00:00.000Z')").run(kept);
  old.close();
  const store = await openStore({ file });
  t.teardown(() => store.close());
  t.equal(store.schemaVersion, SCHEMA_VERSION);
  t.same([(await store.getScan(1))?.scheduleId, (await store.getScan(1))?.site], [kept, 'default'], 'the rebuilt schedules table did not null the scan\'s schedule');
  t.same((await store.listSchedules()).map((s) => [s.id, s.name, s.site]), [[kept, 'watch', 'default']]);
  const next = await store.createSchedule({ name: 'new', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
  t.ok(next.id > deleted, 'a deleted schedule\'s id is never given again (old alerts name it)');
  t.ok(await store.createSchedule({ name: 'watch', site: 'office', cron: '0 * * * *', options: LOOPBACK_OPTIONS }), 'names are unique per site now');
  const raw = new Database(file, { readonly: true });
  t.same(raw.prepare('SELECT version, name FROM schema_version ORDER BY version').all(), [[1, 'scans, facts, schedules'], [2, 'alert outbox'], [3, 'gzip reports, prune index'], [4, 'abandoned alerts'], [5, 'sites']].map(([version, name]) => ({ version, name })), 'each step logged once');
  t.equal(raw.pragma('user_version', { simple: true }), 5, 'user_version kept for older programs');
  raw.close();
});
