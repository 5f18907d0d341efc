import t from 'tap';
import { startFakeIgd } from '../support/fake-igd.js';
import { auth, errorCode, harness, schemaErrors, settled } from '../support/api.js';
import { exposureSchema, scanListSchema, scanSchema } from '../../src/server/api/schemas.js';
import { validateReport } from '../../src/report/validate.js';
import { REPORT_FORMATS } from '../../src/server/api/formats.js';
import type { ExposureReport } from '../../src/core/report.generated.js';

/** Every scan in this file names the loopback fake IGD and runs with wan: false: nothing leaves 127.0.0.1. */

const NAS = { protocol: 'TCP' as const, externalPort: 8080, internalClient: '192.168.1.20', internalPort: 8080, description: 'NAS web UI', leaseDuration: 0 };

t.test('a scan: 202 and an id, queued -> running -> done, report stored whole', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS] });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const accepted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } });
  t.equal(accepted.statusCode, 202, accepted.body);
  const record = accepted.json<{ id: number; status: string; trigger: string; options: Record<string, unknown> }>();
  t.equal(schemaErrors(scanSchema, record), null);
  t.equal(record.status, 'queued');
  t.equal(record.trigger, 'api');
  t.equal(accepted.headers.location, `/v1/scans/${record.id}`);
  // The CLI's defaults, from the one builder.
  t.match(record.options, { wan: false, gatewayUrl: igd.url, ports: 'qnap,common', timeoutSeconds: 60, discoveryWindowMs: 1500, enumeration: 'auto' });

  const done = await settled(api.app, record.id);
  t.equal(done.status, 'done', JSON.stringify(done.error));
  t.equal(schemaErrors(scanSchema, done), null);
  t.ok(done.startedAt && done.finishedAt);
  const report = done.report as ExposureReport;
  t.doesNotThrow(() => validateReport(report), 'the report passes its schema');
  t.equal(report.gateways[0]?.mappings[0]?.description, 'NAS web UI');
  t.equal(report.wan.vantage, 'none', 'wan: false sent nothing beyond the LAN');
  t.match(done.summary, { mappings: 1, gateways: 1, highestSeverity: report.summary.highestSeverity, riskScore: report.summary.riskScore });

  const missing = await api.app.inject({ method: 'GET', url: '/v1/scans/999', headers: auth });
  t.equal(missing.statusCode, 404);
  t.equal(errorCode(missing), 'EXP_ERR_SCAN_NOT_FOUND');
});

t.test('report formats: every registered format, content types, 404 and 409', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS], delayMs: 150 });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const id = (await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } })).json<{ id: number }>().id;
  const early = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report`, headers: auth });
  t.equal(early.statusCode, 409, 'no report while queued or running');
  t.equal(errorCode(early), 'EXP_ERR_API_SCAN_NOT_READY');
  t.equal((await settled(api.app, id)).status, 'done');

  const json = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report`, headers: auth });
  t.equal(json.statusCode, 200);
  t.match(json.headers['content-type'], /^application\/json/);
  t.doesNotThrow(() => validateReport(json.json()), 'default format is the JSON report');
  t.match(json.headers['content-security-policy'], /default-src 'none'/);
  const text = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?format=text`, headers: auth });
  t.equal(text.statusCode, 200);
  t.match(text.headers['content-type'], /^text\/plain/);
  t.match(text.body, /TCP\s+8080\s+192\.168\.1\.20:8080/);
  t.notOk(text.body.includes('\u001b['), 'no colour codes over HTTP');
  for (const format of Object.keys(REPORT_FORMATS)) {
    const response = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?format=${format}`, headers: auth });
    t.equal(response.statusCode, 200, format);
    t.equal(response.headers['content-type'], REPORT_FORMATS[format]?.contentType, format);
  }
  const markdown = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?format=markdown`, headers: auth });
  t.match(markdown.body, /^# /m, 'markdown has a heading');
  t.match(markdown.body, /8080/);
  const html = await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report?format=html`, headers: auth });
  t.match(html.body, /^<!doctype html>/i);
  t.match(html.body, /<svg[\s>]/, 'the exposure diagram');
  t.notOk(/<script/i.test(html.body), 'no script in the report');
  const unknown = await api.app.inject({ method: 'GET', url: '/v1/scans/999/report', headers: auth });
  t.equal(unknown.statusCode, 404);
  t.equal(errorCode(unknown), 'EXP_ERR_SCAN_NOT_FOUND');
});

t.test('paging: newest first, a cursor to the next page, no scan twice, filters', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS] });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } });
    t.equal(response.statusCode, 202);
    ids.push(response.json<{ id: number }>().id);
  }
  for (const id of ids) t.equal((await settled(api.app, id)).status, 'done');
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/scans?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    t.equal(response.statusCode, 200);
    const page = response.json<{ items: Array<{ id: number; report?: unknown }>; nextCursor: string | null }>();
    t.equal(schemaErrors(scanListSchema, page), null);
    t.ok(page.items.length <= 2);
    t.notOk(page.items.some((item) => item.report !== undefined), 'lists carry no reports');
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 3);
  t.same(seen, [...ids].reverse(), 'every scan once, newest first');
  const done = await api.app.inject({ method: 'GET', url: '/v1/scans?status=done&limit=500', headers: auth });
  t.equal(done.json<{ items: unknown[] }>().items.length, 5);
  const failed = await api.app.inject({ method: 'GET', url: '/v1/scans?status=failed', headers: auth });
  t.same(failed.json<{ items: unknown[] }>().items, []);
  const badCursor = await api.app.inject({ method: 'GET', url: '/v1/scans?cursor=not-a-cursor', headers: auth });
  t.equal(badCursor.statusCode, 400);
  t.equal(errorCode(badCursor), 'EXP_ERR_DB_CURSOR');
});

t.test('GET /v1/exposure: stable keys before and after the first scan', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS], externalIp: '203.0.113.7' });
  t.teardown(igd.close);
  const api = await harness();
  t.teardown(api.close);
  const before = await api.app.inject({ method: 'GET', url: '/v1/exposure', headers: auth });
  t.equal(before.statusCode, 200);
  const empty = before.json<Record<string, unknown>>();
  t.equal(schemaErrors(exposureSchema, empty), null);
  t.equal(empty['lastScanAt'], null);
  const id = (await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } })).json<{ id: number }>().id;
  t.equal((await settled(api.app, id)).status, 'done');
  const after = await api.app.inject({ method: 'GET', url: '/v1/exposure', headers: auth });
  const exposure = after.json<Record<string, unknown>>();
  t.equal(schemaErrors(exposureSchema, exposure), null);
  t.same(Object.keys(exposure).sort(), Object.keys(empty).sort(), 'the same keys, always');
  const report = (await api.app.inject({ method: 'GET', url: `/v1/scans/${id}/report`, headers: auth })).json<ExposureReport>();
  t.match(exposure, {
    scanId: id,
    lastScanAt: report.finishedAt,
    riskScore: report.summary.riskScore,
    highestSeverity: report.summary.highestSeverity,
    headline: report.summary.headline,
    counts: report.summary.counts,
    findings: report.findings.length,
    mappings: 1,
    gateways: 1,
    openWanPorts: null,
    wanView: 'none',
    externalIp: '203.0.113.7',
  });
});

t.test('the queue: bounded, refused when full (503, nothing recorded), one scan at a time', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS], delayMs: 200 });
  t.teardown(igd.close);
  const api = await harness({ limits: { maxQueued: 1 } });
  t.teardown(api.close);
  const post = () => api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } });
  const first = await post();
  const second = await post();
  t.equal(first.statusCode, 202);
  t.equal(second.statusCode, 202, 'one may wait while one runs');
  const third = await post();
  t.equal(third.statusCode, 503);
  t.equal(errorCode(third), 'EXP_ERR_API_BUSY');
  t.equal(third.headers['retry-after'], '30');
  t.equal((await api.store.listScans()).items.length, 2, 'the refused scan left no record');
  const secondId = second.json<{ id: number }>().id;
  t.equal((await api.store.getScan(secondId))?.status, 'queued', 'the second waits for the first');
  const second_ = await settled(api.app, secondId);
  t.equal(second_.status, 'done');
  const first_ = await api.store.getScan(first.json<{ id: number }>().id);
  t.ok(first_?.finishedAt && second_.startedAt && Date.parse(second_.startedAt as string) >= Date.parse(first_.finishedAt), 'the second started after the first finished');
});

t.test('shutdown: the running scan is aborted and marked, promptly', async (t) => {
  const igd = await startFakeIgd({ mappings: [NAS], hang: true });
  t.teardown(igd.close);
  const api = await harness();
  const running = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false, timeoutSeconds: 120, requestTimeoutMs: 60000 } });
  const waiting = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } });
  const runningId = running.json<{ id: number }>().id;
  const waitingId = waiting.json<{ id: number }>().id;
  for (let i = 0; i < 100 && (await api.store.getScan(runningId))?.status !== 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const started = Date.now();
  await api.app.close();
  t.ok(Date.now() - started < 5000, `closed in ${Date.now() - started} ms`);
  for (const id of [runningId, waitingId]) {
    const record = await api.store.getScan(id);
    t.equal(record?.status, 'interrupted', `scan ${id}`);
    t.equal(record?.error?.code, 'EXP_ERR_SCAN_INTERRUPTED', `scan ${id}`);
  }
  await api.close();
});
