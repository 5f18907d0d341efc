/**
 * `npm run demo` (root): the Qlocker story in a closed lab, start to finish.
 *
 * Builds the lab network (test/lab/lab.ts: network namespaces, the real miniupnpd as the router, nothing linked to
 * this machine's own interfaces), puts a QNAP-like web UI on the NAS answering as a vulnerable QTS build (TS-453D,
 * QTS 4.5.2.1566 build 20210202, Photo Station 6.0.12) behind the UPnP mappings myQNAPcloud's Auto Router
 * Configuration would have made, a vantage agent and a DNS server for the myQNAPcloud name on the "internet"
 * side, runs a full `exposure scan` from a LAN machine, writes the HTML report, and tears everything down.
 *
 *   npm run demo                          # writes demo/report.html (and report.md, report.json)
 *   npm run demo -- --screenshot F.png    # also renders the report in headless Chromium to a PNG
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labPrerequisites, startLab, type Lab } from '../test/lab/lab.js';
import { scanWithVantage, startAgent, startFakeServices } from '../test/lab/exposure.js';
import type { ExposureReport } from '../src/core/report.generated.js';
import { renderHtml } from '../src/report/render-html.js';
import { renderJson } from '../src/report/render-json.js';
import { renderMarkdown } from '../src/report/render-markdown.js';
import { renderText } from '../src/report/render-text.js';
import { validateReport } from '../src/report/validate.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DNS_PORT = 5353;
const DDNS_NAME = 'labnas';

const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(root, 'demo') }, screenshot: { type: 'string' } } });

async function scan(lab: Lab, agent: string, token: string): Promise<ExposureReport> {
  const run = await scanWithVantage(lab, agent, token, ['--myqnapcloud', DDNS_NAME, '--dns-server', `${lab.wan.address}:${DNS_PORT}`]);
  if (run.code !== 0 || !run.report) throw new Error(`exposure scan failed (${String(run.code)}): ${run.stderr}`);
  validateReport(run.report);
  return run.report;
}

async function screenshot(htmlFile: string, pngFile: string): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // The report is self-contained: anything it tried to load would be a bug, so nothing may leave.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${htmlFile}`);
    await page.screenshot({ path: pngFile, fullPage: false });
  } finally {
    await browser.close();
  }
}

const prerequisites = labPrerequisites();
if (!prerequisites.ok) {
  console.error(`demo: the lab cannot run here: ${prerequisites.reason}. Run it as root on Linux with the packages .ci/run installs.`);
  process.exit(2);
}

const token = `demo-${'x'.repeat(40)}`;
const lab = await startLab({
  mappings: [
    // What Auto Router Configuration leaves behind: generic descriptions, the admin ports, permanent leases.
    { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'libminiupnpc' },
    { protocol: 'TCP', externalPort: 443, internalClient: '@nas', internalPort: 443, description: 'NAT-PMP 443 tcp' },
    { protocol: 'UDP', externalPort: 3074, internalClient: '@other', internalPort: 3074, description: 'Xbox Live', expiresAt: Math.floor(Date.now() / 1000) + 3600 },
  ],
});
const stop = (): void => void lab.down().finally(() => process.exit(130));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  console.error(`demo: lab ${lab.id} up (router ${lab.router.address}, WAN ${lab.router.wanAddress}, NAS ${lab.nas.address})`);
  const firmware = { version: '4.5.2', number: '1566', build: '20210202' };
  const nas = { firmware, modelName: 'TS-X53D', displayModelName: 'TS-453D', hostname: 'HomeNAS', flags: { stunnelPort: '443', QPhotosEnabled: '1' } };
  await startFakeServices(lab, lab.nas, {
    qnap: [
      { host: '0.0.0.0', port: 8080, ...nas, photoStation: { version: '6.0.12' } },
      { host: '0.0.0.0', port: 443, ...nas, tls: 'qnap-default' },
    ],
  });
  await startFakeServices(lab, lab.wan, { dns: { host: lab.wan.address, port: DNS_PORT, records: { [`${DDNS_NAME}.myqnapcloud.com`]: [lab.router.wanAddress] } } });
  const agent = await startAgent(lab, token);
  console.error(`demo: vantage agent on the internet side at ${agent}; scanning from ${lab.scanner.address} ...`);
  const report = await scan(lab, agent, token);
  mkdirSync(values.out, { recursive: true });
  const htmlFile = path.resolve(values.out, 'report.html');
  writeFileSync(htmlFile, renderHtml(report));
  writeFileSync(path.resolve(values.out, 'report.md'), renderMarkdown(report));
  writeFileSync(path.resolve(values.out, 'report.json'), renderJson(report));
  process.stdout.write(renderText(report, { color: process.stdout.isTTY && !process.env['NO_COLOR'] }));
  console.error(`demo: wrote ${htmlFile}, report.md and report.json`);
  if (values.screenshot) {
    await screenshot(htmlFile, path.resolve(values.screenshot));
    console.error(`demo: screenshot ${path.resolve(values.screenshot)}`);
  }
} finally {
  await lab.down();
  console.error('demo: lab torn down');
}
