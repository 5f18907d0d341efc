// Issue 14: adding a probe touches its folder and one registration line. The fictitious sauna-heater probe lives in
// test/fixtures/probes/sauna-heater/ (its manifest and its action, nothing else); here it is registered beside the
// real probes, the way its line in probes/index.ts would, and a whole scan runs with it against a fake router on
// loopback: its observation is checked against its schema, lands in the report, and each format renders its section.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import * as registered from '../../probes/index.js';
import { PROBES } from '../../probes/registry.js';
import { orderProbes } from '../../src/core/probe-order.js';
import type { ProbeManifest } from '../../src/core/probe.js';
import { runScan } from '../../src/scan/run-scan.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { renderText } from '../../src/report/render-text.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderHtml } from '../../src/report/render-html.js';
import { validateReport } from '../../src/report/validate.js';
import { isExposureError } from '../../src/core/errors.js';
import { manifest as saunaHeater } from '../fixtures/probes/sauna-heater/manifest.js';
import { startFakeIgd } from '../support/fake-igd.js';

const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS' }] });
t.teardown(igd.close);
const options = buildScanOptions({ gatewayUrl: igd.url, wan: false, timeoutSeconds: 20 });

t.test('registration is one line of the same form for every probe', async (t) => {
  const source = await readFile(new URL('../../probes/index.ts', import.meta.url), 'utf8');
  const lines = source.split('\n').filter((line) => line.startsWith('export'));
  t.equal(lines.length, PROBES.length, 'one line per registered probe');
  for (const line of lines) t.match(line, /^export \{ manifest as [A-Za-z][A-Za-z0-9]* \} from '\.\/[a-z0-9-]+\/manifest\.js';$/);
  // The line the sauna heater would add, in the same form.
  t.match(`export { manifest as saunaHeater } from './sauna-heater/manifest.js';`, /^export \{ manifest as [A-Za-z]+ \} from '\.\/[a-z0-9-]+\/manifest\.js';$/);
});

t.test('registered beside the real probes, it is scanned, validated, reported and rendered', async (t) => {
  const probes: ProbeManifest[] = orderProbes([...Object.values(registered), saunaHeater]);
  const progress: string[] = [];
  const report = await runScan({ ...options, onProgress: (message) => progress.push(message) }, undefined, probes);
  t.ok(progress.includes('Asking the sauna heater'), 'it ran');
  t.same(report.probes, { 'sauna-heater': { 'sauna-heater': [{ address: '127.0.0.1', port: 8088, temperatureC: 80, remoteControl: true }] } }, 'its data, by probe and kind');
  t.equal(report.gateways.length, 1, 'the real probes ran as before');
  validateReport(JSON.parse(JSON.stringify(report)));

  const text = renderText(report, { color: false }, probes);
  t.match(text, /^Sauna {2}127\.0\.0\.1:8088 at 80 °C, remote control ON$/m);
  t.match(text, /^Router {2}/m, 'beside the real sections');
  const markdown = renderMarkdown(report, probes);
  t.match(markdown, /^## Sauna heaters$/m);
  t.match(markdown, /^\| 127\\\.0\\\.0\\\.1\\:8088 \| 80 °C \| on \|$/m, 'a token that is not plain stays escaped');
  t.match(markdown, /; 1 sauna heater\\\(s\\\);/, 'its words in the header line');
  const html = renderHtml(report, probes);
  t.match(html, /<section id="sauna-heaters"><h2>Sauna heaters<\/h2><table class="sauna-heaters">/);
  t.match(html, /<td><strong>on<\/strong><\/td>/);

  // A reader without the probe (an older build, or the probe removed) still validates and renders the report.
  t.doesNotThrow(() => renderText(report), 'rendered without the probe registered');
  t.notMatch(renderText(report), /Sauna/, 'and without its section');
});

t.test('an observation that breaks its schema stops the scan as a bug, naming the probe', async (t) => {
  const broken: ProbeManifest = {
    ...saunaHeater,
    load: async () => ({
      appliesTo: () => true,
      run: async () => [{ probe: 'sauna-heater', kind: 'sauna-heater', subject: 'x', at: new Date().toISOString(), data: { address: '127.0.0.1', port: 70000, temperatureC: 80, remoteControl: true } }],
    }),
  };
  const error: unknown = await runScan(options, undefined, orderProbes([...Object.values(registered), broken])).catch((caught: unknown) => caught);
  t.ok(isExposureError(error, 'EXP_ERR_REPORT_INVALID'), String(error));
  t.match((error as Error).message, /probe "sauna-heater" made a "sauna-heater" observation that does not match its schema: \/port must be <= 65535/);
});

t.test('a kind no probe declares is refused', async (t) => {
  const undeclared: ProbeManifest = { ...saunaHeater, observes: {} };
  const error: unknown = await runScan(options, undefined, orderProbes([...Object.values(registered), undeclared])).catch((caught: unknown) => caught);
  t.ok(isExposureError(error, 'EXP_ERR_REPORT_INVALID'));
  t.match((error as Error).message, /a kind no registered probe declares/);
});
