/**
 * The scan service on its own: the lifecycle it records in a real SQLite history, the codes it gives failures,
 * its hard time limit (on a fake clock: nothing sleeps) and the limit's line. Scans are fakes the test controls;
 * nothing here touches the network.
 */
import t from 'tap';
import path from 'node:path';
import { createError } from '../../src/core/errors.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { ScanService, type RunScan } from '../../src/scan/service.js';
import { ScanLimiter } from '../../src/scan/service-limiter.js';
import { ScanQueue } from '../../src/server/api/scan-queue.js';
import { openStore } from '../../src/store/index.js';
import { testClock } from '../support/clock.js';
import { exampleReport, tempDir } from '../support/reports.js';

const OPTIONS = { ...DEFAULT_SCAN_OPTIONS, wan: false, gatewayUrl: 'http://127.0.0.1:1/rootDesc.xml' };

/** One turn of the event loop: lets promise chains that are already due run (not a wait for time to pass). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A scan that runs until the test ends it (or its signal does). */
function heldScans() {
  const held: Array<{ signal: AbortSignal; finish: (report: ExposureReport) => void; fail: (error: unknown) => void }> = [];
  const run: RunScan = (_options, signal) =>
    new Promise<ExposureReport>((resolve, reject) => {
      held.push({ signal, finish: resolve, fail: reject });
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  return { held, run };
}

async function history(t: { teardown: (fn: () => Promise<void>) => void }) {
  const store = await openStore({ file: path.join(await tempDir(t), 'history.db') });
  t.teardown(async () => store.close());
  return store;
}

t.test('recorded: queued, then running in its turn, then done with the report', async (t) => {
  const store = await history(t);
  const scans = heldScans();
  const service = new ScanService({ run: scans.run });
  const started = await service.start({ options: OPTIONS, record: { store, trigger: 'cli' } });
  t.equal(started.scan?.status, 'queued');
  await turn();
  t.equal((await store.getScan(started.scan!.id))?.status, 'running', 'running once the scan has its slot');
  scans.held[0]?.finish(exampleReport());
  const outcome = await started.outcome;
  t.equal(outcome.status, 'done');
  t.equal(outcome.scan?.status, 'done');
  t.ok(await store.getReport(started.scan!.id), 'the report is stored');
});

t.test('failures keep one name: our code as is, a bug as EXP_ERR_UNEXPECTED, the caller\'s stop as interrupted', async (t) => {
  const store = await history(t);
  const logged: unknown[] = [];
  const bug = new TypeError('undefined is not a function');
  const failWith = (error: Error): RunScan => () => Promise.reject(error);

  const ours = await new ScanService({ run: failWith(createError('EXP_ERR_HTTP_NETWORK', 'Cannot reach 127.0.0.1:1')) }).run({ options: OPTIONS, record: { store, trigger: 'api' } });
  t.match(ours, { status: 'failed', error: { code: 'EXP_ERR_HTTP_NETWORK' }, scan: { status: 'failed', error: { code: 'EXP_ERR_HTTP_NETWORK' } } });

  const unexpected = await new ScanService({ run: failWith(bug), onError: (error) => logged.push(error) }).run({ options: OPTIONS, record: { store, trigger: 'schedule' } });
  t.match(unexpected, { status: 'failed', error: { code: 'EXP_ERR_UNEXPECTED' }, scan: { status: 'failed', error: { code: 'EXP_ERR_UNEXPECTED' } } });
  t.notMatch(unexpected.scan?.error?.message ?? '', /undefined is not a function/, 'the stored message tells nothing of the internals');
  t.same(logged, [bug], 'the bug itself goes to the log');

  const scans = heldScans();
  const stop = new AbortController();
  const service = new ScanService({ run: scans.run });
  const running = await service.start({ options: OPTIONS, signal: stop.signal, record: { store, trigger: 'cli' } });
  const waiting = await service.start({ options: OPTIONS, signal: stop.signal, record: { store, trigger: 'cli' } });
  await turn();
  stop.abort();
  for (const started of [running, waiting]) {
    const outcome = await started.outcome;
    t.match(outcome, { status: 'interrupted', error: { code: 'EXP_ERR_ABORTED' } });
    t.match(await store.getScan(started.scan!.id), { status: 'interrupted', error: { code: 'EXP_ERR_SCAN_INTERRUPTED' } });
  }
  t.equal(scans.held.length, 1, 'the waiting scan never ran');
});

t.test('a scan that ignores its signal is given up at the hard limit, and the next one runs', async (t) => {
  const clock = testClock();
  let calls = 0;
  const service = new ScanService({
    clock,
    graceMs: 500,
    // The first never settles, whatever its signal says: only the hard limit can end it.
    run: () => (++calls === 1 ? new Promise<ExposureReport>(() => undefined) : Promise.resolve(exampleReport())),
  });
  const first = service.run({ options: { ...OPTIONS, timeoutSeconds: 1 } });
  const second = service.run({ options: OPTIONS });
  await turn();
  await clock.tick(1499);
  t.equal(calls, 1, 'the second waits while the first holds the slot');
  await clock.tick(1);
  t.match(await first, { status: 'failed', error: { code: 'EXP_ERR_TIMEOUT' } });
  t.match(await second, { status: 'done' });
  t.equal(service.limiter.running, 0, 'the slot is free again');
});

t.test('the line: first come first served, a waiter can leave, a full line refuses before anything is recorded', async (t) => {
  const store = await history(t);
  const scans = heldScans();
  const service = new ScanService({ run: scans.run, limiter: new ScanLimiter({ maxRunning: 1, maxWaiting: 2 }) });
  const first = await service.start({ options: OPTIONS, record: { store, trigger: 'api' } });
  const leaving = new AbortController();
  const left = await service.start({ options: OPTIONS, signal: leaving.signal, record: { store, trigger: 'api' } });
  const second = await service.start({ options: OPTIONS, record: { store, trigger: 'api' } });
  t.equal(service.limiter.waiting, 2);
  await t.rejects(service.start({ options: OPTIONS, record: { store, trigger: 'api' } }), { code: 'EXP_ERR_API_BUSY' });
  t.equal((await store.listScans()).items.length, 3, 'the refused scan left no record');
  leaving.abort();
  t.match(await left.outcome, { status: 'interrupted' });
  t.equal(service.limiter.waiting, 1, 'the one that left is out of the line');
  await turn();
  scans.held[0]?.finish(exampleReport());
  await first.outcome;
  await turn();
  t.equal(scans.held.length, 2, 'the next in line runs');
  scans.held[1]?.finish(exampleReport());
  t.equal((await second.outcome).status, 'done');
  t.equal(service.limiter.running + service.limiter.waiting, 0);
});

t.test('the API queue: close interrupts the waiting and the running scans, and refuses new ones', async (t) => {
  const store = await history(t);
  const scans = heldScans();
  const queue = new ScanQueue({ service: new ScanService({ run: scans.run }), store });
  const running = await queue.submit(OPTIONS);
  const waiting = await queue.submit(OPTIONS);
  await turn();
  t.equal(queue.running, 1);
  t.equal(queue.waiting, 1);
  await queue.close(1000);
  t.ok(scans.held[0]?.signal.aborted, 'the running scan saw the abort');
  for (const id of [running.id, waiting.id]) t.match(await store.getScan(id), { status: 'interrupted', error: { code: 'EXP_ERR_SCAN_INTERRUPTED' } });
  await t.rejects(queue.submit(OPTIONS), { code: 'EXP_ERR_API_BUSY' }, 'no scan after close');
});
