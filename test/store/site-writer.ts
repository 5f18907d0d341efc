/**
 * Run as a separate process by postgres-contract.test.ts: a watcher of one site, writing into a shared database
 * as `exposure watch --site SITE` does (its schedule upserted, then scans queued, started and finished with their
 * facts, and an alert per change). Waits for "go" on standard input so that two writers start at once; prints the
 * ids it wrote as JSON.
 */
import { once } from 'node:events';
import { openStore } from '../../src/store/index.js';
import { exampleReport, LOOPBACK_OPTIONS } from '../support/reports.js';

const [location = '', site = '', countText = '0'] = process.argv.slice(2);
const store = await openStore({ file: location });
const schedule = await store.upsertSchedule({ name: 'watch', site, cron: '0 * * * *', options: LOOPBACK_OPTIONS, webhooks: ['http://127.0.0.1:9/hook'] });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const ids: number[] = [];
for (let i = 0; i < Number(countText); i++) {
  const scan = await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: schedule.id });
  await store.startScan(scan.id);
  const report = exampleReport();
  const gateway = report.gateways[0];
  if (gateway) gateway.mappings = gateway.mappings.map((mapping) => ({ ...mapping, description: `${site} ${i}` }));
  await store.finishScan(scan.id, report);
  await store.enqueueAlert({ dedupeKey: `${site}-${scan.id}`, webhook: 'http://127.0.0.1:9/hook', scheduleId: schedule.id, fromScanId: scan.id, toScanId: scan.id, body: '{}', site });
  ids.push(scan.id);
}
await store.close();
process.stdout.write(`${JSON.stringify(ids)}\n`);
