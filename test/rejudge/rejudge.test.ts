// Issue 15 item 2: a stored scan judged again with the data loaded now. A fictitious vendor's pack is written to a
// temporary folder, a scan of its loopback device is recorded with it, then the advisory data changes: `exposure
// history rejudge` and GET /v1/scans/{id}/rejudge (one service) show the verdict that changed, the finding the new
// data adds, and the packs then and now, without touching the stored scan.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { judge } from '../../src/rules/judge.js';
import { assembleReport } from '../../src/report/build.js';
import { judgeAgain } from '../../src/diff/rejudge.js';
import { replayObservations } from '../../src/diff/replay.js';
import { diffReports } from '../../src/diff/diff.js';
import type { Rejudgement } from '../../src/diff/types.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { PROBES } from '../../probes/registry.js';
import { openStore } from '../../src/store/index.js';
import { rejudgeSchema } from '../../src/server/api/schemas.js';
import { qlockerScenario, at } from '../support/scenarios.js';
import { AT, WITH_AGENT, agentDown, agentUp, insideView } from '../support/coverage-scans.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { runCli } from '../support/cli.js';
import { auth, errorCode, harness, schemaErrors } from '../support/api.js';
import { tempDir } from '../support/reports.js';
import type { Observation } from '../../src/core/observation.js';
import type { ScanOptions } from '../../src/core/options.js';

function recorded(observations: Observation[], options: ScanOptions, startedAt: string) {
  return assembleReport({ startedAt: new Date(startedAt), finishedAt: new Date(Date.parse(startedAt) + 4200), options, observations, judgement: judge(observations, options) });
}

t.test('a report judged again with the same data is the same report: the facts it keeps are the facts the rules read', async (t) => {
  const cases: Array<[string, Observation[], ScanOptions, string]> = [
    ['the Qlocker story with the agent', qlockerScenario(), { ...DEFAULT_SCAN_OPTIONS, vantageUrl: 'https://vantage.example:7447' }, at],
    ['the agent up', [...insideView(), ...agentUp()], WITH_AGENT, AT],
    ['the agent down (a warning the coverage rests on)', [...insideView(), ...agentDown()], WITH_AGENT, AT],
    ['no router answering, no outside view', [], { ...DEFAULT_SCAN_OPTIONS, wan: false }, AT],
  ];
  for (const [name, observations, options, startedAt] of cases) {
    const report = recorded(observations, options, startedAt);
    const stored = JSON.parse(JSON.stringify(report)) as typeof report;
    const again = judgeAgain(stored, options);
    t.same(again, report, `${name}: the whole report`);
    t.same(diffReports(stored, again).changes, [], `${name}: no change`);
  }
});

t.test('replayed facts drop the verdicts of pack-recognised hosts and keep each warning\'s probe', async (t) => {
  const report = recorded([...insideView(), ...agentDown()], WITH_AGENT, AT);
  const warning = replayObservations(report, PROBES).find((observation) => observation.kind === 'warning');
  t.equal(warning?.probe, 'wan-scan', 'coverage reads the agent\'s failure by its probe');
  const legacy = { ...report, warnings: report.warnings.map(({ code, message }) => ({ code, message })) };
  t.equal(replayObservations(legacy, PROBES).find((observation) => observation.kind === 'warning')?.probe, 'wan-scan', 'a report from before warnings kept their probe: read from the code');
  t.same(judgeAgain(legacy, WITH_AGENT).coverage, report.coverage);
});

// --- a recorded scan, a pack change, and both faces -------------------------------------------------------------

const LOGIN = '<!DOCTYPE html><html><head><title>Acme BoxOS</title></head><body><form id="login" data-version="2.1-300"></form></body></html>';

function pack(fixed: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    formatVersion: 1,
    id: 'acme',
    vendor: 'Acme',
    packVersion: '1.0.0',
    dataDate: '2026-11-30',
    productLines: [
      {
        id: 'boxos', name: 'BoxOS', kind: 'firmware',
        version: { pattern: '^(?<major>\\d{1,3})\\.(?<minor>\\d{1,3})(?:-(?<build>\\d{1,6}))?$', release: ['major', 'minor'], then: [{ group: 'build', compare: 'numeric' }], examples: { valid: ['2.1-300'], invalid: ['v2'], ordered: [['2.1-300', '2.1-301']] } },
        update: 'Settings > Update',
      },
    ],
    fingerprints: [
      {
        id: 'acme-boxos-login', name: 'BoxOS login page', kind: 'http', product: 'Acme BoxOS', safety: 'safe',
        request: { method: 'GET', path: '/login' },
        match: { all: [{ source: 'status', in: [200] }, { source: 'title', equals: 'Acme BoxOS' }] },
        extract: [{ field: 'version', regex: 'data-version="([0-9.-]{1,20})"' }, { field: 'model', regex: 'data-model="([A-Z0-9-]{1,20})"' }],
        confidence: 'high', identifies: true, productLine: 'boxos', adminUi: true,
        evidence: 'The BoxOS login page with its version attribute.', references: ['https://example.com/boxos-login'],
        examples: { positive: [{ description: 'BoxOS 2.1 login page', body: LOGIN, expect: { version: '2.1-300' } }], negative: [{ description: "A router's login page", body: '<title>Router</title>' }] },
      },
    ],
    advisories: [
      {
        id: 'ACME-SA-26-01', title: 'Login bypass', component: 'BoxOS', cve: [], kev: { listed: false }, knownRansomware: false,
        affected: [{ productLine: 'boxos', fixes: [{ branch: '2.1', fixed }], olderBranches: 'affected', newerBranches: 'fixed' }],
        references: ['https://example.com/sa-26-01'],
      },
    ],
    remediation: [{ productLines: ['boxos'], steps: ['Update BoxOS.'], source: 'https://example.com/security' }],
    ...extra,
  };
}

// A loopback address of its own: no other test's server answers on its ports.
const ADDRESS = '127.0.0.3';
const device = http.createServer((request, response) => {
  if (request.url === '/login') response.writeHead(200, { 'content-type': 'text/html', connection: 'close' }).end(LOGIN);
  else response.writeHead(404, { connection: 'close' }).end('<html><head><title>404</title></head></html>');
});
await new Promise<void>((resolve) => device.listen(0, ADDRESS, resolve));
t.teardown(() => new Promise<void>((resolve) => device.close(() => resolve())));
const { port } = device.address() as AddressInfo;
const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 5050, internalClient: ADDRESS, internalPort: port, description: 'BoxOS' }] });
t.teardown(igd.close);

t.test('a scan recorded before a pack change, judged again with the changed pack (CLI and API, one service)', async (t) => {
  const dir = await tempDir(t);
  const db = path.join(dir, 'history.db');
  const packDir = path.join(dir, 'acme');
  await mkdir(packDir);
  const write = (data: unknown): Promise<void> => writeFile(path.join(packDir, 'pack.json'), JSON.stringify(data));
  // Recorded with the fix listed as 2.1-301: the box's 2.1-300 is vulnerable.
  await write(pack('2.1-301'));
  const scan = await runCli(['scan', '--gateway', igd.url, '--vendor-pack', packDir, '--fail-on', 'none', '--format', 'json', '--db', db]);
  t.equal(scan.code, 0, scan.stderr);
  const before = JSON.parse(scan.stdout) as { hosts: Array<{ address: string; verdicts: Array<{ status: string }> }> };
  t.equal(before.hosts.find((host) => host.address === ADDRESS)?.verdicts[0]?.status, 'vulnerable');

  const same = await runCli(['history', 'rejudge', '1', '--db', db]);
  t.equal(same.code, 0, `unchanged data: nothing to tell\n${same.stdout}${same.stderr}`);
  t.match(same.stdout, /no verdict changed/);

  // The vendor corrects its advisory (2.1-300 was the fix) and the box's model goes out of support.
  await write(pack('2.1-300', { packVersion: '1.1.0', dataDate: '2026-12-05', endOfSupport: [{ id: 'acme-boxos-2', name: 'BoxOS 2.x', productLine: 'boxos', lastSecurityUpdate: '2026-12', source: 'https://example.com/eol', steps: ['Retire the box.'] }] }));
  const cli = await runCli(['history', 'rejudge', '1', '--db', db, '--format', 'json']);
  t.equal(cli.code, 1, `changes exit 1, like diff\n${cli.stderr}`);
  const rejudged = JSON.parse(cli.stdout) as Rejudgement;
  t.same(rejudged.verdicts.map((change) => [change.host, change.advisory, change.before, change.after]), [[ADDRESS, 'ACME-SA-26-01', 'vulnerable', 'fixed']], 'the verdict changed');
  t.ok(rejudged.diff.changes.some((change) => change.kind === 'finding-new' && change.key === `vendor-end-of-support-${ADDRESS.replace(/\./g, '-')}` && change.severity === 'high'), 'the finding the new data adds');
  t.same(rejudged.packs.then?.map((used) => `${used.id} ${used.version} ${used.dataDate}`), ['acme 1.0.0 2026-11-30'], 'the packs then');
  t.same(rejudged.packs.now.map((used) => `${used.id} ${used.version} ${used.dataDate}`), ['acme 1.1.0 2026-12-05'], 'and now');
  t.equal(rejudged.diff.from.scanId, 1);
  t.equal(rejudged.diff.to.scanId, null, 'the re-judged report is no stored scan');
  t.equal(schemaErrors(rejudgeSchema, rejudged), null, 'the documented schema');

  const text = await runCli(['history', 'rejudge', '1', '--db', db, '--vendor-pack', packDir]);
  t.match(text.stdout, /packs then: acme 1\.0\.0 \(data of 2026-11-30, --vendor-pack\)/);
  t.match(text.stdout, /packs now: {2}acme 1\.1\.0 \(data of 2026-12-05, --vendor-pack\)/);
  t.match(text.stdout, new RegExp(`- ${ADDRESS.replace(/\./g, '\\.')}: ACME-SA-26-01 \\(BoxOS\\) vulnerable -> fixed, found BoxOS 2\\.1-300, fixed in 2\\.1-300`));
  t.match(text.stdout, /\+ \[NEW EXPOSURE\] new high finding: Acme .* gets no security updates/);

  // Read-only: the stored scan is as it was recorded.
  const store = await openStore({ file: db });
  const stored = await store.getReport(1);
  t.equal(stored?.hosts.find((host) => host.address === ADDRESS)?.verdicts[0]?.status, 'vulnerable', 'the stored report still says what it said');
  t.equal((await store.listScans()).items.length, 1, 'no scan added');

  // The API answers the same object, from the same service, on the same database.
  const api = await harness({ store });
  t.teardown(api.close);
  const response = await api.app.inject({ method: 'GET', url: '/v1/scans/1/rejudge', headers: auth });
  t.equal(response.statusCode, 200, response.body);
  t.same(response.json(), rejudged, 'GET /v1/scans/{id}/rejudge = exposure history rejudge ID --format json');
  const asText = await api.app.inject({ method: 'GET', url: '/v1/scans/1/rejudge?format=text', headers: auth });
  t.match(asText.headers['content-type'], /^text\/plain/);
  t.match(asText.body, /vulnerable -> fixed/);
  const missing = await api.app.inject({ method: 'GET', url: '/v1/scans/99/rejudge', headers: auth });
  t.equal(missing.statusCode, 404);
  t.equal(errorCode(missing), 'EXP_ERR_SCAN_NOT_FOUND');
  const otherSite = await api.app.inject({ method: 'GET', url: '/v1/scans/1/rejudge?site=office', headers: auth });
  t.equal(errorCode(otherSite), 'EXP_ERR_SCAN_NOT_FOUND', 'a scan of another site is not found under ?site=');
  const documented = (await api.app.inject({ method: 'GET', url: '/docs/json', headers: auth })).json<{ paths: Record<string, unknown> }>();
  t.ok(documented.paths['/v1/scans/{id}/rejudge'], 'in the OpenAPI document');
});

t.test('errors: an unknown id, a scan without a report, a pack folder that is gone, usage', async (t) => {
  const dir = await tempDir(t);
  const db = path.join(dir, 'history.db');
  const unknown = await runCli(['history', 'rejudge', '7', '--db', db]);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /EXP_ERR_SCAN_NOT_FOUND: No scan 7 in .*history\.db\n {2}Run "exposure history" to see the ids\./);

  const packDir = path.join(dir, 'acme');
  await mkdir(packDir);
  await writeFile(path.join(packDir, 'pack.json'), JSON.stringify(pack('2.1-301')));
  t.equal((await runCli(['scan', '--gateway', igd.url, '--vendor-pack', packDir, '--fail-on', 'none', '--db', db])).code, 0);
  const other = await tempDir(t);
  const elsewhere = await runCli(['history', 'rejudge', '1', '--db', db, '--vendor-pack', other]);
  t.equal(elsewhere.code, 2);
  t.match(elsewhere.stderr, /EXP_ERR_VENDOR_PACK_READ/, 'a folder without pack.json');
  const store = await openStore({ file: db });
  t.teardown(() => store.close());
  const failed = await store.createScan({ options: DEFAULT_SCAN_OPTIONS, trigger: 'cli' });
  const noReport = await runCli(['history', 'rejudge', String(failed.id), '--db', db]);
  t.match(noReport.stderr, /EXP_ERR_SCAN_STATE/);

  const { rejudgeFromHistory, CLI_REJUDGE_PACK_HINT } = await import('../../src/diff/rejudge.js');
  const { CLI_DIFF_WORDING } = await import('../../src/diff/service.js');
  // The scan's options are what names the folder; a scan recorded with a folder since removed from them:
  const error: unknown = await rejudgeFromHistory(store, { id: 1, vendorPacks: [] }, { ...CLI_DIFF_WORDING(db), packHint: CLI_REJUDGE_PACK_HINT }).catch((caught: unknown) => caught);
  t.match(error, { code: 'EXP_ERR_REJUDGE_PACK_MISSING', message: `The device at ${ADDRESS} was recognised by the vendor pack acme, which is not loaded now` });
  t.match((error as { hint: string }).hint, /--vendor-pack DIR/);

  for (const [args, pattern] of [
    [['history', 'rejudge', '--db', db], /one scan id/],
    [['history', 'rejudge', 'x', '--db', db], /not a scan id/],
    [['history', 'rejudge', '1', '2', '--db', db], /one scan id/],
    [['history', 'rejudge', '1', '--format', 'html', '--db', db], /--format must be text or json/],
  ] as const) {
    const result = await runCli([...args]);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, /EXP_ERR_USAGE/);
    t.match(result.stderr, pattern);
  }
  t.match((await runCli(['history', 'rejudge', '--help'])).stdout, /^Usage: exposure history rejudge ID/);
});
