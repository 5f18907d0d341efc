// DeadBolt's ransom screen through the code the scan runs: the indicators run by the engine on every web port, the
// compromise finding made by the rules, with the recognised vendor's incident steps first.
import t from 'tap';
import type { TapTest } from '../lab/lab.js';
import { matchFingerprint } from '../../src/vendors/match.js';
import { builtinPacks, type Indicator } from '../../src/vendors/load.js';
import { deadboltScreen, startDeadboltQnap, startFakeAsustor, startFakeTerramaster, startNegative, type FakeDevice } from '../support/fake-nas.js';
import { findingsOf, judgeForwarded, judgeSeen, recognise } from '../support/fake-nas/engine.js';

async function started(t: TapTest, device: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await device;
  t.teardown(() => fake.close());
  return fake;
}

/** Every DeadBolt indicator of every shipped pack. */
function deadboltIndicators(): Array<{ pack: string; indicator: Indicator }> {
  return builtinPacks().flatMap((pack) => (pack.pack.indicators ?? []).filter((indicator) => indicator.campaign === 'DeadBolt').map((indicator) => ({ pack: pack.pack.id, indicator })));
}

t.test('QNAP, ASUSTOR and TerraMaster carry a DeadBolt indicator whose first steps are their own incident advice', (t) => {
  const byPack = new Map(deadboltIndicators().map(({ pack, indicator }) => [pack, indicator]));
  t.same([...byPack.keys()].sort(), ['asustor', 'qnap', 'terramaster']);
  t.match(byPack.get('asustor')?.incidentSteps[0], /Unplug the Ethernet/);
  t.ok(byPack.get('asustor')?.incidentSteps.some((step) => /Do not initialize/.test(step)));
  t.match(byPack.get('terramaster')?.incidentSteps[0], /off the internet/);
  t.match(byPack.get('qnap')?.incidentSteps[0], /^Do not restart or shut the NAS down/);
  for (const { indicator } of deadboltIndicators()) t.ok(indicator.sources.length > 0, `${indicator.id} is sourced`);
  t.end();
});

t.test("an ASUSTOR showing DeadBolt's screen: the indicator matches, the portal no longer does, one critical incident", async (t) => {
  const fake = await started(t, startFakeAsustor({ deadbolt: true }));
  const seen = await recognise(fake);
  t.ok(seen.indicators.includes('asustor-deadbolt-ransom-screen'));
  t.equal(seen.device, null, 'the ransom page replaced the portal');
  const judgement = judgeForwarded(seen, 8000);
  const incidents = findingsOf(judgement, 'vendor-compromise');
  t.equal(incidents.length, 1, 'one finding for the campaign, though three packs know the screen');
  t.equal(incidents[0]?.severity, 'critical');
  t.match(incidents[0]?.remediation[0], /^Take it off the internet now/, 'no vendor recognised: off the internet first, then each vendor\'s steps');
  t.ok(incidents[0]?.remediation.some((step) => step.startsWith('If it is an ASUSTOR: ')));
});

t.test("a TerraMaster showing DeadBolt's screen: a critical incident", async (t) => {
  const fake = await started(t, startFakeTerramaster({ deadbolt: true }));
  const seen = await recognise(fake);
  t.ok(seen.indicators.includes('terramaster-deadbolt-ransom-screen'));
  t.equal(findingsOf(judgeSeen(seen), 'vendor-compromise')[0]?.severity, 'critical');
});

t.test("a QNAP showing DeadBolt's screen: recognised by authLogin.cgi, so QNAP's own steps come first", async (t) => {
  const fake = await started(t, startDeadboltQnap());
  const seen = await recognise(fake);
  t.equal(seen.device?.vendor, 'QNAP');
  t.ok(seen.indicators.includes('qnap-deadbolt-ransom-screen'));
  const [incident] = findingsOf(judgeSeen(seen), 'vendor-compromise');
  t.match(incident?.remediation[0], /^Do not restart or shut the NAS down/);
});

t.test('the screen is matched on its phrase and a Bitcoin address, not on the phrase alone', (t) => {
  const [first] = deadboltIndicators();
  t.ok(first);
  const screen = deadboltScreen('ASUSTOR');
  const answer = (body: string) => ({ http: { status: 200, headers: {}, body, title: undefined } });
  t.ok(matchFingerprint(first!.indicator, answer(screen.body)));
  t.notOk(matchFingerprint(first!.indicator, answer(screen.body.replace(/bc1q[0-9a-z]{20,60}/, '(address removed)'))));
  t.end();
});

t.test('news about DeadBolt and a door-lock shop match no indicator', async (t) => {
  for (const kind of ['deadbolt-news', 'door-lock-shop'] as const) {
    const fake = await started(t, startNegative(kind));
    const seen = await recognise(fake);
    t.same(seen.indicators, [], kind);
    t.same(findingsOf(judgeSeen(seen), 'vendor-compromise'), [], kind);
  }
});
