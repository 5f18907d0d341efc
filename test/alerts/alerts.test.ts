import t from 'tap';
import type { Test as Tap } from 'tap';
import path from 'node:path';
import { matchesFilter } from '../../src/alerts/filter.js';
import { queueAlerts, startOutbox, webhookOrigin, type Outbox } from '../../src/alerts/outbox.js';
import { buildPayload, slackEscape, type AlertPayload } from '../../src/alerts/payload.js';
import { diffReports } from '../../src/diff/diff.js';
import type { Change } from '../../src/diff/types.js';
import { openStore } from '../../src/store/index.js';
import { testClock, type TestClock } from '../support/clock.js';
import { closedPort } from '../support/ports.js';
import { exampleReport, LOOPBACK_OPTIONS, tempDir } from '../support/reports.js';
import { startReceiver } from '../support/webhook-receiver.js';

const change = (overrides: Partial<Change>): Change => ({ kind: 'finding-new', key: 'k', summary: 's', severity: 'low', newExposure: false, ...overrides });

t.test('alert filters mean what the README says', async (t) => {
  const newHigh = change({ severity: 'high', newExposure: true });
  const raisedToHigh = change({ kind: 'finding-severity-changed', severity: 'high', previousSeverity: 'low', newExposure: true });
  const highToCritical = change({ kind: 'finding-severity-changed', severity: 'critical', previousSeverity: 'high', newExposure: true });
  const resolved = change({ kind: 'finding-resolved', severity: 'critical' });
  const mapping = change({ kind: 'mapping-added', severity: null, newExposure: true });
  const closed = change({ kind: 'wan-port-closed', severity: null });
  t.same([newHigh, raisedToHigh, highToCritical, resolved, mapping, closed].map((c) => matchesFilter(c, 'any')), [true, true, true, true, true, true]);
  t.same([newHigh, raisedToHigh, highToCritical, resolved, mapping, closed].map((c) => matchesFilter(c, 'new-exposure')), [true, true, true, false, true, false]);
  t.same([newHigh, raisedToHigh, highToCritical, resolved, mapping, closed].map((c) => matchesFilter(c, 'severity:high')), [true, true, false, false, false, false], 'high to critical was already at or above high');
  t.equal(matchesFilter(change({ severity: 'medium' }), 'severity:high'), false);
});

t.test('the payload: Slack-safe text, every change with matched, a dedupe id per change set per webhook', async (t) => {
  const before = exampleReport();
  const after = exampleReport();
  after.gateways[0]?.mappings.push({ protocol: 'TCP', externalPort: 443, internalClient: '192.168.1.20', internalPort: 443, description: '<!channel> <https://evil.example|click> & \u001b[2J', enabled: true, leaseDuration: 0, remoteHost: '' });
  const diff = diffReports(before, after, { from: 1, to: 2 });
  const matched = diff.changes.filter((c) => matchesFilter(c, 'new-exposure'));
  const payload = buildPayload({ webhook: 'https://hooks.example/a', diff, matched, alertOn: 'new-exposure', schedule: { id: 3, name: 'home' }, summary: null });
  t.equal(payload.type, 'exposure.changes');
  t.notMatch(payload.text, /<!channel>|<https:/, 'no mention or link can be injected');
  t.match(payload.text, /&lt;!channel&gt; &lt;https:\/\/evil\.example\|click&gt; &amp; \\x1b\[2J/);
  t.match(payload.text, /home/);
  t.equal(payload.changes.length, diff.changes.length);
  t.ok(payload.changes.some((c) => c.matched && c.kind === 'mapping-added'));
  t.equal(slackEscape('a<b>&'), 'a&lt;b&gt;&amp;');
  t.equal(payload.omittedChanges, 0);
  t.ok(payload.changes[0]?.matched, 'matched changes come first');
  const many = { ...diff, changes: Array.from({ length: 1200 }, (_, i) => ({ ...diff.changes[0], key: `TCP/${i}` }) as Change) };
  const big = buildPayload({ webhook: 'https://hooks.example/a', diff: many, matched: many.changes.slice(1000), alertOn: 'any', schedule: null, summary: null });
  t.equal(big.changes.length, 500);
  t.equal(big.omittedChanges, 700);
  t.equal(big.changes[0]?.key, 'TCP/1000', 'matched first, so they are never the ones cut');
  t.match(big.text, /and 185 more/);
  const again = buildPayload({ webhook: 'https://hooks.example/a', diff, matched, alertOn: 'new-exposure', schedule: null, summary: null });
  t.equal(again.id, payload.id, 'the same change set to the same webhook has the same id');
  t.not(buildPayload({ webhook: 'https://hooks.example/b', diff, matched, alertOn: 'new-exposure', schedule: null, summary: null }).id, payload.id);
  t.equal(webhookOrigin('https://hooks.slack.com/services/T0/B0/secret'), 'https://hooks.slack.com', 'logs never show the secret path');
});

async function twoScans(t: Tap, clock = testClock()) {
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const first = await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli' });
  const report = exampleReport();
  report.gateways[0]?.mappings.push({ protocol: 'TCP', externalPort: 443, internalClient: '192.168.1.20', internalPort: 443, description: 'NAS', enabled: true, leaseDuration: 0, remoteHost: '' });
  const second = await store.recordScan(report, { options: LOOPBACK_OPTIONS, trigger: 'cli' });
  const diff = diffReports(exampleReport(), report, { from: first.id, to: second.id });
  return { store, diff, summary: second.summary, clock };
}

/**
 * The outbox runs on a fake clock: time moves in steps, and each step waits for the deliveries it started (real
 * HTTP on loopback) before the next, so what the test sees does not depend on how fast the machine is.
 */
async function advance(clock: TestClock, outbox: Outbox, ms: number, step: number): Promise<void> {
  for (let passed = 0; passed < ms; passed += step) {
    await clock.tick(step);
    await outbox.idle();
  }
}

t.test('outbox: queued once, delivered once, retried with backoff while the receiver fails, then delivered', async (t) => {
  const { store, diff, summary, clock } = await twoScans(t);
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  receiver.respond = 503;
  const targets = { webhooks: [receiver.url], alertOn: 'new-exposure' as const, schedule: null };
  t.equal(await queueAlerts(store, targets, diff, summary), 1);
  t.equal(await queueAlerts(store, targets, diff, summary), 0, 'the same change set is never queued twice');
  t.equal(await store.hasAlertFor(diff.to.scanId ?? 0), true, 'the store knows the newest scan was alerted');
  t.equal(await store.hasAlertFor(diff.from.scanId ?? 0), false);
  t.equal(await queueAlerts(store, { ...targets, alertOn: 'severity:critical' }, diffReports(exampleReport(), exampleReport(), { from: 1, to: 1 }), null), 0, 'no change, no alert');
  const log: string[] = [];
  const outbox = startOutbox({ store, clock, retryBaseMs: 100, retryMaxMs: 400, pollMs: 50, timeoutMs: 1000, log: (line) => log.push(line) });
  t.teardown(() => outbox.stop());
  await outbox.idle();
  // Tried at once, again 80-120 ms later (seen at the next 50 ms poll), again 160-240 ms after that: 3 tries in 500 ms.
  await advance(clock, outbox, 500, 50);
  t.equal(receiver.received.length, 0);
  const [pending] = await store.listAlerts();
  t.equal(pending?.status, 'pending');
  t.equal(pending?.attempts, 3, 'retried with a doubling backoff');
  t.match(pending?.lastError, /HTTP 503/);
  t.ok(log.some((line) => line.includes('EXP_ERR_WEBHOOK') && line.includes('http://127.0.0.1:') && !line.includes('secret-path')), 'failures are logged, without the path');
  receiver.respond = 200;
  await advance(clock, outbox, 500, 50);
  t.equal(receiver.received.length, 1, 'delivered at the next retry, at most 480 ms later');
  t.equal((await store.listAlerts())[0]?.status, 'delivered');
  await advance(clock, outbox, 5000, 250);
  t.equal(receiver.received.length, 1, 'exactly once');
  const body = receiver.received[0]?.body as AlertPayload;
  t.equal(receiver.received[0]?.headers['idempotency-key'], body.id);
  t.equal(receiver.received[0]?.headers['content-type'], 'application/json');
  t.ok(body.changes.some((c) => c.kind === 'mapping-added' && c.key === 'TCP/443' && c.matched));
});

t.test('outbox: a receiver that is down (nothing listening) gets the alert when it comes back; a hanging one times out', async (t) => {
  const { store, diff, summary, clock } = await twoScans(t);
  const port = await closedPort();
  const hanging = await startReceiver();
  t.teardown(hanging.close);
  hanging.respond = 'hang';
  // Alerts are sent one at a time in queue order: the hanging receiver's first, so its time limit is the only
  // thing that can end the first send, and the refused one is sent after it with the clock standing still.
  await queueAlerts(store, { webhooks: [hanging.url, `http://127.0.0.1:${port}/hook`], alertOn: 'any', schedule: null }, diff, summary);
  const outbox = startOutbox({ store, clock, retryBaseMs: 100, retryMaxMs: 300, pollMs: 50, timeoutMs: 300 });
  t.teardown(() => outbox.stop());
  await clock.tick(300);
  await outbox.idle();
  const errors = (await store.listAlerts()).map((alert) => alert.lastError ?? '');
  t.ok(errors.some((e) => /ECONNREFUSED/.test(e)), errors.join(' | '));
  t.ok(errors.some((e) => /no answer in 300 ms/.test(e)), errors.join(' | '));
  // From now on the hanging receiver refuses quickly, so a round never waits on it.
  hanging.respond = 503;
  const back = await startReceiver(port);
  t.teardown(back.close);
  await advance(clock, outbox, 500, 50);
  t.equal(back.received.length, 1);
  t.equal((await store.listAlerts()).filter((alert) => alert.status === 'delivered').length, 1);
});

t.test('outbox: when a receiver is back, its backlog goes at once, not at each alert\'s backoff time', async (t) => {
  const { store, diff, summary, clock } = await twoScans(t);
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  receiver.respond = 500;
  const targets = { webhooks: [receiver.url], alertOn: 'any' as const, schedule: null };
  await queueAlerts(store, targets, diff, summary);
  const outbox = startOutbox({ store, clock, retryBaseMs: 60_000, pollMs: 50, timeoutMs: 1000 });
  t.teardown(() => outbox.stop());
  await outbox.idle();
  t.equal((await store.listAlerts())[0]?.attempts, 1);
  t.ok(new Date((await store.listAlerts())[0]?.nextAttemptAt ?? 0).getTime() > clock.now() + 30_000, 'backed off for about a minute');
  receiver.respond = 200;
  await queueAlerts(store, targets, { ...diff, from: { ...diff.from, scanId: 7 }, to: { ...diff.to, scanId: 8 } }, summary);
  outbox.kick();
  await outbox.idle();
  t.equal(receiver.received.length, 2, 'both went without the clock moving');
  t.same(receiver.received.map((r) => (r.body as AlertPayload).to.scanId).sort(), [diff.to.scanId, 8].sort());
});

t.test('outbox: an alert undeliverable past its age limit is abandoned, logged once, and never tried again', async (t) => {
  const { store, diff, summary, clock } = await twoScans(t);
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  receiver.respond = 410;
  await queueAlerts(store, { webhooks: [receiver.url], alertOn: 'any', schedule: null }, diff, summary);
  const log: string[] = [];
  const outbox = startOutbox({ store, clock, retryBaseMs: 50, retryMaxMs: 50, pollMs: 25, timeoutMs: 1000, maxAgeMs: 300, log: (line) => log.push(line) });
  t.teardown(() => outbox.stop());
  await outbox.idle();
  // Retried every 40-60 ms (seen at the next 25 ms poll); the first failure at or past 300 ms abandons it.
  await advance(clock, outbox, 400, 25);
  const [abandoned] = await store.listAlerts({ status: 'abandoned' });
  t.match(abandoned?.lastError, /^HTTP 410; abandoned after \d+ attempts? over 1 minute$/);
  t.ok(abandoned?.abandonedAt);
  const attempts = abandoned?.attempts ?? 0;
  t.ok(attempts >= 1);
  const logged = log.length;
  await advance(clock, outbox, 5000, 250);
  t.equal((await store.listAlerts())[0]?.attempts, attempts, 'no attempt after it was abandoned');
  t.equal(log.length, logged);
  t.equal(log.filter((line) => line.includes('abandoned')).length, 1);
  t.match(log.at(-1), /EXP_ERR_WEBHOOK: alert \d+ to http:\/\/127\.0\.0\.1:\d+ failed: HTTP 410; abandoned after/);
  t.same(await store.listAlerts({ status: 'pending' }), []);
});

t.test('store: a webhook taken out of a schedule, or the schedule deleted, abandons its pending alerts only', async (t) => {
  const { store, diff, summary } = await twoScans(t);
  const kept = 'https://hooks.example/kept';
  const removed = 'https://hooks.example/removed';
  const home = await store.createSchedule({ name: 'home', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, webhooks: [kept, removed] });
  const office = await store.createSchedule({ name: 'office', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, webhooks: [removed] });
  await queueAlerts(store, { webhooks: [kept, removed], alertOn: 'any', schedule: { id: home.id, name: home.name } }, diff, summary);
  await queueAlerts(store, { webhooks: [removed], alertOn: 'any', schedule: { id: office.id, name: office.name } }, { ...diff, to: { ...diff.to, scanId: 9 } }, summary);
  const delivered = (await store.listAlerts()).find((alert) => alert.scheduleId === home.id && alert.webhook === kept);
  await store.markAlertDelivered(delivered?.id ?? 0, new Date());
  await queueAlerts(store, { webhooks: [kept], alertOn: 'any', schedule: { id: home.id, name: home.name } }, { ...diff, to: { ...diff.to, scanId: 10 } }, summary);

  await store.upsertSchedule({ name: 'home', cron: '*/5 * * * *', options: LOOPBACK_OPTIONS, webhooks: [kept] });
  const byKey = async () => (await store.listAlerts()).map((alert) => `${alert.scheduleId === home.id ? 'home' : 'office'} ${alert.webhook.split('/').pop() ?? ''} ${alert.toScanId === 10 ? 'later ' : ''}${alert.status}`).sort();
  t.same(await byKey(), ['home kept delivered', 'home kept later pending', 'home removed abandoned', 'office removed pending']);
  t.match((await store.listAlerts({ status: 'abandoned' }))[0]?.lastError, 'the webhook was removed from schedule "home"');

  t.equal(await store.deleteSchedule(office.id), true);
  t.equal(await store.deleteSchedule(office.id), false);
  t.match((await store.listAlerts({ status: 'abandoned' })).map((alert) => alert.lastError), ['schedule "office" was deleted', 'the webhook was removed from schedule "home"']);
  t.equal((await store.listAlerts({ status: 'pending' })).length, 1, 'the kept webhook\'s alert still waits');
  t.equal((await store.listAlerts({ status: 'delivered', limit: 1 })).length, 1);
  const gone = (await store.listAlerts({ status: 'abandoned' }))[0];
  await store.markAlertFailed(gone?.id ?? 0, 'HTTP 503', new Date());
  t.equal((await store.listAlerts({ status: 'abandoned' }))[0]?.lastError, gone?.lastError, 'a send that fails after the alert was abandoned keeps the reason');
});
