/**
 * Issue 14: in `exposure serve` the scheduler's scans count against the API's limit on scans. The API and the
 * scheduler share one scan service here, as serve.ts wires them; the scheduler runs on a fake clock and the scans
 * are held by the test, so nothing sleeps and nothing touches the network.
 */
import t from 'tap';
import path from 'node:path';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { startScheduler } from '../../src/schedule/scheduler.js';
import { ScanService, type RunScan } from '../../src/scan/service.js';
import { ScanLimiter } from '../../src/scan/service-limiter.js';
import { openStore } from '../../src/store/index.js';
import { auth, errorCode, harness } from '../support/api.js';
import { testClock } from '../support/clock.js';
import { exampleReport, tempDir } from '../support/reports.js';

const GATEWAY = 'http://127.0.0.1:1/rootDesc.xml';
const OPTIONS = { ...DEFAULT_SCAN_OPTIONS, wan: false, gatewayUrl: GATEWAY };

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function heldScans() {
  const held: Array<{ finish: (report: ExposureReport) => void }> = [];
  const run: RunScan = (_options, signal) =>
    new Promise<ExposureReport>((resolve, reject) => {
      held.push({ finish: resolve });
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  return { held, run };
}

async function serveLike(t: Parameters<typeof tempDir>[0], maxWaiting: number) {
  const clock = testClock();
  const store = await openStore({ file: path.join(await tempDir(t), 'history.db'), now: clock.date });
  const scans = heldScans();
  // As exposure serve: one service, one limiter, given to both the API and the scheduler.
  const service = new ScanService({ run: scans.run, limiter: new ScanLimiter({ maxRunning: 1, maxWaiting }) });
  const api = await harness({ store, scans: service });
  const schedule = await store.createSchedule({ name: 'home', cron: '* * * * * *', options: OPTIONS });
  const log: string[] = [];
  const scheduler = await startScheduler({ store, clock, maxJitterMs: 0, run: service, log: (line) => log.push(line) });
  t.teardown(async () => {
    await scheduler.stop();
    await api.close();
  });
  const post = () => api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: GATEWAY, wan: false } });
  const scheduled = async () => (await store.listScans({ scheduleId: schedule.id })).items;
  return { clock, store, scans, service, api, scheduler, log, post, scheduled };
}

t.test('a scheduled scan waits while an API scan holds the limit, and takes a place in the API\'s line', async (t) => {
  const serve = await serveLike(t, 1);
  const first = await serve.post();
  t.equal(first.statusCode, 202);
  await turn();
  t.equal(serve.scans.held.length, 1, 'the API scan runs');

  await serve.clock.tick(1000);
  await turn();
  const [waiting] = await serve.scheduled();
  t.equal(waiting?.status, 'queued', 'the scheduled scan is recorded and waits');
  t.equal(serve.scans.held.length, 1, 'it does not run beside the API scan');
  t.equal(serve.service.limiter.waiting, 1);

  const refused = await serve.post();
  t.equal(refused.statusCode, 503, 'the waiting scheduled scan fills the line the API scans wait in');
  t.equal(errorCode(refused), 'EXP_ERR_API_BUSY');

  serve.scans.held[0]?.finish(exampleReport());
  for (let i = 0; i < 10 && serve.scans.held.length < 2; i++) await turn();
  t.equal(serve.scans.held.length, 2, 'the scheduled scan runs once the API scan is done');
  serve.scans.held[1]?.finish(exampleReport());
  await serve.scheduler.idle();
  t.equal((await serve.scheduled())[0]?.status, 'done');
});

t.test('a scheduled scan that finds the line full is refused with EXP_ERR_API_BUSY and leaves no record', async (t) => {
  const serve = await serveLike(t, 1);
  t.equal((await serve.post()).statusCode, 202, 'one API scan runs');
  t.equal((await serve.post()).statusCode, 202, 'one API scan waits: the line is full');
  await serve.clock.tick(1000);
  await serve.scheduler.idle();
  t.same(await serve.scheduled(), [], 'no scheduled scan recorded');
  t.match(serve.log.join('\n'), /schedule "home": .*already waiting/, 'the refusal is logged');
  t.equal(serve.scans.held.length, 1, 'still one scan at a time');
});
