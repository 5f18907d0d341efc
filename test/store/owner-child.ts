/**
 * Run as a separate process by store.test.ts: starts a scan of a schedule in the given database, prints its
 * id, and waits to be killed (SIGKILL), as a scheduler process would be in the middle of a scan.
 */
import { openStore } from '../../src/store/index.js';
import { LOOPBACK_OPTIONS } from '../support/reports.js';

const [file, scheduleId] = process.argv.slice(2);
const store = await openStore({ file: file ?? '' });
const scan = await store.createScan({ options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: Number(scheduleId) });
await store.startScan(scan.id);
process.stdout.write(`${scan.id}\n`);
setInterval(() => undefined, 1000);
