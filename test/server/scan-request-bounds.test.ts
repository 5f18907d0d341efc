import t from 'tap';
import { ScanQueue, type ScanFailure } from '../../src/server/api/scan-queue.js';
import { ScanSlots } from '../../src/server/api/scan-slots.js';
import { DEFAULT_SCAN_OPTIONS, SCAN_LIMITS } from '../../src/core/options.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { ENGINE_CHOICES } from '../../src/net/portscan/engines.js';
import requestSchema from '../../schemas/api-scan-request.schema.json' with { type: 'json' };
import type { ExposureReport } from '../../src/core/report.generated.js';

/** Records what the queue reports, in order. */
function journal() {
  const events: string[] = [];
  const failures = new Map<number, ScanFailure & { status: string }>();
  return {
    events,
    failures,
    recorder: {
      running: (id: number) => void events.push(`running ${id}`),
      done: (id: number) => void events.push(`done ${id}`),
      failed: (id: number, status: 'failed' | 'interrupted', failure: ScanFailure) => {
        events.push(`${status} ${id}`);
        failures.set(id, { ...failure, status });
      },
    },
  };
}

const fakeReport = {} as ExposureReport;

t.test('a scan that ignores its signal is given up at the hard limit, and the queue moves on', async (t) => {
  const log = journal();
  let calls = 0;
  const queue = new ScanQueue({
    recorder: log.recorder,
    graceMs: 50,
    // This scan runner never settles: the queue must not wait for it for ever.
    run: () => {
      calls++;
      return calls === 1 ? new Promise<ExposureReport>(() => undefined) : Promise.resolve(fakeReport);
    },
  });
  queue.enqueue(1, { ...DEFAULT_SCAN_OPTIONS, timeoutSeconds: 0.1 });
  queue.enqueue(2, { ...DEFAULT_SCAN_OPTIONS });
  for (let i = 0; i < 100 && !log.events.includes('done 2'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(log.events, ['running 1', 'failed 1', 'running 2', 'done 2']);
  t.equal(log.failures.get(1)?.code, 'EXP_ERR_TIMEOUT');
});

t.test('close: waiting scans interrupted, running ones aborted through their signal', async (t) => {
  const log = journal();
  let seen: AbortSignal | undefined;
  const queue = new ScanQueue({
    recorder: log.recorder,
    run: (_options, signal) => {
      seen = signal;
      return new Promise<ExposureReport>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    },
  });
  queue.enqueue(1, DEFAULT_SCAN_OPTIONS);
  queue.enqueue(2, DEFAULT_SCAN_OPTIONS);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await queue.close(1000);
  t.ok(seen?.aborted, 'the running scan saw the abort');
  t.same(log.failures.get(1)?.status, 'interrupted');
  t.same(log.failures.get(2)?.status, 'interrupted');
  t.throws(() => queue.enqueue(3, DEFAULT_SCAN_OPTIONS), { code: 'EXP_ERR_API_BUSY' }, 'no scan after close');
});

t.test('slots: one at a time across users, first come first served, a waiter can leave', async (t) => {
  const slots = new ScanSlots(1);
  const order: string[] = [];
  let release: () => void = () => undefined;
  const first = slots.run(() => new Promise<void>((resolve) => (release = () => { order.push('first'); resolve(); })));
  const leaving = new AbortController();
  const left = slots.run(() => Promise.resolve(order.push('never')), leaving.signal);
  const second = slots.run(() => Promise.resolve(void order.push('second')));
  const third = slots.run(() => Promise.resolve(void order.push('third')));
  leaving.abort();
  await t.rejects(left, { code: 'EXP_ERR_ABORTED' });
  release();
  await Promise.all([first, second, third]);
  t.same(order, ['first', 'second', 'third'], 'waiters run in the order they came');
});

t.test('the API scan request schema and the CLI share their bounds and defaults', async (t) => {
  const properties = requestSchema.properties as Record<string, { minimum?: number; maximum?: number; enum?: string[]; default?: unknown }>;
  for (const [name, bounds] of Object.entries(SCAN_LIMITS)) {
    t.equal(properties[name]?.minimum, bounds.min, `${name} minimum`);
    t.equal(properties[name]?.maximum, bounds.max, `${name} maximum`);
  }
  t.same(properties['enumeration']?.enum, ['auto', 'list', 'index']);
  t.same(properties['engine']?.enum, ENGINE_CHOICES, 'the engines the CLI knows');
  t.equal(properties['wan']?.default, DEFAULT_SCAN_OPTIONS.wan, 'the documented default is the CLI default');
  t.same(buildScanOptions({}), DEFAULT_SCAN_OPTIONS, 'nothing chosen: the CLI defaults');
  t.same(buildScanOptions({ ports: undefined, wan: false }), { ...DEFAULT_SCAN_OPTIONS, wan: false }, 'undefined means not given');
  t.throws(() => buildScanOptions({ ports: '80;id' }), { code: 'EXP_ERR_USAGE' });
  t.throws(() => buildScanOptions({ vantageUrl: 'https://agent.example:7447' }), { code: 'EXP_ERR_USAGE' }, 'an agent needs its token');
  t.throws(() => buildScanOptions({ vantageUrl: 'https://agent.example:7447', vantageToken: 'x', wan: false }), { code: 'EXP_ERR_USAGE' });
});
