import t from 'tap';
import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { ScanRecord } from '../../src/store/types.js';
import type { ReportDiff } from '../../src/diff/types.js';
import { startFakeIgd, type FakeMapping } from '../support/fake-igd.js';
import { closedPort } from '../support/ports.js';
import { runCli } from '../support/cli.js';
import { LOOPBACK_OPTIONS, tempDir } from '../support/reports.js';

t.test('scan --db keeps every scan; history lists them; diff shows the new mapping', async (t) => {
  const db = path.join(await tempDir(t), 'history.db');
  const mappings: FakeMapping[] = [{ protocol: 'UDP', externalPort: 3074, internalClient: '10.0.0.7', internalPort: 3074, description: 'Xbox', leaseDuration: 3600 }];
  const igd = await startFakeIgd({ mappings });
  t.teardown(igd.close);
  const scan = ['scan', '--gateway', igd.url, '--fail-on', 'none', '--format', 'json', '--db', db];

  const notEnough = await runCli(['diff', '--db', db]);
  t.equal(notEnough.code, 2);
  t.match(notEnough.stderr, /EXP_ERR_NOT_ENOUGH_HISTORY/);

  const first = await runCli(scan);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, /Saved as scan 1 in /);
  mappings.push({ protocol: 'TCP', externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP QTS', leaseDuration: 0 });
  t.equal((await runCli(scan)).code, 0);

  const history = await runCli(['history', '--db', db, '--format', 'json']);
  t.equal(history.code, 0, history.stderr);
  const { scans } = JSON.parse(history.stdout) as { scans: ScanRecord[] };
  t.same(scans.map((s) => [s.id, s.status, s.trigger]), [[2, 'done', 'cli'], [1, 'done', 'cli']]);
  t.same(scans.map((s) => s.summary?.mappings), [2, 1]);
  const text = await runCli(['history', '--db', db, '--limit', '1']);
  t.match(text.stdout, /^ID\s+STATUS/);
  t.equal(text.stdout.trim().split('\n').length, 2, 'header and one scan');

  const diff = await runCli(['diff', '--db', db, '--format', 'json']);
  t.equal(diff.code, 1, 'changes exit 1, like diff(1)');
  const parsed = JSON.parse(diff.stdout) as ReportDiff;
  t.equal(parsed.from.scanId, 1);
  t.equal(parsed.to.scanId, 2);
  t.ok(parsed.changes.some((c) => c.kind === 'mapping-added' && c.key === 'TCP/8080' && c.newExposure));
  t.ok(parsed.changes.some((c) => c.kind === 'finding-new' && /^upnp-mapping-udn-[0-9a-f]{8}-tcp-8080$/.test(c.key)));
  const same = await runCli(['diff', '2', '2', '--db', db]);
  t.equal(same.code, 0);
  t.match(same.stdout, /no changes/);
  const one = await runCli(['diff', '1', '--db', db]);
  t.equal(one.code, 1);
  t.match(one.stdout, /scan 1 .* to scan 2/);
  t.match(one.stdout, /\+ \[NEW EXPOSURE\] new mapping TCP\/8080 -> 10\.0\.0\.5:8080 \(QNAP QTS\)/);
});

t.test('a failed scan is kept as failed; diff refuses scans without a report', async (t) => {
  const db = path.join(await tempDir(t), 'history.db');
  const gateway = `http://127.0.0.1:${await closedPort()}/rootDesc.xml`;
  const failed = await runCli(['scan', '--gateway', gateway, '--interface', 'nosuch0', '--db', db]);
  t.equal(failed.code, 2);
  t.match(failed.stderr, /EXP_ERR_INTERFACE_NOT_FOUND/);
  const store = await openStore({ file: db });
  t.teardown(() => store.close());
  const [scan] = (await store.listScans()).items;
  t.equal(scan?.status, 'failed');
  t.equal(scan?.error?.code, 'EXP_ERR_INTERFACE_NOT_FOUND');
  const diff = await runCli(['diff', '1', '1', '--db', db]);
  t.equal(diff.code, 2);
  t.match(diff.stderr, /EXP_ERR_SCAN_STATE/);
  t.match((await runCli(['diff', '7', '9', '--db', db])).stderr, /EXP_ERR_SCAN_NOT_FOUND/);
});

t.test('usage errors', async (t) => {
  const db = path.join(await tempDir(t), 'h.db');
  for (const [args, pattern] of [
    [['history', '--limit', '0', '--db', db], /--limit/],
    [['history', '--format', 'xml', '--db', db], /--format/],
    [['history', 'extra', '--db', db], /Unexpected argument|positional/i],
    [['diff', 'one', '--db', db], /not a scan id/],
    [['diff', '1', '2', '3', '--db', db], /at most two/],
  ] as const) {
    const result = await runCli([...args]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, /EXP_ERR_USAGE/);
    t.match(result.stderr, pattern);
  }
  for (const command of ['history', 'diff']) t.match((await runCli([command, '--help'])).stdout, /--db FILE/);
  t.match((await runCli(['scan', '--help'])).stdout, /--save/);
  const db2 = path.join(await tempDir(t), 'x', 'h.db');
  t.equal((await runCli(['history', '--db', db2])).code, 0, 'an empty history is not an error');
});

t.test('--save without --db uses $XDG_DATA_HOME/exposure-scanner/history.db', async (t) => {
  const dir = await tempDir(t);
  const previous = process.env['XDG_DATA_HOME'];
  process.env['XDG_DATA_HOME'] = dir;
  t.teardown(() => {
    if (previous === undefined) delete process.env['XDG_DATA_HOME'];
    else process.env['XDG_DATA_HOME'] = previous;
  });
  const igd = await startFakeIgd({});
  t.teardown(igd.close);
  const result = await runCli(['scan', '--gateway', igd.url, '--save', '--fail-on', 'none']);
  t.equal(result.code, 0, result.stderr);
  const file = path.join(dir, 'exposure-scanner', 'history.db');
  t.match(result.stderr, `Saved as scan 1 in ${file}`);
  const history = await runCli(['history', '--format', 'json']);
  t.equal((JSON.parse(history.stdout) as { scans: unknown[] }).scans.length, 1);
});

t.test('alerts: the outbox newest first, by status, webhooks by origin only, hostile errors made safe', async (t) => {
  const db = path.join(await tempDir(t), 'history.db');
  const store = await openStore({ file: db });
  const schedule = await store.createSchedule({ name: 'home', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, webhooks: ['https://hooks.example/services/T0/B0/secret-path'] });
  const queue = (key: string, webhook: string, scheduleId: number | null) =>
    store.enqueueAlert({ dedupeKey: key, webhook, scheduleId, fromScanId: 1, toScanId: 2, body: '{}' });
  await queue('a', 'https://hooks.example/services/T0/B0/secret-path', schedule.id);
  await queue('b', 'http://127.0.0.1:9/other-secret', null);
  await queue('c', 'https://hooks.example/services/T0/B0/secret-path', schedule.id);
  const [c, b, a] = await store.listAlerts();
  await store.markAlertDelivered(a?.id ?? 0, new Date('2026-11-30T10:00:00.000Z'));
  await store.markAlertFailed(b?.id ?? 0, 'HTTP 503 \u001b[31mred\u202e', new Date('2026-11-30T11:00:00.000Z'));
  await store.markAlertAbandoned(c?.id ?? 0, 'HTTP 410; abandoned after 9 attempts over 7 days', new Date('2026-11-30T12:00:00.000Z'));
  await store.close();

  const text = await runCli(['alerts', '--db', db]);
  t.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  t.match(lines[0], /^ID\s+STATUS\s+QUEUED\s+SCHEDULE\s+WEBHOOK\s+SCANS\s+TRIES\s+NEXT \/ DONE\s+LAST ERROR$/);
  t.match(lines[1], /^3\s+abandoned\s+\S+\s+home\s+https:\/\/hooks\.example\s+1 -> 2\s+1\s+2026-11-30T12:00:00\.000Z\s+HTTP 410; abandoned after 9 attempts over 7 days$/);
  t.match(lines[2], /^2\s+pending .* - .*http:\/\/127\.0\.0\.1:9 .* 2026-11-30T11:00:00\.000Z\s+HTTP 503 /);
  t.match(lines[3], /^1\s+delivered .*2026-11-30T10:00:00\.000Z$/);
  t.notMatch(text.stdout, /secret/, 'no webhook path');
  t.notOk(text.stdout.includes('\u001b') || text.stdout.includes('\u202e'), 'no raw control or bidi character');

  const json = await runCli(['alerts', '--db', db, '--status', 'pending', '--format', 'json']);
  const { alerts } = JSON.parse(json.stdout) as { alerts: Array<Record<string, unknown>> };
  t.same(alerts.map((alert) => [alert['id'], alert['status'], alert['webhookOrigin'], alert['schedule'], alert['nextAttemptAt']]), [[2, 'pending', 'http://127.0.0.1:9', null, '2026-11-30T11:00:00.000Z']]);
  t.notMatch(json.stdout, /secret/);

  const bad = await runCli(['alerts', '--db', db, '--status', 'lost']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /EXP_ERR_USAGE: --status must be pending, delivered, abandoned, not "lost"/);
  t.match((await runCli(['alerts', '--help'])).stdout, /abandoned\s+no longer tried/);
  t.match((await runCli(['alerts', '--db', path.join(await tempDir(t), 'empty.db')])).stdout, /^No alerts\./);
});
