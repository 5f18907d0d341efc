// Synology DSM through the code the scan runs (issue 15): the engine fingerprints the loopback fake (HTTP and
// HTTPS), the rules judge its facts against the pack, and a forwarded DSM gets the exposure findings QNAP gets.
import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeSynology, type FakeDevice } from '../support/fake-nas.js';
import { findingsOf, judgeForwarded, judgeSeen, packById, recognise, verdictIn, versionVerdict } from '../support/fake-nas/engine.js';

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the Synology pack passes the loader (its examples: test/vendors/packs.test.ts)', (t) => {
  t.equal(readPack(packById('synology').dir, 'builtin').pack.id, 'synology');
  t.end();
});

t.test('a DSM 7.2.1 Update 5 box is recognised from its login page and version file, and is below Synology-SA-26:13', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '5', hostname: 'HomeNAS' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.vendor, 'Synology');
  t.equal(seen.device?.pack, 'synology');
  t.same(seen.matched, ['synology-dsm-login', 'synology-dsm-version-file']);
  t.equal(seen.device?.productLine, 'dsm');
  t.equal(seen.device?.os, 'DSM');
  t.equal(seen.device?.firmware?.full, '7.2.1-69057-5');
  t.equal(seen.device?.hostname, 'HomeNAS');
  t.same(seen.device?.versionSource, { port: fake.port, path: 'GET /synohdpack/synohdpack.version', fingerprint: 'synology-dsm-version-file', field: 'version' });
  const judgement = judgeSeen(seen);
  t.equal(verdictIn(judgement, 'Synology-SA-26-13')?.status, 'vulnerable', 'fixed in 7.2.1-69057-12');
  t.equal(verdictIn(judgement, 'SynoLocker')?.status, 'fixed', 'DSM 5.0 and later are past SynoLocker');
  t.notOk(fake.requests.some((request) => request.headers.authorization || request.headers.cookie), 'no credentials, no cookies');
});

t.test('forwarded and open from outside: the admin page and the vulnerable firmware are critical, no KEV or ransomware claimed', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '5', hostname: 'HomeNAS' }));
  const judgement = judgeForwarded(await recognise(fake), 5000);
  const [admin] = findingsOf(judgement, 'nas-admin-exposed');
  t.equal(admin?.id, 'nas-admin-exposed-tcp-5000');
  t.equal(admin?.severity, 'critical');
  t.match(admin?.title, /^Your Synology NAS \(DSM 7\.2\.1-69057-5\) admin page on port \d+ \(external port 5000\) is reachable from the internet through a UPnP mapping$/);
  t.match(admin?.description, /answers as a Synology DSM web admin page/);
  t.match(admin?.description, /SynoLocker/, 'the pack\'s campaigns tell the story');
  t.notOk(/QNAP|Qlocker|QTS/.test(JSON.stringify(admin)), 'nothing of QNAP\'s story or menus');
  t.ok(admin?.remediation.some((step) => /Auto Block/.test(step)), 'Synology\'s own steps');
  t.ok(admin?.references.includes('https://storagereview.com/news/synology-urges-user-action-against-potential-ransomware-attacks'));
  const [vulnerable] = findingsOf(judgement, 'nas-vulnerable-exposed');
  t.equal(vulnerable?.id, 'nas-vulnerable-exposed-127-0-0-1');
  t.equal(vulnerable?.severity, 'critical');
  t.same(vulnerable?.classification.advisories, ['Synology-SA-26-13']);
  t.equal(vulnerable?.classification.kev, false);
  t.equal(vulnerable?.classification.knownRansomware, false, 'Synology-SA-26:13 is neither in KEV nor tied to ransomware');
  t.match(vulnerable?.remediation[0], /^Update DSM to 7\.2\.1-69057-12 or later \(Control Panel > Update & Restore > DSM Update/);
  t.equal(vulnerable?.exposure, 'tcp-5000');
  t.match(judgement.findings.find((finding) => finding.rule === 'upnp-mapping')?.description, /explained in nas-admin-exposed-tcp-5000/, 'the mapping points to the story');
  t.match(judgement.summary.headline, /Synology NAS/, 'the headline leads with the NAS');
});

t.test('DSM 7.2.1-69057-12 and 7.4-90075 are fixed; Update 0 (no smallfix) is below Update 12; 7.1.1 cannot be told', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '12' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.firmware?.full, '7.2.1-69057-12');
  t.equal(verdictIn(judgeSeen(seen), 'Synology-SA-26-13')?.status, 'fixed');
  t.equal(versionVerdict('synology', 'Synology-SA-26-13', 'dsm', '7.4-90075'), 'fixed');
  t.equal(versionVerdict('synology', 'Synology-SA-26-13', 'dsm', '7.2.1-69057'), 'vulnerable', 'the absent Update number is Update 0');
  t.equal(versionVerdict('synology', 'Synology-SA-26-13', 'dsm', '7.1.1-42962'), 'unknown');
  t.equal(versionVerdict('synology', 'Synology-SA-26-13', 'dsm', '7.3.2-86009-3'), 'vulnerable');
});

t.test('SynoLocker: the builds Synology named are judged per line', (t) => {
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '4.3-3810'), 'vulnerable');
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '4.3-3827'), 'fixed');
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '4.2-3236'), 'vulnerable');
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '4.1-2851'), 'vulnerable', '4.1 has no fix of its own');
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '4.0-2259'), 'fixed');
  t.equal(versionVerdict('synology', 'SynoLocker', 'dsm', '3.2-1955'), 'not-applicable', 'DSM 3.x is not affected');
  t.end();
});

t.test('a DSM 4.3 box tells only its build: the pack\'s build table makes it DSM 4.3-3810, below the SynoLocker fix (ransomware)', async (t) => {
  const old = await started(t, startFakeSynology({ layout: 'dsm43', build: '3810', hostname: 'OldNAS' }));
  const seen = await recognise(old);
  t.equal(seen.device?.hostname, 'OldNAS');
  t.equal(seen.device?.firmware?.full, '4.3-3810');
  const judgement = judgeForwarded(seen, 5000);
  const [vulnerable] = findingsOf(judgement, 'nas-vulnerable-exposed');
  t.same(vulnerable?.classification.advisoryDetails, [{ id: 'SynoLocker', product: 'DSM', kev: false, knownRansomware: true }], 'ransomware, as the pack\'s advisory says; not KEV');
  t.match(vulnerable?.remediation[0], /^Update DSM to 4\.3-3827 or later/);
  const unmapped = await started(t, startFakeSynology({ layout: 'dsm43', build: '4500' }));
  t.equal((await recognise(unmapped)).device?.firmware, null, 'a build outside the sourced ranges is no version');
});

t.test('a DSM box whose version file is closed: version unknown, said so, never safe', async (t) => {
  const closed = await started(t, startFakeSynology({ versionFile: false }));
  const seen = await recognise(closed);
  t.equal(seen.device?.pack, 'synology');
  t.equal(seen.device?.firmware, null);
  const judgement = judgeForwarded(seen, 5000);
  const [unknown] = findingsOf(judgement, 'nas-version-unknown');
  t.equal(unknown?.severity, 'medium', 'reachable from outside');
  t.match(unknown?.description, /below the fix for SynoLocker and Synology-SA-26-13/);
});

t.test('DSM over HTTPS (5001, Synology\'s default certificate): recognised the same, the certificate seen', async (t) => {
  const fake = await started(t, startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '5', tls: true }));
  const seen = await recognise(fake);
  t.equal(seen.host.services[0]?.scheme, 'https');
  t.ok(seen.matched.includes('synology-dsm-default-certificate'));
  t.equal(seen.device?.firmware?.full, '7.2.1-69057-5');
  t.equal(findingsOf(judgeForwarded(seen, 5001), 'nas-admin-exposed')[0]?.id, 'nas-admin-exposed-tcp-5001');
});
