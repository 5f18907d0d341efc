/**
 * Issue 14: the same failure gives the same EXP_ERR_* code in every face. Each scenario is driven through the CLI
 * (in-process main, --db on the history the API reads), the REST API (inject) and the scheduler's path
 * (runRecordedScan), and the codes are compared. Every scan names a loopback gateway with wan off: nothing
 * leaves 127.0.0.1.
 */
import t from 'tap';
import path from 'node:path';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { parseScanArgs } from '../../src/cli/scan-args.js';
import { errorSpec } from '../../src/core/errors.js';
import { checkScanEngine, type Machine } from '../../src/scan/engine-check.js';
import { ScanService } from '../../src/scan/service.js';
import { runRecordedScan } from '../../src/schedule/run-recorded.js';
import { openStore } from '../../src/store/index.js';
import { auth, errorCode, harness, settled } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { tempDir } from '../support/reports.js';

/** The code a rejected promise carried, or undefined when it resolved. */
function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );
}

/** The code `exposure` printed as "exposure: CODE: message" or "the ... view failed: CODE: ...". */
function cliCode(stderr: string): string | undefined {
  return /(EXP_ERR_[A-Z_]+)/.exec(stderr)?.[1];
}

async function faces(t: Parameters<typeof tempDir>[0]) {
  const file = path.join(await tempDir(t), 'history.db');
  const store = await openStore({ file });
  const api = await harness({ store });
  t.teardown(api.close);
  return { file, store, api };
}

t.test('a router that stops answering: EXP_ERR_TIMEOUT from the CLI, the API and the scheduler, recorded alike', async (t) => {
  const igd = await startFakeIgd({ hang: true });
  t.teardown(igd.close);
  const { file, store, api } = await faces(t);

  const cli = await runCli(['scan', '--gateway', igd.url, '--no-wan', '--timeout', '1', '--db', file]);
  t.equal(cli.code, 2, cli.stderr);
  const cliRecord = (await store.listScans({ limit: 1 })).items[0];

  const posted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false, timeoutSeconds: 1 } });
  t.equal(posted.statusCode, 202, posted.body);
  const apiScan = await settled(api.app, posted.json<{ id: number }>().id);

  const scheduled = await runRecordedScan({ store, options: parseScanArgs(['--gateway', igd.url, '--no-wan', '--timeout', '1']).scan, trigger: 'schedule' });

  const codes = { cliPrinted: cliCode(cli.stderr), cliRecorded: cliRecord?.error?.code, api: (apiScan['error'] as { code?: string } | null)?.code, scheduler: scheduled.scan.error?.code };
  t.same(codes, { cliPrinted: 'EXP_ERR_TIMEOUT', cliRecorded: 'EXP_ERR_TIMEOUT', api: 'EXP_ERR_TIMEOUT', scheduler: 'EXP_ERR_TIMEOUT' });
  t.same([cliRecord?.status, apiScan.status, scheduled.scan.status], ['failed', 'failed', 'failed']);
});

t.test('an interface that does not exist: EXP_ERR_INTERFACE_NOT_FOUND from both faces, and no scan recorded by the API', async (t) => {
  const { api } = await faces(t);
  const cli = await runCli(['scan', '--gateway', 'http://127.0.0.1:1/rootDesc.xml', '--interface', 'nosuch0']);
  t.equal(cli.code, 2);
  const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: 'http://127.0.0.1:1/rootDesc.xml', interface: 'nosuch0', wan: false } });
  t.equal(response.statusCode, 400);
  t.same({ cli: cliCode(cli.stderr), api: errorCode(response) }, { cli: 'EXP_ERR_INTERFACE_NOT_FOUND', api: 'EXP_ERR_INTERFACE_NOT_FOUND' });
});

t.test('an unreachable gateway: the inside view fails with EXP_ERR_HTTP_NETWORK in both faces', async (t) => {
  const { api } = await faces(t);
  // Port 1 on loopback: connection refused at once.
  const gateway = 'http://127.0.0.1:1/rootDesc.xml';
  const cli = await runCli(['scan', '--gateway', gateway]);
  t.equal(cli.code, 3, 'a view failed: exit 3');
  const posted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, wan: false } });
  const scan = await settled(api.app, posted.json<{ id: number }>().id);
  t.equal(scan.status, 'done');
  const report = scan['report'] as ExposureReport;
  t.same({ cli: cliCode(cli.stderr), api: report.coverage.inside.reason?.code }, { cli: 'EXP_ERR_HTTP_NETWORK', api: 'EXP_ERR_HTTP_NETWORK' });
});

t.test('diff: not enough history, an unknown scan and a scan without a report give one code each in both faces', async (t) => {
  const igd = await startFakeIgd({});
  t.teardown(igd.close);
  const { file, store, api } = await faces(t);
  const diffCodes = async (ids: number[]) => {
    const cli = await runCli(['diff', '--db', file, ...ids.map(String)]);
    const query = ids.length === 0 ? '' : `?from=${ids[0]}${ids[1] === undefined ? '' : `&to=${ids[1]}`}`;
    const response = await api.app.inject({ method: 'GET', url: `/v1/diff${query}`, headers: auth });
    return { cli: cliCode(cli.stderr), api: errorCode(response), status: response.statusCode };
  };

  t.same(await diffCodes([]), { cli: 'EXP_ERR_NOT_ENOUGH_HISTORY', api: 'EXP_ERR_NOT_ENOUGH_HISTORY', status: 404 }, 'an empty history');
  const done = await runCli(['scan', '--gateway', igd.url, '--db', file]);
  t.equal(done.code, 0, done.stderr);
  t.same(await diffCodes([]), { cli: 'EXP_ERR_NOT_ENOUGH_HISTORY', api: 'EXP_ERR_NOT_ENOUGH_HISTORY', status: 404 }, 'one done scan');
  const doneId = (await store.latestDone(1))[0]!.id;
  t.same(await diffCodes([999, doneId]), { cli: 'EXP_ERR_SCAN_NOT_FOUND', api: 'EXP_ERR_SCAN_NOT_FOUND', status: 404 });
  const queued = await store.createScan({ options: parseScanArgs(['--gateway', igd.url, '--no-wan']).scan, trigger: 'cli' });
  await store.failScan(queued.id, { code: 'EXP_ERR_TIMEOUT', message: 'late' });
  t.same(await diffCodes([queued.id, doneId]), { cli: 'EXP_ERR_SCAN_STATE', api: 'EXP_ERR_SCAN_STATE', status: 409 }, 'a failed scan has no report');
});

t.test('a bug inside a scan: EXP_ERR_UNEXPECTED recorded by the API and by the scheduler alike, no internals shown', async (t) => {
  const bug = (): Promise<ExposureReport> => Promise.reject(new TypeError('Cannot read properties of undefined (reading "udn")'));
  const file = path.join(await tempDir(t), 'history.db');
  const store = await openStore({ file });
  const api = await harness({ store, run: bug });
  t.teardown(api.close);
  const posted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: 'http://127.0.0.1:1/rootDesc.xml', wan: false } });
  const apiScan = await settled(api.app, posted.json<{ id: number }>().id);
  const scheduled = await runRecordedScan({ store, options: parseScanArgs(['--gateway', 'http://127.0.0.1:1/rootDesc.xml', '--no-wan']).scan, trigger: 'schedule', run: bug });
  const apiError = apiScan['error'] as { code: string; message: string };
  t.same({ api: apiError.code, scheduler: scheduled.scan.error?.code }, { api: 'EXP_ERR_UNEXPECTED', scheduler: 'EXP_ERR_UNEXPECTED' });
  t.notMatch(apiError.message, /udn/, 'the API shows no internals');
});

t.test('engine choices: the API refuses what the CLI refuses, before anything is recorded', async (t) => {
  const gateway = 'http://127.0.0.1:1/rootDesc.xml';
  const cli = await runCli(['scan', '--gateway', gateway, '--no-wan', '--syn-scan']);
  t.equal(cli.code, 2);
  const { api, store } = await faces(t);
  const contradiction = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, wan: false, synScan: true } });
  t.equal(contradiction.statusCode, 400);
  t.same({ cli: cliCode(cli.stderr), api: errorCode(contradiction) }, { cli: 'EXP_ERR_USAGE', api: errorSpec('EXP_ERR_USAGE').apiCode }, 'a mistake in what was typed: the registry\'s one translation');

  // A machine without nmap, as the service is told; a scan that got through anyway would fail the test, not scan.
  const noNmap: Machine = { isRoot: () => true, nmapInstalled: () => Promise.resolve(false) };
  const service = new ScanService({ machine: noNmap, run: () => Promise.reject(new Error('the scan must not start')) });
  const withoutNmap = await harness({ store, scans: service });
  t.teardown(withoutNmap.close);
  const options = parseScanArgs(['--gateway', gateway, '--engine', 'nmap']).scan;
  const refused = await withoutNmap.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, engine: 'nmap' } });
  const cliCheck = await rejectionCode(checkScanEngine(options, noNmap));
  const scheduled = await rejectionCode(runRecordedScan({ store, options, trigger: 'schedule', run: service }));
  t.same({ cli: cliCheck, api: errorCode(refused), scheduler: scheduled }, { cli: 'EXP_ERR_ENGINE_UNAVAILABLE', api: 'EXP_ERR_ENGINE_UNAVAILABLE', scheduler: 'EXP_ERR_ENGINE_UNAVAILABLE' });
  t.equal(refused.statusCode, 400);
  t.same((await store.listScans()).items, [], 'nothing refused was recorded');
});
