import t from 'tap';
import path from 'node:path';
import { startOutbox } from '../../src/alerts/outbox.js';
import { buildPayload } from '../../src/alerts/payload.js';
import { diffReports } from '../../src/diff/diff.js';
import { openStore } from '../../src/store/index.js';
import { testClock } from '../support/clock.js';
import { exampleReport, LOOPBACK_OPTIONS, tempDir } from '../support/reports.js';
import { startReceiver } from '../support/webhook-receiver.js';

t.test('the outbox never sends a body that breaks the contract: the alert is abandoned with EXP_ERR_WEBHOOK_PAYLOAD', async (t) => {
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'h.db'), now: clock.date });
  t.teardown(() => store.close());
  const first = await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'cli' });
  const report = exampleReport();
  report.gateways[0]?.mappings.push({ protocol: 'TCP', externalPort: 443, internalClient: '192.168.1.20', internalPort: 443, description: 'NAS', enabled: true, leaseDuration: 0, remoteHost: '' });
  const second = await store.recordScan(report, { options: LOOPBACK_OPTIONS, trigger: 'cli' });
  const diff = diffReports(exampleReport(), report, { from: first.id, to: second.id });
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const good = buildPayload({ webhook: receiver.url, diff, matched: diff.changes, alertOn: 'any', schedule: null, summary: null });
  const row = { webhook: receiver.url, scheduleId: null, fromScanId: first.id, toScanId: second.id };
  // Rows as a bug (or a hand-edited database) could leave them: a wrong version, and a body that is not JSON.
  await store.enqueueAlert({ ...row, dedupeKey: 'a'.repeat(32), body: JSON.stringify({ ...good, version: 2 }) });
  await store.enqueueAlert({ ...row, dedupeKey: 'b'.repeat(32), body: '{"type":"exposure.changes"' });
  await store.enqueueAlert({ ...row, dedupeKey: good.id, body: JSON.stringify(good) });
  const log: string[] = [];
  const outbox = startOutbox({ store, clock, pollMs: 50, timeoutMs: 1000, retryBaseMs: 100, log: (line) => log.push(line) });
  t.teardown(() => outbox.stop());
  await outbox.idle();
  for (let step = 0; step < 10; step++) {
    await clock.tick(50);
    await outbox.idle();
  }
  t.equal(receiver.received.length, 1, 'only the valid body was sent');
  t.same((receiver.received[0]?.body as { id: string }).id, good.id);
  const alerts = await store.listAlerts();
  const byKey = new Map(alerts.map((alert) => [alert.dedupeKey, alert]));
  t.match(byKey.get('a'.repeat(32)), { status: 'abandoned', attempts: 1, lastError: /^EXP_ERR_WEBHOOK_PAYLOAD: Alert \d+ to http:\/\/127\.0\.0\.1:\d+ was not sent: .*\(\/version must be equal to constant\)$/ });
  t.match(byKey.get('b'.repeat(32)), { status: 'abandoned', lastError: /^EXP_ERR_WEBHOOK_PAYLOAD: .*the stored body is not JSON/ });
  t.equal(byKey.get(good.id)?.status, 'delivered');
  t.equal(log.filter((line) => line.startsWith('exposure: EXP_ERR_WEBHOOK_PAYLOAD: ')).length, 2, 'each refusal is logged once');
  t.notOk(log.some((line) => line.includes('secret-path')) || alerts.some((alert) => alert.lastError?.includes('secret-path')), 'the log and the reason name the origin, never the path');
});
