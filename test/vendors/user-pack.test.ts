// Issue 15: adding a vendor is a data change. A fictitious vendor's pack, written to a temporary folder and given
// with --vendor-pack, recognises its fake device on loopback in a whole scan, reads its version with the pack's
// grammar and holds it against the pack's advisory: no code changes. Without the option the same device is no one's.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseScanArgs } from '../../src/cli/scan-args.js';
import { isExposureError } from '../../src/core/errors.js';
import { runScan } from '../../src/scan/run-scan.js';
import { validateReport } from '../../src/report/validate.js';
import { loadPacks } from '../../src/vendors/load.js';
import { ACME_PACK as PACK, acmeLogin as LOGIN } from '../support/acme-pack.js';
import { judge } from '../../src/rules/judge.js';
import type { Observation } from '../../src/core/observation.js';
import type { Host } from '../../src/core/report.generated.js';
import { startFakeIgd } from '../support/fake-igd.js';
import type { TapTest } from '../lab/lab.js';

async function writePack(t: TapTest, pack: unknown): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vendor-pack-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, 'acme');
  await mkdir(dir);
  await writeFile(path.join(dir, 'pack.json'), JSON.stringify(pack));
  return dir;
}

// A loopback address of its own: no other test's server answers on its ports.
const ADDRESS = '127.0.0.2';
const requests: string[] = [];
const device = http.createServer((request, response) => {
  requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
  if (request.url === '/login') response.writeHead(200, { 'content-type': 'text/html', connection: 'close' }).end(LOGIN('2.1-300'));
  else response.writeHead(404, { connection: 'close' }).end('<html><head><title>404</title></head></html>');
});
await new Promise<void>((resolve) => device.listen(0, ADDRESS, resolve));
t.teardown(() => new Promise<void>((resolve) => device.close(() => resolve())));
const { port } = device.address() as AddressInfo;
const igd = await startFakeIgd({ mappings: [{ protocol: 'TCP', externalPort: 5050, internalClient: ADDRESS, internalPort: port, description: 'BoxOS' }] });
t.teardown(igd.close);

function scanArgs(...extra: string[]): ReturnType<typeof parseScanArgs>['scan'] {
  return parseScanArgs(['--gateway', igd.url, '--no-wan', '--timeout', '30', ...extra]).scan;
}

t.test('a pack in a folder given with --vendor-pack recognises its device, reads its version and judges it', async (t) => {
  const dir = await writePack(t, PACK);
  const options = scanArgs('--vendor-pack', dir);
  t.same(options.vendorPacks, [dir], 'the folder, absolute');
  const report = await runScan(options);
  validateReport(JSON.parse(JSON.stringify(report)));
  const host = report.hosts.find((candidate) => candidate.address === ADDRESS);
  t.ok(host, 'the mapping client was fingerprinted');
  t.equal(host?.device?.vendor, 'Acme');
  t.equal(host?.device?.pack, 'acme');
  t.equal(host?.device?.os, 'BoxOS');
  t.equal(host?.device?.productLine, 'boxos');
  t.same(host?.device?.firmware, { version: '2.1-300', full: '2.1-300' });
  t.same(host?.device?.versionSource, { port, path: 'GET /login', fingerprint: 'acme-boxos-login', field: 'version' }, 'where the version was read');
  t.same(host?.device?.adminPorts, [port]);
  const verdict = host?.verdicts.find((candidate) => candidate.advisory === 'ACME-SA-26-01');
  t.equal(verdict?.status, 'vulnerable');
  t.equal(verdict?.foundVersion, 'BoxOS 2.1-300');
  t.equal(verdict?.fixedVersion, '2.1-301');
  t.ok(requests.includes('GET /login'), 'the pack\'s request was sent');
  t.notOk(report.findings.some((finding) => /QNAP/.test(finding.title)), 'no QNAP story about a device that is not one');
  t.same(report.vendorPacks, [{ id: 'acme', vendor: 'Acme', version: '1.0.0', dataDate: '2026-11-30', source: 'user' }], 'the report names the pack it judged with');

  // Facts in the probe stage, verdicts in the rules: the same facts judged again with changed data, at another time.
  const facts: Host = { ...host!, verdicts: [] };
  const observation = (at: string): Observation => ({ probe: 'qnap', kind: 'host', subject: ADDRESS, at, data: facts });
  const soon = judge([observation('2026-12-06T10:00:00Z')], options);
  t.equal(soon.hosts?.[0]?.verdicts.find((candidate) => candidate.advisory === 'ACME-SA-26-01')?.status, 'vulnerable', 'judged from the facts alone');
  t.notOk(soon.findings.some((finding) => finding.rule === 'vendor-data-age'), '6 days: no word on the data\'s age');
  const late = judge([observation('2027-06-01T00:00:00Z')], options);
  const age = late.findings.find((finding) => finding.id === 'vendor-data-age-acme');
  t.equal(age?.severity, 'info');
  t.equal(age?.title, 'Acme advisory data is 183 days old; update the program');
  const newer = structuredClone(PACK);
  newer.advisories[0]!.affected[0]!.fixes[0]!.fixed = '2.1-300';
  const again = judge([observation('2026-12-06T10:00:00Z')], { ...options, vendorPacks: [await writePack(t, newer)] });
  t.equal(again.hosts?.[0]?.verdicts[0]?.status, 'fixed', 'a changed pack changes the verdict on the same facts');
});

t.test('without the option the same device is no vendor\'s', async (t) => {
  const report = await runScan(scanArgs());
  const host = report.hosts.find((candidate) => candidate.address === ADDRESS);
  t.equal(host?.device ?? null, null);
  t.same(host?.verdicts, []);
});

t.test('a bad pack stops the scan with an error naming the file and the JSON path', async (t) => {
  const broken = structuredClone(PACK);
  broken.advisories[0]!.affected[0]!.fixes[0]!.fixed = 'latest';
  const dir = await writePack(t, broken);
  const error: unknown = await runScan(scanArgs('--vendor-pack', dir)).catch((caught: unknown) => caught);
  t.ok(isExposureError(error, 'EXP_ERR_VENDOR_PACK'), String(error));
  t.match((error as Error).message, `${path.join(dir, 'pack.json')} is not a valid vendor pack: at /advisories/0/affected/0/fixes/0/fixed`);

  const unsafe = structuredClone(PACK);
  unsafe.fingerprints[0]!.extract[0]!.regex = 'data-version="(.*)"';
  const error2: unknown = await runScan(scanArgs('--vendor-pack', await writePack(t, unsafe))).catch((caught: unknown) => caught);
  t.ok(isExposureError(error2, 'EXP_ERR_VENDOR_PACK_REGEX'), String(error2));

  const missing: unknown = (() => {
    try {
      return loadPacks([path.join(os.tmpdir(), 'no-such-pack-folder')]);
    } catch (caught) {
      return caught;
    }
  })();
  t.ok(isExposureError(missing, 'EXP_ERR_VENDOR_PACK_READ'));
  const twice: unknown = (() => {
    try {
      return loadPacks([path.resolve('probes/vendors/qnap')]);
    } catch (caught) {
      return caught;
    }
  })();
  t.ok(isExposureError(twice, 'EXP_ERR_VENDOR_PACK'), 'a pack loaded twice is refused');
  t.match((twice as Error).message, /pack qnap is also loaded from/);
});
