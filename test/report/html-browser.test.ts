/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): the diagram and findings are
 * there, and nothing from the data ran. Offline by construction: the page is set from a string, every request is
 * aborted and counted (there must be none), and the CSP forbids script and loads anyway.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../src/report/render-html.js';
import { HOSTILE } from '../support/hostile.js';
import { at, qlockerScenario, reportOf } from '../support/scenarios.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { assembleReport } from '../../src/report/build.js';
import { judge } from '../../src/rules/judge.js';

const CHROMIUM = '/usr/bin/chromium';

// CI installs chromium (.ci/run); there its absence is a failure, elsewhere a skip with the reason.
const missing = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
if (missing && process.env['CI']) t.fail(missing);

t.test('the HTML report in headless Chromium: diagram, findings, and no script from the data', { skip: missing }, async (t) => {
  const report = reportOf(qlockerScenario(HOSTILE.join(' ')));
  const html = renderHtml(report);
  // --no-sandbox: the tests run as root, where Chromium refuses its sandbox; the page is our own, script-free file.
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], timeout: 15_000 });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ javaScriptEnabled: true, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  await page.route('**', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  const dialogs: string[] = [];
  const consoleMessages: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => errors.push(error.message));

  await page.setContent(html, { waitUntil: 'load', timeout: 10_000 });

  t.equal(await page.title(), `Exposure report ${report.startedAt}`);
  t.equal(await page.locator('svg.diagram').count(), 1, 'one diagram');
  for (const door of report.exposures ?? []) {
    t.equal(await page.locator(`svg.diagram g.door[data-door="${door.key}"]`).count(), 1, `the diagram draws door ${door.key}`);
    t.equal(await page.locator(`svg.diagram g.door[data-door="${door.key}"]`).getAttribute('data-severity'), door.severity);
  }
  t.ok((await page.locator('svg.diagram g.host[data-host="192.168.1.20"]').count()) === 1, 'the NAS is one host box');
  t.ok((await page.locator('svg.diagram g.node.router').count()) >= 1, 'and a router');
  t.match(await page.locator('.headline').innerText(), /Your QNAP TS-453D .* admin page on port 8080 is reachable from the internet through a UPnP mapping/);
  t.equal(await page.locator('article.finding').count(), report.findings.length, 'every finding');
  const admin = page.locator('#finding-qnap-admin-exposed-tcp-8080');
  t.ok((await admin.locator('ul.evidence li').count()) >= 3, 'with its evidence');
  t.match(await admin.locator('ol.remediation').innerText(), /Enable UPnP Port forwarding/);
  t.equal(await page.locator('table.mappings tbody tr').count(), 5, 'the raw mapping table');

  // What the data tried to do: create elements, run handlers, set globals, print, open dialogs, load things.
  t.equal(await page.locator('script, img, iframe, object, embed, link, foreignObject, style:not(head style)').count(), 0, 'no element from the data');
  t.equal(await page.locator('[onerror], [onload], [onclick]').count(), 0, 'no handler attribute');
  t.equal(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined, 'no global was set');
  t.same(dialogs, [], 'no dialog opened');
  t.same(consoleMessages, [], 'nothing printed');
  t.same(errors, [], 'no page error');
  t.same(requests, [], 'no request was attempted');
  const description = await page.locator('table.mappings tbody tr').first().locator('td').last().innerText();
  t.match(description, /<script>globalThis\.__pwned = 1; alert\(1\)<\/script>/, 'the hostile description is shown as text');
  t.match(description, /a\\u202eexe\.txt\\u2066b/, 'bidi controls shown as escapes');
  await context.close();
});

t.test('an incident in headless Chromium: the banner is the first thing on a phone and on a desktop, and fits', { skip: missing }, async (t) => {
  const observations = qlockerScenario().map((observation) =>
    observation.kind === 'host' && observation.data.device
      ? { ...observation, data: { ...observation.data, device: { ...observation.data.device, pack: 'qnap' }, indicators: [{ pack: 'qnap', id: 'qnap-deadbolt-ransom-screen', campaign: 'DeadBolt', port: 8080, path: 'GET /', evidence: HOSTILE[0] ?? '' }] } }
      : observation,
  );
  const options = { ...DEFAULT_SCAN_OPTIONS, vantageUrl: 'https://vantage.example:7447' };
  const report = assembleReport({ startedAt: new Date(at), finishedAt: new Date(Date.parse(at) + 4200), options, observations, judgement: judge(observations, options) });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], timeout: 15_000 });
  t.teardown(() => browser.close());
  for (const [name, width, height] of [['phone', 390, 844], ['desktop', 1280, 900]] as const) {
    const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**', (route) => route.abort());
    await page.setContent(renderHtml(report), { waitUntil: 'load', timeout: 10_000 });
    const banner = await page.locator('section.incident').boundingBox();
    const header = await page.locator('header').boundingBox();
    t.ok(banner && header && banner.y < header.y, `${name}: above the title`);
    t.ok(banner && banner.y < 50 && banner.x >= 0 && banner.x + banner.width <= width, `${name}: at the top, within the screen's width (${JSON.stringify(banner)})`);
    t.match(await page.locator('section.incident h2').innerText(), /^INCIDENT: 192\.168\.1\.20 shows signs of DeadBolt/);
    t.match(await page.locator('section.incident ol li').first().innerText(), /^Do not restart or shut the NAS down/, `${name}: the first step is in the first screen`);
    const firstStep = await page.locator('section.incident ol li').first().boundingBox();
    t.ok(firstStep && firstStep.y + firstStep.height <= height, `${name}: and visible without scrolling`);
    t.equal(await page.locator('script, img').count(), 0, 'the evidence stays text');
    await context.close();
  }
});
