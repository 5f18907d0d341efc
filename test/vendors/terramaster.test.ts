import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeTerramaster, type FakeDevice } from '../support/fake-nas.js';
import { checkOwnExamples, packAt, recognise, verdict } from '../support/fake-nas/pack-match.js';

const { pack, dir } = packAt('terramaster');

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the TerraMaster pack passes the loader and its own examples', (t) => {
  t.equal(readPack(dir, 'builtin').pack.id, 'terramaster');
  checkOwnExamples(t, 'terramaster');
  t.end();
});

t.test('a TOS 4.2.29 box is recognised with model and version, and CVE-2022-24990 (KEV, ransomware) applies', async (t) => {
  const fake = await started(t, startFakeTerramaster({ version: '4.2.29', model: 'F4-422' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.same(seen.matched, ['terramaster-tos4-login', 'terramaster-tos-version-file', 'terramaster-powered-by-header']);
  t.equal(seen.productLine, 'tos');
  t.equal(seen.version, '4.2.29');
  t.equal(seen.facts['model'], 'F4-422');
  t.equal(verdict(pack, 'CVE-2022-24990', 'tos', seen.version!), 'vulnerable');
  const advisory = pack.advisories.find((candidate) => candidate.id === 'CVE-2022-24990')!;
  t.equal(advisory.kev.listed, true);
  t.equal(advisory.kev.knownRansomwareCampaignUse, 'Known');
  t.ok(advisory.knownRansomware);
  t.notOk(fake.requests.some((request) => request.path.includes('webNasIPS') || request.headers['user-agent'] === 'TNAS'), 'the CVE-2022-24990 request is never sent');
});

t.test('TOS 4.2.30 and TOS 5 are past CVE-2022-24990; 4.1 is not', async (t) => {
  const fake = await started(t, startFakeTerramaster({ version: '4.2.30' }));
  const seen = await recognise(pack, fake.url);
  t.equal(seen.version, '4.2.30');
  t.equal(verdict(pack, 'CVE-2022-24990', 'tos', seen.version!), 'fixed');
  t.equal(verdict(pack, 'CVE-2022-24990', 'tos', '5.0.171-00221'), 'fixed');
  t.equal(verdict(pack, 'CVE-2022-24990', 'tos', '4.1.06'), 'vulnerable');
});

t.test('a TOS 5 box is recognised; its version sits behind a CSRF handshake the format cannot express', async (t) => {
  const fake = await started(t, startFakeTerramaster({ generation: 'tos5' }));
  const seen = await recognise(pack, fake.url);
  t.ok(seen.identified);
  t.ok(seen.matched.includes('terramaster-tos5'));
  t.equal(seen.version, undefined, 'docs/readme-drafts/vendor-data-needs.md');
});
