// TerraMaster TOS through the code the scan runs: TOS 4 from its login page and /version, TOS 5 from /v2/welcome
// behind its CSRF-cookie handshake, CVE-2022-24990 (KEV, ransomware) judged, and a forwarded TOS judged as QNAP's.
import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeTerramaster, type FakeDevice } from '../support/fake-nas.js';
import { findingsOf, judgeForwarded, judgeSeen, packById, recognise, verdictIn, versionVerdict } from '../support/fake-nas/engine.js';

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the TerraMaster pack passes the loader (its examples: test/vendors/packs.test.ts)', (t) => {
  t.equal(readPack(packById('terramaster').dir, 'builtin').pack.id, 'terramaster');
  t.end();
});

t.test('a TOS 4.2.29 box forwarded and open: CVE-2022-24990 applies, critical, KEV and ransomware as the pack says', async (t) => {
  const fake = await started(t, startFakeTerramaster({ version: '4.2.29', model: 'F4-422' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.vendor, 'TerraMaster');
  t.same(seen.matched, ['terramaster-tos4-login', 'terramaster-tos-version-file', 'terramaster-powered-by-header']);
  t.equal(seen.device?.productLine, 'tos');
  t.equal(seen.device?.firmware?.full, '4.2.29');
  t.equal(seen.device?.model, 'F4-422');
  const judgement = judgeForwarded(seen, 8181);
  t.equal(verdictIn(judgement, 'CVE-2022-24990')?.status, 'vulnerable');
  const [vulnerable] = findingsOf(judgement, 'nas-vulnerable-exposed');
  t.equal(vulnerable?.severity, 'critical');
  t.same(vulnerable?.classification.advisoryDetails, [{ id: 'CVE-2022-24990', product: 'TOS', kev: true, knownRansomware: true }]);
  t.same(vulnerable?.classification.cve, ['CVE-2022-24990']);
  t.ok(vulnerable?.references.includes('https://www.cisa.gov/known-exploited-vulnerabilities-catalog'));
  const [admin] = findingsOf(judgement, 'nas-admin-exposed');
  t.equal(admin?.id, 'nas-admin-exposed-tcp-8181');
  t.equal(admin?.severity, 'critical');
  t.ok(admin?.remediation.includes('Disable the UPnP function on your TNAS.'), 'TerraMaster\'s own steps');
  t.notOk(fake.requests.some((request) => request.path.includes('webNasIPS') || request.headers['user-agent'] === 'TNAS'), 'the CVE-2022-24990 request is never sent');
});

t.test('TOS 4.2.30 and TOS 5 are past CVE-2022-24990; 4.1 is not', async (t) => {
  const fake = await started(t, startFakeTerramaster({ version: '4.2.30' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.firmware?.full, '4.2.30');
  t.equal(verdictIn(judgeSeen(seen), 'CVE-2022-24990')?.status, 'fixed');
  t.equal(versionVerdict('terramaster', 'CVE-2022-24990', 'tos', '5.0.171-00221'), 'fixed');
  t.equal(versionVerdict('terramaster', 'CVE-2022-24990', 'tos', '4.1.06'), 'vulnerable');
});

t.test('a TOS 5 box: model and version from /v2/welcome after its CSRF handshake, the token echoed once and nothing else', async (t) => {
  const fake = await started(t, startFakeTerramaster({ generation: 'tos5' }));
  const seen = await recognise(fake);
  t.ok(seen.matched.includes('terramaster-tos5'));
  t.ok(seen.matched.includes('terramaster-tos5-welcome'));
  t.equal(seen.device?.firmware?.full, '5.0.171-00221');
  t.equal(seen.device?.model, 'F5-221');
  t.equal(seen.device?.versionSource?.fingerprint, 'terramaster-tos5-welcome');
  const welcome = fake.requests.filter((request) => request.path === '/v2/welcome');
  t.equal(welcome.length, 2, 'the refused request, then once with the token');
  t.equal(welcome[0]?.headers.cookie, undefined, 'the first carries no cookie');
  const token = welcome[1]?.headers['x-csrf-token'];
  t.match(token, /^[0-9a-f]{24}$/);
  t.equal(welcome[1]?.headers.cookie, `X-Csrf-Token=${String(token)}`, 'only the device\'s own token comes back');
  t.notOk(fake.requests.some((request) => request.path !== '/v2/welcome' && request.headers.cookie !== undefined), 'no other request carries a cookie');
  t.equal(verdictIn(judgeSeen(seen), 'CVE-2022-24990')?.status, 'fixed');
});

t.test('a TOS 5 box whose welcome answer tells no TOS version: recognised, version unknown, asked twice and no more', async (t) => {
  const fake = await started(t, startFakeTerramaster({ generation: 'tos5', csrf: true, version: 'not-a-version' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.pack, 'terramaster');
  t.equal(seen.device?.firmware, null, 'an answer that is no TOS version is not taken');
  t.ok(fake.requests.filter((request) => request.path === '/v2/welcome').length <= 2);
});

t.test('TOS over HTTPS: recognised the same', async (t) => {
  const fake = await started(t, startFakeTerramaster({ version: '4.2.29', tls: true }));
  const seen = await recognise(fake);
  t.equal(seen.host.services[0]?.scheme, 'https');
  t.equal(seen.device?.firmware?.full, '4.2.29');
});
