// Issue 15 item 3: a box showing DeadBolt's ransom screen puts the report in incident mode. The rules build
// report.incident (renderers only place it), the headline is about the compromise, the first steps are the vendor's
// incident steps; text, Markdown and HTML show the INCIDENT banner before anything else; a new compromise alerts
// through any filter and across a failed view, on the first run of a watch too; the webhook body carries it.
import t from 'tap';
import path from 'node:path';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { assembleReport } from '../../src/report/build.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { validateReport } from '../../src/report/validate.js';
import { judge } from '../../src/rules/judge.js';
import { diffReports } from '../../src/diff/diff.js';
import { renderDiffText } from '../../src/diff/render.js';
import { baselineDiff } from '../../src/alerts/baseline.js';
import { matchesFilter } from '../../src/alerts/filter.js';
import { buildPayload } from '../../src/alerts/payload.js';
import { queueAlerts } from '../../src/alerts/outbox.js';
import { isWebhookPayload, payloadProblem } from '../../src/alerts/payload-validator.js';
import type { AlertOn } from '../../src/store/types.js';
import { openStore } from '../../src/store/index.js';
import { at, NAS, qlockerScenario } from '../support/scenarios.js';
import { HOSTILE } from '../support/hostile.js';
import { tempDir } from '../support/reports.js';

const OPTIONS = { ...DEFAULT_SCAN_OPTIONS, vantageUrl: 'https://vantage.example:7447' };
const COMPROMISE = `vendor-compromise-deadbolt-${NAS.replace(/\./g, '-')}`;

/** The Qlocker scenario's QNAP, recognised by the QNAP pack, answering with DeadBolt's screen (what the probe records). */
function deadbolt(observations: Observation[] = qlockerScenario()): Observation[] {
  return observations.map((observation) =>
    observation.kind === 'host' && observation.data.device
      ? {
          ...observation,
          data: {
            ...observation.data,
            device: { ...observation.data.device, pack: 'qnap', productLine: 'qts' },
            indicators: [{ pack: 'qnap', id: 'qnap-deadbolt-ransom-screen', campaign: 'DeadBolt', port: 8080, path: 'GET /', evidence: 'WARNING: Your files have been locked by DeadBolt' }],
          },
        }
      : observation,
  );
}

function reportOf(observations: Observation[]): ExposureReport {
  return assembleReport({ startedAt: new Date(at), finishedAt: new Date(Date.parse(at) + 4200), options: OPTIONS, observations, judgement: judge(observations, OPTIONS) });
}

t.test('the rules put the report in incident mode: the incident first, the headline about it, the vendor\'s steps first', async (t) => {
  const report = reportOf(deadbolt());
  t.same(Object.keys(report).slice(0, 2), ['schemaVersion', 'incident'], 'the incident comes first in the JSON too');
  t.match(report.incident, { campaigns: ['DeadBolt'], hosts: [NAS], findings: [COMPROMISE], firstStepsFinding: COMPROMISE });
  t.match(report.incident?.firstSteps[0], /^Do not restart or shut the NAS down/, "QNAP's incident advice, not hardening");
  t.ok(report.incident?.firstSteps.some((step) => /Malware Remover/.test(step)));
  t.equal(report.findings[0]?.id, COMPROMISE, 'the compromise finding first, before the critical doors');
  t.match(report.summary.headline, new RegExp(`^INCIDENT: ${NAS.replace(/\./g, '\\.')} shows signs of DeadBolt: .*; follow the incident steps first, before any hardening \\(and \\d+ more findings\\)\\.$`));
  t.notOk('incident' in reportOf(qlockerScenario()), 'no sign of compromise, no incident');
});

t.test('text, Markdown and HTML show the INCIDENT banner before anything else, every string escaped', async (t) => {
  const report = reportOf(deadbolt());
  const text = renderText(report);
  t.match(text.split('\n')[0], /^!!! INCIDENT: 192\.168\.1\.20 shows signs of DeadBolt/);
  t.match(text, /Do this first \(incident response, not hardening\):\n {6}1\. Do not restart or shut the NAS down/);
  t.ok(text.indexOf('!!! INCIDENT') < text.indexOf('exposure-scanner') && text.indexOf('!!! INCIDENT') < text.indexOf('Verdict'), 'before the title line and the verdict');
  const markdown = renderMarkdown(report);
  t.same(markdown.split('\n').slice(0, 2), ['> [!CAUTION]', '> **INCIDENT\\: 192\\.168\\.1\\.20 shows signs of DeadBolt\\: DeadBolt&#39;s ransom screen in place of the QTS login page**']);
  t.ok(markdown.indexOf('[!CAUTION]') < markdown.indexOf('# Exposure report'));
  const html = renderHtml(report);
  t.match(html, /<body>\n<section class="incident" role="alert"><h2>INCIDENT: 192\.168\.1\.20 shows signs of DeadBolt/, 'the first element of the page');
  t.match(html, /<title>INCIDENT: Exposure report/);
  t.match(html, new RegExp(`<a href="#finding-${COMPROMISE}">`), 'a link to the finding with the evidence');

  // Pack data can come from a user's folder and addresses from the network: the banner escapes them like anything else.
  const hostile = HOSTILE.join(' ');
  const bad: ExposureReport = { ...report, incident: { ...report.incident!, title: hostile, campaigns: [HOSTILE[1]!], hosts: [HOSTILE[6]!], firstSteps: [hostile] } };
  validateReport(JSON.parse(JSON.stringify(bad)));
  const page = renderHtml(bad);
  t.notMatch(page, /<script>|<img|<svg onload|<style>body/, 'no markup from the data');
  t.match(page, /&lt;script&gt;globalThis\.__pwned = 1; alert\(1\)&lt;\/script&gt;/);
  const terminal = renderText(bad);
  t.notOk(terminal.includes('\u001b[31m') || terminal.includes('\u202e'), 'no terminal escape or bidi override');
  const md = renderMarkdown(bad);
  t.notMatch(md.split('# Exposure report')[0] ?? '', /<script>|\[link\]\(https|\n#/, 'no markup, link or heading from the data in the Markdown banner');
});

t.test('a new compromise is a change through every filter and across a failed view; the diff and webhook body carry the incident', async (t) => {
  const before = reportOf(qlockerScenario());
  const after = reportOf(deadbolt());
  // The router stopped answering in the newer scan: no other finding is compared, the compromise still is.
  const blind: ExposureReport = { ...after, coverage: { ...after.coverage, complete: false, inside: { status: 'failed', requested: true, reason: { code: 'EXP_ERR_IGD_NOT_FOUND', message: 'no answer' } } } };
  const diff = diffReports(before, blind, { from: 1, to: 2 });
  const news = diff.changes.filter((change) => change.kind.startsWith('finding-'));
  t.same(news.map((change) => [change.kind, change.key, change.incident]), [['finding-new', COMPROMISE, true]], 'the compromise, and no finding across the failed view');
  t.equal(diff.incident?.firstStepsFinding, COMPROMISE);
  const change = news[0]!;
  for (const filter of ['coverage', 'severity:critical', 'severity:info', 'new-exposure', 'any'] as AlertOn[]) t.ok(matchesFilter(change, filter), `passes ${filter}`);
  const resolved = diffReports(after, before).changes.find((candidate) => candidate.key === COMPROMISE);
  t.match(resolved, { kind: 'finding-resolved', incident: true });
  t.notOk(matchesFilter(resolved!, 'coverage'), 'a compromise gone is news under its usual filters only');
  t.match(renderDiffText(diff), /^!!! INCIDENT: .*\n {4}Do this first[\s\S]*! \[INCIDENT\] new critical finding: 192\.168\.1\.20 shows signs of DeadBolt/);

  const payload = buildPayload({ webhook: 'https://hooks.example/x', diff, matched: [change], alertOn: 'coverage', schedule: { id: 1, name: 'watch' }, summary: null });
  t.ok(isWebhookPayload(payload), payloadProblem(payload) ?? 'the published schema');
  t.equal(payload.incident?.campaigns[0], 'DeadBolt');
  t.match(payload.text.split('\n')[0], /^:rotating_light: \*INCIDENT: 192\.168\.1\.20 shows signs of DeadBolt/, 'first in the Slack text');
  t.match(payload.text, /\n1\. Do not restart or shut the NAS down/);
  t.match(payload.changes[0], { key: COMPROMISE, incident: true, matched: true });
});

t.test('the first run of a watch alerts on a compromise at once, whatever the filter', async (t) => {
  const store = await openStore({ file: path.join(await tempDir(t), 'history.db') });
  t.teardown(() => store.close());
  const report = reportOf(deadbolt());
  const scan = await store.recordScan(report, { options: OPTIONS, trigger: 'schedule' });
  // What the scheduler does for a schedule's first done scan (src/schedule/scheduler.ts): the baseline, filtered.
  const targets = { webhooks: ['https://hooks.example/x'], alertOn: 'coverage' as const, schedule: null };
  t.equal(await queueAlerts(store, targets, baselineDiff(report, scan.id), scan.summary, 'baseline'), 1);
  const [alert] = await store.listAlerts();
  const body = JSON.parse(alert?.body ?? '{}') as ReturnType<typeof buildPayload>;
  t.equal(body.type, 'exposure.baseline');
  t.equal(body.incident?.firstStepsFinding, COMPROMISE);
  t.same(body.changes.filter((candidate) => candidate.matched).map((candidate) => candidate.key), [COMPROMISE], 'the compromise passed the coverage-only filter');
  t.match(body.text, /^:rotating_light: \*INCIDENT/);
  t.notMatch(body.text, /nothing that passes your alert filter/, 'never "nothing is exposed" beside a ransom note');
});
