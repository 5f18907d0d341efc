// Western Digital through the code the scan runs: My Book Live (never fixed, past support), My Cloud OS 3 (past
// support) and OS 5 (asked as a browser when it refuses scanners), judged by the rules, forwarded ones included.
import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeMyBookLive, startFakeMyCloud, isDangerousWdPath, type FakeDevice } from '../support/fake-nas.js';
import { findingsOf, judgeForwarded, judgeSeen, packById, recognise, verdictIn } from '../support/fake-nas/engine.js';

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the WD pack passes the loader (its examples: test/vendors/packs.test.ts)', (t) => {
  t.equal(readPack(packById('wd').dir, 'builtin').pack.id, 'wd');
  t.end();
});

t.test('a My Book Live: its firmware read, both 2021 CVEs apply (never fixed), past support since 2015', async (t) => {
  const fake = await started(t, startFakeMyBookLive({ version: '01.05.07' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.vendor, 'Western Digital');
  t.equal(seen.device?.productLine, 'mybooklive');
  t.equal(seen.device?.firmware?.full, '01.05.07');
  const judgement = judgeSeen(seen);
  t.equal(verdictIn(judgement, 'CVE-2018-18472')?.status, 'vulnerable');
  t.equal(verdictIn(judgement, 'CVE-2021-35941')?.status, 'vulnerable');
  t.match(findingsOf(judgement, 'vendor-end-of-support')[0]?.title, /last security update 2015/);
  t.notOk(fake.requests.some((request) => isDangerousWdPath(request.path)), 'neither wipe endpoint is ever asked for');
});

t.test('a My Book Live forwarded and open: critical, "no release fixes", and no ransomware claim (the 2021 wipe asked none)', async (t) => {
  const fake = await started(t, startFakeMyBookLive());
  const judgement = judgeForwarded(await recognise(fake), 80);
  const [vulnerable] = findingsOf(judgement, 'nas-vulnerable-exposed');
  t.equal(vulnerable?.severity, 'critical');
  t.match(vulnerable?.title, /runs versions that no release fixes for CVE-2018-18472 \(My Book Live\) and CVE-2021-35941 \(My Book Live\), and it is reachable from the internet$/);
  t.equal(vulnerable?.classification.knownRansomware, false);
  t.equal(vulnerable?.classification.kev, false);
  t.match(vulnerable?.remediation[0], /^No My Book Live release fixes CVE-2018-18472 and CVE-2021-35941/);
  const [admin] = findingsOf(judgement, 'nas-admin-exposed');
  t.equal(admin?.id, 'nas-admin-exposed-tcp-80');
  t.equal(admin?.severity, 'critical');
  t.ok(admin?.remediation.includes('Disconnect the My Book Live from the Internet to protect your data.'));
});

t.test('a My Book Live with an owner password is recognised from its login page', async (t) => {
  const fake = await started(t, startFakeMyBookLive({ ownerPassword: true }));
  const seen = await recognise(fake);
  t.ok(seen.matched.includes('wd-mybooklive-login'));
  t.equal(seen.device?.firmware?.full, '01.05.07');
});

t.test('a My Cloud EX2 Ultra on OS 3: model and major.minor, the OS 3 line, past support (2022-04-15)', async (t) => {
  const fake = await started(t, startFakeMyCloud({ modelId: 'MyCloudEX2Ultra', version: '2.31' }));
  const seen = await recognise(fake);
  t.same(seen.matched, ['wd-mycloud-root', 'wd-mycloud-info-xml']);
  t.equal(seen.device?.model, 'MyCloudEX2Ultra');
  t.equal(seen.device?.firmware?.full, '2.31');
  t.equal(seen.device?.productLine, 'mycloud-os3', 'the 2.x version selects My Cloud OS 3');
  t.notOk(fake.requests.some((request) => /Mozilla\//.test(request.headers['user-agent'] ?? '')), 'a page that answered is never asked again as a browser');
  const judgement = judgeForwarded(seen, 443);
  t.match(findingsOf(judgement, 'vendor-end-of-support')[0]?.title, /last security update 2022-04-15/);
  t.equal(findingsOf(judgement, 'nas-admin-exposed')[0]?.severity, 'critical');
});

t.test('a My Cloud on OS 5 selects the OS 5 line: no end of support, no advisory to hold against it', async (t) => {
  const fake = await started(t, startFakeMyCloud({ modelId: 'WDMyCloudMirror', version: '5.26' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.productLine, 'mycloud-os5');
  const judgement = judgeForwarded(seen, 443);
  t.same(findingsOf(judgement, 'vendor-end-of-support'), []);
  t.same(findingsOf(judgement, 'nas-vulnerable-exposed'), []);
  const [admin] = findingsOf(judgement, 'nas-admin-exposed');
  t.equal(admin?.severity, 'critical', 'an admin page on the internet, whatever its firmware');
  t.ok(admin?.remediation.some((step) => /latest firmware/.test(step)), 'WD\'s own step for OS 5');
});

t.test('OS 5 refusing scanner user agents: GET / again as a browser, once, and the page is recognised', async (t) => {
  const fake = await started(t, startFakeMyCloud({ blockScannerAgents: true, version: '5.26' }));
  const seen = await recognise(fake);
  t.notOk(seen.matched.includes('wd-mycloud-root'));
  t.ok(seen.matched.includes('wd-mycloud-root-browser'));
  t.equal(seen.device?.model, 'MyCloudEX2Ultra');
  const roots = fake.requests.filter((request) => request.path === '/');
  t.equal(roots.filter((request) => /Mozilla\//.test(request.headers['user-agent'] ?? '')).length, 1, 'one browser request');
  t.equal(roots.filter((request) => request.headers['user-agent'] === 'exposure-scanner').length, 1, 'the scanner says who it is first');
  t.notOk(fake.requests.some((request) => request.headers.cookie !== undefined || request.headers.authorization !== undefined));
});

t.test('My Cloud over HTTPS: recognised the same', async (t) => {
  const fake = await started(t, startFakeMyCloud({ version: '2.31', tls: true }));
  const seen = await recognise(fake);
  t.equal(seen.host.services[0]?.scheme, 'https');
  t.equal(seen.device?.productLine, 'mycloud-os3');
});
