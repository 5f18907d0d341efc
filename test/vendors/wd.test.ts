import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeMyBookLive, startFakeMyCloud, isDangerousWdPath, type FakeDevice } from '../support/fake-nas.js';
import { checkOwnExamples, packAt, recognise, verdict } from '../support/fake-nas/pack-match.js';

const { pack, dir } = packAt('wd');

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the WD pack passes the loader and its own examples', (t) => {
  t.equal(readPack(dir, 'builtin').pack.id, 'wd');
  checkOwnExamples(t, 'wd');
  t.end();
});

t.test('a My Book Live is recognised with its firmware, both 2021 CVEs apply (never fixed), and it is past support since 2015', async (t) => {
  const fake = await started(t, startFakeMyBookLive({ version: '01.05.07' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.equal(seen.productLine, 'mybooklive');
  t.equal(seen.version, '01.05.07');
  t.equal(verdict(pack, 'CVE-2018-18472', 'mybooklive', seen.version!), 'vulnerable');
  t.equal(verdict(pack, 'CVE-2021-35941', 'mybooklive', seen.version!), 'vulnerable');
  const eol = pack.endOfSupport?.find((entry) => entry.productLine === seen.productLine);
  t.equal(eol?.lastSecurityUpdate, '2015');
  t.ok(eol?.source.startsWith('https://'));
  t.notOk(fake.requests.some((request) => isDangerousWdPath(request.path)), 'neither wipe endpoint is ever asked for');
});

t.test('a My Book Live with an owner password is recognised from its login page', async (t) => {
  const fake = await started(t, startFakeMyBookLive({ ownerPassword: true }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.matched.includes('wd-mybooklive-login'));
  t.equal(seen.version, '01.05.07');
});

t.test('a My Cloud EX2 Ultra on OS 3 is recognised with model and major.minor, and its line is past support (2022-04-15)', async (t) => {
  const fake = await started(t, startFakeMyCloud({ modelId: 'MyCloudEX2Ultra', version: '2.31' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.same(seen.matched, ['wd-mycloud-root', 'wd-mycloud-info-xml']);
  t.equal(seen.facts['model'], 'MyCloudEX2Ultra');
  t.equal(seen.version, '2.31');
  t.equal(seen.productLine, 'mycloud-os3', 'the 2.x version selects My Cloud OS 3');
  t.equal(pack.endOfSupport?.find((entry) => entry.productLine === seen.productLine)?.lastSecurityUpdate, '2022-04-15');
});

t.test('a My Cloud on OS 5 selects the OS 5 line, which has no end-of-support entry', async (t) => {
  const fake = await started(t, startFakeMyCloud({ modelId: 'WDMyCloudMirror', version: '5.26' }));
  const seen = await recognise(pack, fake.url);
  t.equal(seen.productLine, 'mycloud-os5');
  t.equal(pack.endOfSupport?.find((entry) => entry.productLine === seen.productLine), undefined);
});

t.test('OS 5 answering 403 to scanners is not recognised from / without a browser user agent (a need the format does not cover)', async (t) => {
  const fake = await started(t, startFakeMyCloud({ blockScannerAgents: true, version: '5.26' }));
  const seen = await recognise(pack, fake.url);
  t.notOk(seen.matched.includes('wd-mycloud-root'));
  t.ok(seen.matched.includes('wd-mycloud-info-xml'), 'info.xml still tells model and version');
});
