// `exposure watch` in the scanner namespace against the real miniupnpd: a schedule every 2 seconds, mappings
// added with upnpc from the NAS, a webhook receiver on the scanner's loopback that goes down and comes back,
// and the watch process killed with SIGKILL in the middle of a scan (router frozen with SIGSTOP).
import t from 'tap';
import { once } from 'node:events';
import path from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { binaries, withLab, type Lab } from './lab.js';
import { exposureArgv } from '../support/built.js';
import { openStore } from '../../src/store/index.js';
import type { AlertPayload } from '../../src/alerts/payload.js';
import type { HistoryStore } from '../../src/store/types.js';

const RECEIVER_PORT = 18_099;

/** A webhook receiver inside the scanner namespace: appends each body as one line to a file, answers 200. */
const RECEIVER = `
const http = require('node:http'); const fs = require('node:fs');
http.createServer((q, r) => { const c = []; q.on('data', (d) => c.push(d)); q.on('end', () => {
  fs.appendFileSync(process.argv[1], Buffer.concat(c).toString().replace(/\\n/g, ' ') + '\\n'); r.writeHead(200).end(); }); })
  .listen(${RECEIVER_PORT}, '127.0.0.1', () => console.log('listening'));`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function startReceiver(lab: Lab, file: string): Promise<ChildProcess> {
  const child = lab.spawn(lab.scanner, process.execPath, ['-e', RECEIVER, file]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`receiver exited ${String(code)}`)));
  });
  return child;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

function bodiesIn(file: string): AlertPayload[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AlertPayload);
}

/** Alerts about changes; the first scan's baseline (exposure.baseline) is counted on its own. */
const alerts = (file: string): AlertPayload[] => bodiesIn(file).filter((body) => body.type === 'exposure.changes');
const baselines = (file: string): AlertPayload[] => bodiesIn(file).filter((body) => body.type === 'exposure.baseline');

function startWatch(lab: Lab, db: string, log: string[]): ChildProcess {
  const child = lab.spawn(lab.scanner, process.execPath, exposureArgv(
    'watch', '--name', 'lab', '--cron', '*/2 * * * * *', '--jitter', '0', '--alert-retry', '0.5',
    '--gateway', lab.router.rootDescUrl, '--no-wan', '--request-timeout', '1500', '--timeout', '6',
    '--db', db, '--webhook', `http://127.0.0.1:${RECEIVER_PORT}/hook`,
  ));
  child.stderr?.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean)));
  return child;
}

async function addMapping(lab: Lab, port: number): Promise<void> {
  const result = await lab.exec(lab.nas, binaries.upnpc, ['-u', lab.router.rootDescUrl, '-e', `NAS ${port}`, '-a', lab.nas.address, String(port), String(port), 'TCP'], { timeoutMs: 30_000 });
  if (result.code !== 0 || !/is redirected to internal/.test(result.stdout)) throw new Error(`upnpc -a failed: ${result.stdout} ${result.stderr}`);
}

const mappingsOf = async (store: HistoryStore, id: number): Promise<string[]> => (await store.getFacts(id))?.mappings.map((m) => `${m.protocol}/${m.externalPort}`).sort() ?? [];

t.test('watch: alerts once per change, survives a receiver outage and a SIGKILL mid-scan', async (t) => {
  const lab = await withLab(t, { mappings: [{ protocol: 'UDP', externalPort: 3074, internalClient: '@other', internalPort: 3074, description: 'Xbox' }] });
  if (!lab) return;
  const db = path.join(lab.tmpDir, 'history.db');
  const received = path.join(lab.tmpDir, 'alerts.ndjson');
  const log: string[] = [];
  t.teardown(() => { if (t.passing()) return; t.comment(log.join('\n')); });
  let receiver = await startReceiver(lab, received);
  let watch = startWatch(lab, db, log);
  const store = await until('the database', 15_000, async () => existsSync(db) && (await openStore({ file: db })));
  t.teardown(() => store.close());
  const firstSeeing = async (key: string) => {
    for (const scan of await done()) if ((await mappingsOf(store, scan.id)).includes(key)) return scan;
    return undefined;
  };
  const done = async () => (await store.listScans({ status: 'done', limit: 100 })).items;

  await t.test('a new mapping is alerted exactly once', async (t) => {
    const first = await until('a first scan', 15_000, async () => (await done())[0]);
    t.same(await mappingsOf(store, first.id), ['UDP/3074']);
    const [baseline] = await until('the baseline alert', 15_000, () => baselines(received).length > 0 && baselines(received));
    t.equal(baseline?.to.scanId, first.id, 'the first scan tells where monitoring starts');
    t.ok(baseline?.changes.some((c) => c.kind === 'mapping-added' && c.key === 'UDP/3074'));
    await addMapping(lab, 5000);
    const seen = await until('a scan that sees TCP/5000', 15_000, () => firstSeeing('TCP/5000'));
    await until('two more scans', 15_000, async () => (await done()).filter((s) => s.id > seen.id).length >= 2);
    const bodies = alerts(received);
    t.equal(bodies.length, 1, 'one alert for one change');
    const change = bodies[0]?.changes.find((c) => c.kind === 'mapping-added');
    t.equal(change?.key, 'TCP/5000');
    t.equal(bodies[0]?.to.scanId, seen.id);
    t.match(bodies[0]?.text, /new mapping TCP\/5000 -&gt; .*NAS 5000/);
  });

  await t.test('a receiver that is down gets the alert when it comes back', async (t) => {
    await stop(receiver, 'SIGKILL');
    await addMapping(lab, 5001);
    const seen = await until('a scan that sees TCP/5001', 15_000, () => firstSeeing('TCP/5001'));
    const pending = await until('a failed delivery', 10_000, async () => (await store.listAlerts()).find((a) => a.toScanId === seen.id && a.attempts > 0));
    t.equal(pending.status, 'pending');
    t.match(pending.lastError, /ECONNREFUSED/);
    t.ok(log.some((line) => line.includes('EXP_ERR_WEBHOOK')), 'the failure is logged');
    t.equal(alerts(received).length, 1, 'nothing delivered meanwhile');
    receiver = await startReceiver(lab, received);
    await until('the delayed alert', 15_000, () => alerts(received).length >= 2);
    await sleep(2500);
    const bodies = alerts(received);
    t.equal(bodies.length, 2, 'delivered once, not once per retry');
    t.ok(bodies[1]?.changes.some((c) => c.kind === 'mapping-added' && c.key === 'TCP/5001'));
  });

  await t.test('SIGKILL during a scan: no history lost, the scan is marked interrupted on restart', async (t) => {
    const before = (await done()).length;
    // Freeze the router so the next scan hangs in its requests, then kill watch while it is running.
    process.kill(lab.router.pid, 'SIGSTOP');
    let frozen = true;
    t.teardown(() => { if (frozen) process.kill(lab.router.pid, 'SIGCONT'); });
    const running = await until('a running scan', 10_000, async () => (await store.listScans({ status: 'running' })).items[0]);
    await stop(watch, 'SIGKILL');
    process.kill(lab.router.pid, 'SIGCONT');
    frozen = false;

    const check = new Database(db, { readonly: true });
    t.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
    t.equal((await done()).length, before, 'every earlier scan is still there');
    t.equal((await store.getScan(running.id))?.status, 'running', 'until someone notices');
    for (const scan of await done()) t.ok(await store.getReport(scan.id), `scan ${scan.id} has its report`);

    watch = startWatch(lab, db, log);
    const interrupted = await until('the interrupted mark', 15_000, async () => {
      const scan = await store.getScan(running.id);
      return scan?.status === 'interrupted' && scan;
    });
    t.equal(interrupted.error?.code, 'EXP_ERR_SCAN_INTERRUPTED');
    await until('scans again after the restart', 15_000, async () => (await done()).find((s) => s.id > running.id));
    await sleep(1000);
    t.equal(alerts(received).length, 2, 'a restart sends no alert again');
    t.equal(baselines(received).length, 1, 'and no second baseline');
    await stop(watch, 'SIGTERM');
    t.equal(watch.exitCode, 0, 'SIGTERM stops watch cleanly');
    t.equal((await store.listScans({ status: 'running' })).items.length, 0, 'a clean stop leaves nothing running');
  });
  await stop(receiver, 'SIGKILL');
});
