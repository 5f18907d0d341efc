import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeSynology, type FakeDevice } from '../support/fake-nas.js';
import { checkOwnExamples, packAt, recognise, verdict } from '../support/fake-nas/pack-match.js';

const { pack, dir } = packAt('synology');

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the Synology pack passes the loader and its own examples', (t) => {
  t.equal(readPack(dir, 'builtin').pack.id, 'synology');
  checkOwnExamples(t, 'synology');
  t.end();
});

t.test('a DSM 7.2.1 Update 5 box is recognised from its login page and version file, and is below Synology-SA-26:13', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '5', hostname: 'HomeNAS' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.same(seen.matched, ['synology-dsm-login', 'synology-dsm-version-file']);
  t.equal(seen.productLine, 'dsm');
  t.equal(seen.version, '7.2.1-69057-5');
  t.equal(seen.facts['hostname'], 'HomeNAS');
  t.equal(verdict(pack, 'Synology-SA-26-13', 'dsm', seen.version!), 'vulnerable', 'fixed in 7.2.1-69057-12');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', seen.version!), 'fixed', 'DSM 5.0 and later are past SynoLocker');
  t.notOk(fake.requests.some((request) => request.headers.authorization || request.headers.cookie), 'no credentials, no cookies');
});

t.test('DSM 7.2.1-69057-12 and 7.4-90075 are fixed; 7.1.1 cannot be told (the advisory leaves lines below 7.2.1 unknown)', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '12' }));
  const seen = await recognise(pack, fake.url);
  t.equal(seen.version, '7.2.1-69057-12');
  t.equal(verdict(pack, 'Synology-SA-26-13', 'dsm', seen.version!), 'fixed');
  t.equal(verdict(pack, 'Synology-SA-26-13', 'dsm', '7.4-90075'), 'fixed');
  t.equal(verdict(pack, 'Synology-SA-26-13', 'dsm', '7.1.1-42962'), 'unknown');
  t.equal(verdict(pack, 'Synology-SA-26-13', 'dsm', '7.3.2-86009-3'), 'vulnerable');
});

t.test('SynoLocker: the builds Synology named are judged per line', (t) => {
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '4.3-3810'), 'vulnerable');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '4.3-3827'), 'fixed');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '4.2-3236'), 'vulnerable');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '4.1-2851'), 'vulnerable', '4.1 has no fix of its own');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '4.0-2259'), 'fixed');
  t.equal(verdict(pack, 'SynoLocker', 'dsm', '3.2-1955'), 'not-applicable', 'DSM 3.x is not affected');
  t.end();
});

t.test('a DSM 4.3 box and a DSM box whose version file is closed are recognised without a version', async (t) => {
  const old = await started(t, startFakeSynology({ layout: 'dsm43', build: '3810', hostname: 'OldNAS' }));
  const oldSeen = await recognise(pack, old.url);
  t.ok(oldSeen.identified);
  t.equal(oldSeen.facts['hostname'], 'OldNAS');
  t.equal(oldSeen.version, undefined, 'a bare build number is no DSM version (docs/readme-drafts/vendor-data-needs.md)');
  const closed = await started(t, startFakeSynology({ versionFile: false }));
  const closedSeen = await recognise(pack, closed.url);
  t.ok(closedSeen.identified);
  t.equal(closedSeen.version, undefined);
});
