// ASUSTOR ADM through the code the scan runs: the engine on the loopback fake (HTTP and HTTPS), the rules on what
// it recorded, and a forwarded ADM judged as QNAP's would be, with DeadBolt's ransomware flag where the pack says so.
import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { readPack } from '../../src/vendors/load.js';
import { startFakeAsustor, type FakeDevice } from '../support/fake-nas.js';
import { findingsOf, judgeForwarded, judgeSeen, packById, recognise, verdictIn, versionVerdict } from '../support/fake-nas/engine.js';

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

t.test('the ASUSTOR pack passes the loader (its examples: test/vendors/packs.test.ts)', (t) => {
  t.equal(readPack(packById('asustor').dir, 'builtin').pack.id, 'asustor');
  t.end();
});

t.test('an ADM 4.0.3 box is recognised from /portal/ with model and version, and is below the DeadBolt fix', async (t) => {
  const fake = await started(t, startFakeAsustor({ version: '4.0.3.RN51', model: 'AS6404T' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.vendor, 'ASUSTOR');
  t.same(seen.matched, ['asustor-adm-portal']);
  t.equal(seen.device?.productLine, 'adm');
  t.equal(seen.device?.model, 'AS6404T');
  t.equal(seen.device?.firmware?.full, '4.0.3.RN51');
  t.equal(verdictIn(judgeSeen(seen), 'ASUSTOR-DeadBolt-2022')?.status, 'vulnerable');
});

t.test('forwarded and open from outside: critical admin page and critical vulnerable firmware, used by ransomware (DeadBolt), not KEV', async (t) => {
  const fake = await started(t, startFakeAsustor({ version: '4.0.3.RN51', model: 'AS6404T' }));
  const judgement = judgeForwarded(await recognise(fake), 8000);
  const [admin] = findingsOf(judgement, 'nas-admin-exposed');
  t.equal(admin?.id, 'nas-admin-exposed-tcp-8000');
  t.equal(admin?.severity, 'critical');
  t.match(admin?.title, /^Your ASUSTOR AS6404T \(ADM 4\.0\.3\.RN51\) admin page on port/);
  t.match(admin?.description, /DeadBolt/);
  t.ok(admin?.remediation.includes('Disable EZ Connect.'), 'ASUSTOR\'s own steps, in its order');
  const [vulnerable] = findingsOf(judgement, 'nas-vulnerable-exposed');
  t.equal(vulnerable?.severity, 'critical');
  t.same(vulnerable?.classification.advisoryDetails, [{ id: 'ASUSTOR-DeadBolt-2022', product: 'ADM', kev: false, knownRansomware: true }]);
  t.equal(vulnerable?.classification.kev, false);
  t.match(vulnerable?.remediation[0], /^Update ADM to 4\.0\.4\.RQO2 or later \(Settings > ADM Update/);
});

t.test('ADM 4.0.4.RQO2 and later are fixed (no finding); ADM 3.5 cannot be told (no fix for 3.x is known)', async (t) => {
  const fake = await started(t, startFakeAsustor());
  const seen = await recognise(fake);
  t.equal(seen.device?.firmware?.full, '4.0.4.RQO2');
  const judgement = judgeForwarded(seen, 8000);
  t.equal(verdictIn(judgement, 'ASUSTOR-DeadBolt-2022')?.status, 'fixed');
  t.same(findingsOf(judgement, 'nas-vulnerable-exposed'), []);
  t.equal(findingsOf(judgement, 'nas-admin-exposed')[0]?.severity, 'critical', 'a fixed ADM is still an admin page on the internet');
  t.equal(versionVerdict('asustor', 'ASUSTOR-DeadBolt-2022', 'adm', '4.2.0.RE71'), 'fixed');
  t.equal(versionVerdict('asustor', 'ASUSTOR-DeadBolt-2022', 'adm', '3.5.9.RUE3'), 'unknown');
});

t.test('an ADM 3.5 box: DeadBolt cannot be judged, said as such with no ransomware claim', async (t) => {
  const fake = await started(t, startFakeAsustor({ version: '3.5.9.RUE3' }));
  const [undecided] = findingsOf(judgeForwarded(await recognise(fake), 8000), 'nas-verdict-unknown');
  t.equal(undecided?.severity, 'medium');
  t.same(undecided?.classification, { cve: [], kev: false, knownRansomware: false });
  t.match(undecided?.title, /does not say whether this ADM branch is affected/);
});

t.test('a portal without _dcTag is recognised with its model and no version', async (t) => {
  const fake = await started(t, startFakeAsustor({ dcTag: false, model: 'AS5202T' }));
  const seen = await recognise(fake);
  t.equal(seen.device?.pack, 'asustor');
  t.equal(seen.device?.model, 'AS5202T');
  t.equal(seen.device?.firmware, null);
});

t.test('ADM over HTTPS (8001): recognised the same', async (t) => {
  const fake = await started(t, startFakeAsustor({ version: '4.0.3.RN51', tls: true }));
  const seen = await recognise(fake);
  t.equal(seen.host.services[0]?.scheme, 'https');
  t.equal(seen.device?.firmware?.full, '4.0.3.RN51');
});
