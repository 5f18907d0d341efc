import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeAsustor, type FakeDevice } from '../support/fake-nas.js';
import { checkOwnExamples, packAt, recognise, verdict } from '../support/fake-nas/pack-match.js';

const { pack, dir } = packAt('asustor');

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the ASUSTOR pack passes the loader and its own examples', (t) => {
  t.equal(readPack(dir, 'builtin').pack.id, 'asustor');
  checkOwnExamples(t, 'asustor');
  t.end();
});

t.test('an ADM 4.0.3 box is recognised from /portal/ with model and version, and is below the DeadBolt fix', async (t) => {
  const fake = await started(t, startFakeAsustor({ version: '4.0.3.RN51', model: 'AS6404T' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.same(seen.matched, ['asustor-adm-portal']);
  t.equal(seen.productLine, 'adm');
  t.equal(seen.facts['model'], 'AS6404T');
  t.equal(seen.version, '4.0.3.RN51');
  t.equal(verdict(pack, 'ASUSTOR-DeadBolt-2022', 'adm', seen.version!), 'vulnerable');
});

t.test('ADM 4.0.4.RQO2 and later are fixed; ADM 3.5 cannot be told (no fix for 3.x is known)', async (t) => {
  const fake = await started(t, startFakeAsustor());
  const seen = await recognise(pack, fake.url);
  t.equal(seen.version, '4.0.4.RQO2');
  t.equal(verdict(pack, 'ASUSTOR-DeadBolt-2022', 'adm', seen.version!), 'fixed');
  t.equal(verdict(pack, 'ASUSTOR-DeadBolt-2022', 'adm', '4.2.0.RE71'), 'fixed');
  t.equal(verdict(pack, 'ASUSTOR-DeadBolt-2022', 'adm', '3.5.9.RUE3'), 'unknown');
});

t.test('a portal without _dcTag is recognised with its model and no version', async (t) => {
  const fake = await started(t, startFakeAsustor({ dcTag: false, model: 'AS5202T' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.equal(seen.facts['model'], 'AS5202T');
  t.equal(seen.version, undefined);
});
