// The generic engine against the vendors' fake devices (test/support/fake-nas, built from public descriptions):
// the probe stage records facts (device, indicators), the rules stage judges them with the packs. A box showing
// DeadBolt's screen is a critical incident whose first steps are its vendor's; an end-of-support model is a high
// finding naming the date (routers and generic web servers: test/vendors/negatives.test.ts).
import t from 'tap';
import { fingerprintHost, type FingerprintHostOptions } from '../../src/vendors/fingerprint-host.js';
import { hostObservation } from '../../src/vendors/host.js';
import { judge } from '../../src/rules/judge.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { startDeadboltQnap } from '../support/fake-nas/deadbolt.js';
import { startFakeMyBookLive } from '../support/fake-nas/wd.js';
import type { FakeDevice } from '../support/fake-nas/serve.js';
import type { TapTest } from '../lab/lab.js';
import { startFakeAsustor, startFakeMyCloud, startFakeSynology, startFakeTerramaster } from '../support/fake-nas.js';
import { judgeFromAgent, judgeSeen, recognise, verdictIn } from '../support/fake-nas/engine.js';

function options(ports: number[]): FingerprintHostOptions {
  return { address: '127.0.0.1', ports, requestTimeoutMs: 2000, deadline: Date.now() + 20_000, signal: AbortSignal.timeout(30_000) };
}

async function started(t: TapTest, server: Promise<FakeDevice>): Promise<FakeDevice> {
  const fake = await server;
  t.teardown(() => fake.close());
  return fake;
}

t.test('a QNAP showing DeadBolt\'s screen: a critical incident, QNAP\'s incident steps first', async (t) => {
  const fake = await started(t, startDeadboltQnap());
  const seen = await fingerprintHost(options([fake.port]));
  t.equal(seen.device?.vendor, 'QNAP', 'authLogin.cgi still tells what it is');
  t.ok(seen.indicators.some((match) => match.id === 'qnap-deadbolt-ransom-screen'), 'the indicator is a fact of the probe stage');
  const observation = hostObservation('127.0.0.1', 'lan', ['nas-option'], seen);
  t.same(observation.kind === 'host' ? observation.data.verdicts : null, [], 'no verdict in the probe stage');
  const judgement = judge([observation], DEFAULT_SCAN_OPTIONS);
  const incidents = judgement.findings.filter((finding) => finding.rule === 'vendor-compromise');
  t.equal(incidents.length, 1, 'one finding per campaign, though three packs know the screen');
  t.equal(incidents[0]?.id, 'vendor-compromise-deadbolt-127-0-0-1');
  t.equal(incidents[0]?.severity, 'critical');
  t.match(incidents[0]?.remediation[0], /^Do not restart or shut the NAS down/);
  t.equal(judgement.findings[0]?.rule, 'vendor-compromise', 'worst first');
  t.ok((judgement.hosts?.[0]?.verdicts.length ?? 0) > 0, 'the rules judged the QNAP');
});

t.test('an unrecognised box with the screen: every vendor\'s steps, after taking it off the internet', async (t) => {
  const fake = await started(t, startDeadboltQnap({ authLoginStillAnswers: false }));
  const seen = await fingerprintHost(options([fake.port]));
  const judgement = judge([hostObservation('127.0.0.1', 'lan', ['nas-option'], seen)], DEFAULT_SCAN_OPTIONS);
  const incident = judgement.findings.find((finding) => finding.rule === 'vendor-compromise');
  t.equal(incident?.severity, 'critical');
  t.match(incident?.remediation[0], /^Take it off the internet now/);
  t.ok(incident?.remediation.some((step) => step.startsWith('If it is a QNAP: Do not restart')));
});

t.test('a My Book Live, past its last security update: a high finding naming the date', async (t) => {
  const fake = await started(t, startFakeMyBookLive());
  const seen = await fingerprintHost(options([fake.port]));
  t.equal(seen.device?.pack, 'wd');
  const judgement = judge([hostObservation('127.0.0.1', 'lan', ['nas-option'], seen)], DEFAULT_SCAN_OPTIONS);
  const end = judgement.findings.find((finding) => finding.rule === 'vendor-end-of-support');
  t.equal(end?.severity, 'high');
  t.match(end?.title, /last security update 2015/);
  t.same(judgement.vendorPacks?.map((pack) => pack.id), ['wd']);
  t.notOk(judgement.findings.some((finding) => /QNAP/.test(finding.title)), 'no QNAP story about a WD');
});

// The agent path: the same fakes seen from the internet by the vantage agent's outside checks (the connect engine's
// port scan on loopback, then the packs' fingerprints), and judged by the scanner's rules as the LAN view is.
const THROUGH_THE_AGENT: Array<{ name: string; start: () => Promise<FakeDevice>; advisory: string; status: string; vulnerable: boolean }> = [
  { name: 'Synology DSM 7.2.1 Update 5', start: () => startFakeSynology({ version: '7.2.1', build: '69057', smallfix: '5' }), advisory: 'Synology-SA-26-13', status: 'vulnerable', vulnerable: true },
  { name: 'ASUSTOR ADM 4.0.3 over HTTPS', start: () => startFakeAsustor({ version: '4.0.3.RN51', tls: true }), advisory: 'ASUSTOR-DeadBolt-2022', status: 'vulnerable', vulnerable: true },
  { name: 'TerraMaster TOS 5', start: () => startFakeTerramaster({ generation: 'tos5' }), advisory: 'CVE-2022-24990', status: 'fixed', vulnerable: false },
  { name: 'WD My Cloud OS 3', start: () => startFakeMyCloud({ version: '2.31' }), advisory: '', status: '', vulnerable: false },
];

for (const entry of THROUGH_THE_AGENT) {
  t.test(`${entry.name} through the agent: recognised and judged as from the LAN, the admin page critical`, async (t) => {
    const fake = await started(t, entry.start());
    const lan = await recognise(fake);
    const outside = await judgeFromAgent(fake);
    t.same(outside.device, lan.device, 'the same device facts from outside');
    t.equal(outside.host.seenFrom, 'wan');
    if (entry.advisory) t.equal(verdictIn(outside.judgement, entry.advisory)?.status, entry.status);
    t.same(outside.judgement.hosts?.[0]?.verdicts, judgeSeen(lan).hosts?.[0]?.verdicts, 'the same verdicts');
    const admin = outside.judgement.findings.find((finding) => finding.rule === 'nas-admin-exposed');
    t.equal(admin?.id, `nas-admin-exposed-tcp-${fake.port}`);
    t.equal(admin?.severity, 'critical', 'the agent connected to it');
    t.match(admin?.title, /is reachable from the internet through a port forward that no UPnP mapping explains/);
    const vulnerable = outside.judgement.findings.find((finding) => finding.rule === 'nas-vulnerable-exposed');
    t.equal(vulnerable?.severity, entry.vulnerable ? 'critical' : undefined);
    if (entry.vulnerable) t.equal(vulnerable?.id, 'nas-vulnerable-exposed-127-0-0-1');
    t.notOk(outside.judgement.findings.some((finding) => finding.rule.startsWith('qnap-')), 'nothing of QNAP\'s');
  });
}
