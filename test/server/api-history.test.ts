import t from 'tap';
import { readFile } from 'node:fs/promises';
import { startFakeIgd, type FakeMapping } from '../support/fake-igd.js';
import { auth, errorCode, harness, schemaErrors, settled } from '../support/api.js';
import { alertListSchema, diffSchema, scheduleSchema } from '../../src/server/api/schemas.js';
import { escapeLabelValue, renderMetrics } from '../../src/server/api/metrics.js';
import { exampleReport, LOOPBACK_OPTIONS } from '../support/reports.js';

/** Every scan in this file names the loopback fake IGD and runs with wan: false: nothing leaves 127.0.0.1. */

const NAS: FakeMapping = { protocol: 'TCP', externalPort: 8080, internalClient: '192.168.1.20', internalPort: 8080, description: 'NAS web UI', leaseDuration: 0 };
const CONSOLE: FakeMapping = { protocol: 'UDP', externalPort: 3074, internalClient: '192.168.1.30', internalPort: 3074, description: 'Xbox', leaseDuration: 3600 };

async function scan(api: Awaited<ReturnType<typeof harness>>, gateway: string): Promise<number> {
  const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, wan: false } });
  const id = response.json<{ id: number }>().id;
  const done = await settled(api.app, id);
  if (done.status !== 'done') throw new Error(`scan ${id} ${done.status}`);
  return id;
}

t.test('GET /v1/diff: the two newest by default, from/to, errors', async (t) => {
  const mappings: FakeMapping[] = [NAS];
  const igd = await startFakeIgd({ mappings });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const none = await api.app.inject({ method: 'GET', url: '/v1/diff', headers: auth });
  t.equal(none.statusCode, 404);
  t.equal(errorCode(none), 'EXP_ERR_NOT_ENOUGH_HISTORY');
  const first = await scan(api, igd.url);
  mappings.push(CONSOLE);
  const second = await scan(api, igd.url);
  const third = await scan(api, igd.url);

  const latest = await api.app.inject({ method: 'GET', url: '/v1/diff', headers: auth });
  t.equal(latest.statusCode, 200);
  const unchanged = latest.json<{ from: { scanId: number }; to: { scanId: number }; changes: unknown[] }>();
  t.equal(schemaErrors(diffSchema, unchanged), null);
  t.same([unchanged.from.scanId, unchanged.to.scanId], [second, third]);
  t.same(unchanged.changes, [], 'nothing changed between the two newest');

  const explicit = await api.app.inject({ method: 'GET', url: `/v1/diff?from=${first}&to=${second}`, headers: auth });
  const diff = explicit.json<{ changes: Array<{ kind: string; key: string }> }>();
  t.equal(schemaErrors(diffSchema, diff), null);
  t.ok(diff.changes.some((change) => change.kind === 'mapping-added' && change.key.includes('3074')), JSON.stringify(diff.changes));
  const fromOnly = await api.app.inject({ method: 'GET', url: `/v1/diff?from=${first}`, headers: auth });
  t.same(fromOnly.json<{ to: { scanId: number } }>().to.scanId, third, 'from alone compares with the newest');
  const text = await api.app.inject({ method: 'GET', url: `/v1/diff?from=${first}&to=${second}&format=text`, headers: auth });
  t.match(text.headers['content-type'], /^text\/plain/);
  t.match(text.body, /3074/);

  const unknown = await api.app.inject({ method: 'GET', url: `/v1/diff?from=${first}&to=999`, headers: auth });
  t.equal(unknown.statusCode, 404);
  t.equal(errorCode(unknown), 'EXP_ERR_SCAN_NOT_FOUND');
  for (const query of ['from=abc', 'from=0', 'to=-1', 'from=1&extra=2', 'format=html']) {
    const bad = await api.app.inject({ method: 'GET', url: `/v1/diff?${query}`, headers: auth });
    t.equal(bad.statusCode, 400, query);
  }
});

t.test('schedules: create, list, get, delete; invalid cron, duplicate names, unknown ids refused', async (t) => {
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  let changes = 0;
  const api = await harness({ onSchedulesChanged: () => changes++ });
  t.teardown(api.close);
  t.same((await api.app.inject({ method: 'GET', url: '/v1/schedules', headers: auth })).json(), []);
  const created = await api.app.inject({
    method: 'POST',
    url: '/v1/schedules',
    headers: auth,
    payload: { name: 'nightly', cron: '0 3 * * *', scan: { gateway: igd.url, wan: false }, webhooks: ['http://127.0.0.1:9/hook'], alertOn: 'severity:high' },
  });
  t.equal(created.statusCode, 201, created.body);
  const schedule = created.json<{ id: number; options: Record<string, unknown>; enabled: boolean }>();
  t.equal(schemaErrors(scheduleSchema, schedule), null);
  t.equal(created.headers.location, `/v1/schedules/${schedule.id}`);
  t.match(schedule, { name: 'nightly', cron: '0 3 * * *', webhookOrigins: ['http://127.0.0.1:9'], alertOn: 'severity:high', enabled: true });
  t.notOk('webhooks' in schedule, 'webhooks by origin only');
  t.match(schedule.options, { gatewayUrl: igd.url, wan: false, ports: 'qnap,common', timeoutSeconds: 60 }, 'the CLI defaults fill the rest');
  t.equal(changes, 1, 'the scheduler is told');

  const list = await api.app.inject({ method: 'GET', url: '/v1/schedules', headers: auth });
  t.equal(list.json<unknown[]>().length, 1);
  for (const item of list.json<unknown[]>()) t.equal(schemaErrors(scheduleSchema, item), null);
  const one = await api.app.inject({ method: 'GET', url: `/v1/schedules/${schedule.id}`, headers: auth });
  t.same(one.json(), schedule);

  const invalid: Array<[unknown, string]> = [
    [{ name: 'bad', cron: 'every day at noon' }, 'EXP_ERR_SCHEDULE_INVALID'],
    [{ name: 'bad', cron: '61 * * * *' }, 'EXP_ERR_SCHEDULE_INVALID'],
    [{ name: 'bad', cron: '* * * * * * * *' }, 'EXP_ERR_SCHEDULE_INVALID'],
    [{ name: 'nightly', cron: '0 4 * * *' }, 'EXP_ERR_SCHEDULE_INVALID'],
    [{ name: 'bad', cron: '0 * * * *', webhooks: ['ftp://example.invalid/'] }, 'EXP_ERR_SCHEDULE_INVALID'],
    [{ name: 'bad', cron: '0 * * * *', alertOn: 'sometimes' }, 'EXP_ERR_API_BAD_REQUEST'],
    [{ name: 'bad', cron: '0 * * * *', every: 'hour' }, 'EXP_ERR_API_BAD_REQUEST'],
    [{ name: 'bad', cron: '0 * * * *', scan: { target: '8.8.8.8' } }, 'EXP_ERR_API_BAD_REQUEST'],
    [{ cron: '0 * * * *' }, 'EXP_ERR_API_BAD_REQUEST'],
  ];
  for (const [payload, code] of invalid) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: payload as object });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
    t.equal(errorCode(response), code, JSON.stringify(payload));
  }
  t.equal((await api.store.listSchedules()).length, 1, 'nothing invalid was stored');

  const deleted = await api.app.inject({ method: 'DELETE', url: `/v1/schedules/${schedule.id}`, headers: auth });
  t.equal(deleted.statusCode, 204);
  t.equal(deleted.body, '');
  t.equal(changes, 2);
  for (const [method, url] of [['DELETE', `/v1/schedules/${schedule.id}`], ['GET', `/v1/schedules/${schedule.id}`], ['GET', '/v1/schedules/424242']] as const) {
    const response = await api.app.inject({ method, url, headers: auth });
    t.equal(response.statusCode, 404, `${method} ${url}`);
    t.equal(errorCode(response), 'EXP_ERR_SCHEDULE_NOT_FOUND');
  }
});

t.test('schedules that name no webhook get the server\'s (exposure serve --webhook, --alert-on)', async (t) => {
  const api = await harness({ scheduleDefaults: { webhooks: ['http://127.0.0.1:9/default'], alertOn: 'any' } });
  t.teardown(api.close);
  const plain = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'plain', cron: '0 * * * *', scan: { wan: false } } });
  t.match(plain.json(), { webhookOrigins: ['http://127.0.0.1:9'], alertOn: 'any' });
  t.same((await api.store.getScheduleByName('plain'))?.webhooks, ['http://127.0.0.1:9/default'], 'stored whole, shown by origin');
  const own = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'own', cron: '0 * * * *', scan: { wan: false }, webhooks: [], alertOn: 'severity:critical' } });
  t.match(own.json(), { webhookOrigins: [], alertOn: 'severity:critical' }, 'an explicit choice wins, an empty list included');
});

/** A strict reader of the text exposition format: what a Prometheus server would refuse, this refuses. */
function parseExposition(text: string): Map<string, { type: string; help: string; samples: Array<{ labels: Record<string, string>; value: number }> }> {
  const families = new Map<string, { type: string; help: string; samples: Array<{ labels: Record<string, string>; value: number }> }>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      if (families.has(help[1]!)) throw new Error(`second HELP for ${help[1]}`);
      families.set(help[1]!, { type: '', help: help[2]!, samples: [] });
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const family = families.get(type[1]!);
      if (!family || family.type !== '' || family.samples.length > 0) throw new Error(`TYPE out of place: ${line}`);
      family.type = type[2]!;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const family = families.get(sample[1]!);
    if (!family || family.type === '') throw new Error(`sample before its HELP/TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]!] = match[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    family.samples.push({ labels, value: Number(sample[3]) });
  }
  return families;
}

t.test('GET /v1/alerts: the outbox by status, webhooks by origin; deleting a schedule abandons its pending alerts', async (t) => {
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const created = await api.app.inject({
    method: 'POST',
    url: '/v1/schedules',
    headers: auth,
    payload: { name: 'nightly', cron: '0 3 * * *', scan: { gateway: igd.url, wan: false }, webhooks: ['http://127.0.0.1:9/hook-secret'] },
  });
  const schedule = created.json<{ id: number }>();
  api.store.enqueueAlert({ dedupeKey: 'one', webhook: 'http://127.0.0.1:9/hook-secret', scheduleId: schedule.id, fromScanId: 1, toScanId: 2, body: '{}' });
  api.store.enqueueAlert({ dedupeKey: 'two', webhook: 'http://127.0.0.1:9/hook-secret', scheduleId: null, fromScanId: 2, toScanId: 3, body: '{}' });

  const all = await api.app.inject({ method: 'GET', url: '/v1/alerts', headers: auth });
  t.equal(all.statusCode, 200);
  t.equal(schemaErrors(alertListSchema, all.json()), null);
  t.same(all.json<{ alerts: Array<{ id: number; status: string; schedule: string | null; webhookOrigin: string }> }>().alerts.map((a) => [a.id, a.status, a.schedule, a.webhookOrigin]), [[2, 'pending', null, 'http://127.0.0.1:9'], [1, 'pending', 'nightly', 'http://127.0.0.1:9']]);
  t.notMatch(all.body, /secret/, 'never the webhook path');

  t.equal((await api.app.inject({ method: 'DELETE', url: `/v1/schedules/${schedule.id}`, headers: auth })).statusCode, 204);
  const abandoned = await api.app.inject({ method: 'GET', url: '/v1/alerts?status=abandoned&limit=5', headers: auth });
  t.same(abandoned.json<{ alerts: Array<{ id: number; schedule: string | null; scheduleId: number; lastError: string }> }>().alerts.map((a) => [a.id, a.scheduleId, a.schedule, a.lastError]), [[1, schedule.id, null, 'schedule "nightly" was deleted']]);
  t.equal(schemaErrors(alertListSchema, abandoned.json()), null);
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/alerts?status=pending', headers: auth })).json<{ alerts: unknown[] }>().alerts.length, 1, 'the other alert still waits');

  for (const query of ['status=lost', 'limit=0', 'limit=501', 'webhook=x']) {
    const response = await api.app.inject({ method: 'GET', url: `/v1/alerts?${query}`, headers: auth });
    t.equal(response.statusCode, 400, query);
    t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', query);
  }
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/alerts' })).statusCode, 401, 'the token is needed');
});

t.test('GET /v1/metrics: parsable exposition with the latest scan and scans by status', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS, CONSOLE] });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const empty = parseExposition((await api.app.inject({ method: 'GET', url: '/v1/metrics', headers: auth })).body);
  t.same(empty.get('exposure_last_scan_timestamp_seconds')?.samples, [], 'no sample before the first scan');
  const id = await scan(api, igd.url);
  const response = await api.app.inject({ method: 'GET', url: '/v1/metrics', headers: auth });
  t.equal(response.statusCode, 200);
  t.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const metrics = parseExposition(response.body);
  const record = (await api.store.getScan(id))!;
  const value = (name: string, labels: Record<string, string> = {}) => metrics.get(name)?.samples.find((sample) => Object.entries(labels).every(([key, label]) => sample.labels[key] === label))?.value;
  t.equal(value('exposure_last_scan_timestamp_seconds'), Date.parse(record.finishedAt!) / 1000);
  t.equal(value('exposure_port_mappings'), 2);
  t.equal(value('exposure_open_wan_ports'), 0);
  t.equal(value('exposure_risk_score'), record.summary!.riskScore);
  for (const severity of ['info', 'low', 'medium', 'high', 'critical'] as const) t.equal(value('exposure_findings', { severity }), record.summary!.counts[severity], severity);
  t.equal(value('exposure_scans', { status: 'done', site: 'default' }), 1);
  t.equal(value('exposure_risk_score', { site: 'default' }), record.summary!.riskScore, 'labelled by site');
  t.equal(value('exposure_scans', { status: 'failed' }), 0);
  for (const [name, family] of metrics) {
    t.ok(family.help.length > 0, `${name} has HELP`);
    t.ok(['gauge', 'counter'].includes(family.type), `${name} has a TYPE`);
  }
});

t.test('sites: ?site= filters schedules, alerts, exposure and metrics; every history gauge is labelled by site; serve --site names new schedules', async (t) => {
  const api = await harness({ scheduleDefaults: { site: 'office' } });
  t.teardown(api.close);
  const { store } = api;
  const home = await store.createSchedule({ name: 'watch', site: 'home', cron: '0 * * * *', options: LOOPBACK_OPTIONS });
  const created = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'watch', cron: '0 * * * *', scan: { wan: false } } });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { name: 'watch', site: 'office' }, "the server's site, and the same name as the home schedule");
  const explicit = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'x', site: 'lake-house', cron: '0 * * * *', scan: { wan: false } } });
  t.match(explicit.json(), { site: 'lake-house' });
  const homeScan = await store.recordScan(exampleReport(), { options: LOOPBACK_OPTIONS, trigger: 'schedule', scheduleId: home.id });
  const quiet = exampleReport();
  quiet.summary.riskScore = 3;
  await store.recordScan(quiet, { options: LOOPBACK_OPTIONS, trigger: 'cli', site: 'office' });
  await store.enqueueAlert({ dedupeKey: 'k', webhook: 'http://127.0.0.1:9/secret', scheduleId: home.id, fromScanId: homeScan.id, toScanId: homeScan.id, body: '{}', site: 'home' });
  const get = async (url: string) => {
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    t.equal(response.statusCode, 200, url);
    return response;
  };
  t.same((await get('/v1/schedules?site=home')).json<{ id: number }[]>().map((s) => s.id), [home.id]);
  t.same((await get('/v1/alerts?site=home')).json<{ alerts: { site: string }[] }>().alerts.map((a) => a.site), ['home']);
  t.same((await get('/v1/alerts?site=office')).json<{ alerts: unknown[] }>().alerts, []);
  t.equal((await get('/v1/exposure?site=home')).json<{ scanId: number }>().scanId, homeScan.id);
  t.same((await get('/v1/scans?site=home')).json<{ items: { id: number; site: string }[] }>().items.map((scan) => [scan.id, scan.site]), [[homeScan.id, 'home']]);
  const diff = await api.app.inject({ method: 'GET', url: '/v1/diff?site=home', headers: auth });
  t.equal(diff.statusCode, 404, 'one done scan in the home site: nothing to compare');
  t.equal(errorCode(diff), 'EXP_ERR_NOT_ENOUGH_HISTORY');
  const metrics = parseExposition((await get('/v1/metrics')).body);
  const score = (site: string) => metrics.get('exposure_risk_score')?.samples.find((sample) => sample.labels['site'] === site)?.value;
  t.equal(score('office'), 3);
  t.equal(score('home'), exampleReport().summary.riskScore);
  t.same(metrics.get('exposure_scans')?.samples.filter((sample) => sample.value > 0).map((sample) => [sample.labels['site'], sample.labels['status'], sample.value]), [['home', 'done', 1], ['office', 'done', 1]]);
  t.ok(metrics.get('exposure_findings')?.samples.every((sample) => sample.labels['site'] !== undefined && sample.labels['severity'] !== undefined));
  const one = parseExposition((await get('/v1/metrics?site=office')).body);
  t.same(one.get('exposure_risk_score')?.samples.map((sample) => sample.labels['site']), ['office']);
  for (const url of ['/v1/schedules?site=Home', '/v1/alerts?site=a%20b', '/v1/metrics?site=../x', '/v1/exposure?site=']) {
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    t.equal(response.statusCode, 400, url);
  }
});

t.test('metrics: label values and HELP text are escaped', async (t) => {
  const hostile = 'a"b\\c\nexposure_risk_score 0';
  const text = renderMetrics([{ name: 'x_info', help: 'line\nbreak \\ here', type: 'gauge', samples: [{ labels: { name: hostile }, value: 1 }] }]);
  t.equal(text, '# HELP x_info line\\nbreak \\\\ here\n# TYPE x_info gauge\nx_info{name="a\\"b\\\\c\\nexposure_risk_score 0"} 1\n');
  const parsed = parseExposition(text);
  t.equal(parsed.get('x_info')?.samples[0]?.labels['name'], hostile, 'round-trips');
  t.notOk(parsed.has('exposure_risk_score'), 'no forged sample');
  t.equal(escapeLabelValue('plain'), 'plain');
  t.throws(() => renderMetrics([{ name: 'bad name', help: '', type: 'gauge', samples: [] }]));
  t.throws(() => renderMetrics([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }]));
});

t.test('/docs: the OpenAPI document from the same schemas, and a UI served without the network', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  const json = await api.app.inject({ method: 'GET', url: '/docs/json', headers: auth });
  t.equal(json.statusCode, 200);
  const doc = json.json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>();
  t.match(doc.openapi, /^3\.1/);
  const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  for (const route of ['POST /v1/scans', 'GET /v1/scans', 'GET /v1/scans/{id}', 'GET /v1/scans/{id}/report', 'GET /v1/exposure', 'GET /v1/diff', 'GET /v1/schedules', 'POST /v1/schedules', 'GET /v1/schedules/{id}', 'DELETE /v1/schedules/{id}', 'GET /v1/healthz', 'GET /v1/metrics']) {
    t.ok(routes.includes(route), route);
  }
  for (const name of ['ApiScanRequest', 'ApiScan', 'ApiScanList', 'ApiExposure', 'ApiError', 'ApiSchedule', 'ApiScheduleRequest', 'ApiDiff', 'ExposureReport']) t.ok(doc.components.schemas[name], `component ${name}`);
  const refs = [...json.body.matchAll(/"\$ref":"([^"]*)"/g)].map((match) => match[1]);
  t.ok(refs.length > 10);
  t.same(refs.filter((target) => !target?.startsWith('#/components/schemas/')), [], 'every $ref is inside the document: nothing to fetch');
  // The request schema in the document is the file in schemas/.
  const file = JSON.parse(await readFile(new URL('../../schemas/api-scan-request.schema.json', import.meta.url), 'utf8')) as { properties: object };
  t.same(Object.keys((doc.components.schemas['ApiScanRequest'] as { properties: object }).properties), Object.keys(file.properties));

  const page = await api.app.inject({ method: 'GET', url: '/docs', headers: auth });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  t.ok(assets.length >= 3);
  t.same(assets.filter((asset) => /^(https?:)?\/\//.test(asset)), [], 'no asset from another host');
  for (const asset of assets) {
    const response = await api.app.inject({ method: 'GET', url: new URL(asset, 'http://127.0.0.1/docs/').pathname, headers: auth });
    t.equal(response.statusCode, 200, asset);
  }
  const initializer = await api.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js', headers: auth });
  t.match(initializer.body, /validatorUrl: null/, 'the validator badge (a call to validator.swagger.io) is off');
  const code = initializer.body.split('\n').filter((line) => !line.trim().startsWith('//')).join('\n');
  t.notMatch(code, /https?:\/\//, 'the UI loads the document from this server (./json), nothing from elsewhere');
});
