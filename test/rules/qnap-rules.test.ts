import t from 'tap';
import type { Finding, Host } from '../../src/core/report.generated.js';
import { verdictsFor } from '../../src/vendors/verdicts.js';
import { evaluateRules } from '../../src/rules/index.js';
import { agentWan, gateway, mapping, nasHost, observations, qlockerScenario, reportOf, WAN_ADDRESS } from '../support/scenarios.js';

const byId = (findings: readonly Finding[]) => new Map(findings.map((finding) => [finding.id, finding]));
// The mapping finding by what it is about, not by its id (the id grammar belongs to the UPnP rules).
const mappingFinding = (findings: readonly Finding[], door: string) => findings.find((finding) => finding.rule === 'upnp-mapping' && finding.exposure === door);

t.test('the Qlocker path: admin page forwarded by UPnP, open from outside, firmware below the DeadBolt fix', async (t) => {
  const report = reportOf(qlockerScenario());
  const findings = byId(report.findings);
  const admin = findings.get('qnap-admin-exposed-tcp-8080');
  t.equal(admin?.severity, 'critical');
  t.match(admin?.title, /QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) admin page on port 8080 is reachable from the internet through a UPnP mapping/);
  t.match(admin?.description, /weak corroboration/, 'libminiupnpc is only corroboration');
  t.match(admin?.description, /Qlocker/);
  t.ok(admin?.evidence.some((line) => line.detail.includes('qnap-authlogin')), 'rests on the fingerprint');
  t.ok(admin?.evidence.some((line) => line.detail.includes('TCP/8080 -> 192.168.1.20:8080')), 'and on the mapping');
  t.ok(admin?.evidence.some((line) => line.subject === `${WAN_ADDRESS}:8080/tcp` && line.detail.startsWith('open')), 'and on the outside view');
  t.ok(admin?.remediation.some((step) => step.includes('Auto Router Configuration') && step.includes('Enable UPnP Port forwarding')));
  t.ok(admin?.remediation.some((step) => /myQNAPcloud Link/.test(step)));
  t.ok(admin?.remediation.some((step) => /snapshots/i.test(step)));

  const vulnerable = findings.get(`qnap-vulnerable-exposed-192-168-1-20`);
  t.equal(vulnerable?.severity, 'critical');
  t.same(vulnerable?.classification.advisories, ['QSA-21-57']);
  t.same(vulnerable?.classification.advisoryDetails, [{ id: 'QSA-21-57', product: 'QTS', kev: false, knownRansomware: true }]);
  t.equal(vulnerable?.classification.knownRansomware, true);
  t.equal(vulnerable?.classification.kev, false, 'QSA-21-57 has no CVE, so no KEV entry');
  t.match(vulnerable?.description, /found 4\.5\.2\.1566 build 20210202, fixed in 4\.5\.4\.1892 build 20211223/);
  t.notOk(vulnerable?.description.includes('QSA-21-05'), 'a fixed advisory is not held against it');
  t.equal(vulnerable?.exposure, 'tcp-8080');
  t.ok(vulnerable?.references.includes('https://www.qnap.com/en/security-advisory/qsa-21-57'));

  const undecided = findings.get('qnap-verdict-unknown-192-168-1-20');
  t.equal(undecided?.severity, 'medium', 'HBS 3 (Qlocker, KEV) cannot be told from outside: said, not hidden');
  t.same(undecided?.classification, { cve: [], kev: false, knownRansomware: false }, 'not judged: nothing is claimed to apply');

  t.match(report.summary.headline, /^Your QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) admin page on port 8080 is reachable from the internet through a UPnP mapping; the NAS runs versions below the fix for QSA-21-57 \(QTS, used by ransomware\)/);
  t.ok(findings.has('qnap-cloudlink-unseen'), 'the relay cannot be scanned: said so');
  t.equal(findings.get('qnap-cloudlink-unseen')?.severity, 'info');
});

t.test('one door, one story: the other findings about 8080 stay specific and point to it', async (t) => {
  const report = reportOf(qlockerScenario());
  for (const door of report.exposures ?? []) {
    const tellers = report.findings.filter((finding) => finding.exposure === door.key && /Qlocker/.test(finding.description));
    t.ok(tellers.length <= 1, `${door.key}: ${tellers.map((finding) => finding.id).join(', ')}`);
  }
  const findings = byId(report.findings);
  t.match(mappingFinding(report.findings, 'tcp-8080')?.description, /explained in qnap-admin-exposed-tcp-8080/);
  t.match(findings.get('wan-port-open-mapped-8080')?.description, /explained in qnap-admin-exposed-tcp-8080/);
  t.match(findings.get('qnap-admin-exposed-tcp-443')?.description, /told in qnap-admin-exposed-tcp-8080/, 'a second admin door of the same NAS refers to the first');
  const door = report.exposures?.find((exposure) => exposure.key === 'tcp-8080');
  t.equal(door?.severity, 'critical');
  t.equal(door?.reachability, 'open');
  t.match(door?.label, /QNAP TS-453D admin/);
  t.equal(door?.findings[0], 'qnap-admin-exposed-tcp-8080');
});

t.test('a mapping to a QNAP is the NAS\'s whatever its description says', async (t) => {
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080, { description: 'Plex Media Server' })])], hosts: [nasHost()] })));
  const admin = findings.get('qnap-admin-exposed-tcp-8080');
  t.equal(admin?.severity, 'critical', 'public router, not scanned from outside: forwarded to the internet');
  t.match(admin?.title, /is forwarded to the internet through a UPnP mapping/);
  t.match(admin?.description, /Whatever its description says/);
});

t.test('how far the door reaches decides the severity', async (t) => {
  const cgnat = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)], { externalIp: '100.64.1.2', externalIpClass: 'cgnat' })], hosts: [nasHost()] })));
  t.equal(cgnat.get('qnap-admin-exposed-tcp-8080')?.severity, 'medium', 'behind carrier-grade NAT');
  t.ok(cgnat.has('qnap-vulnerable-lan-192-168-1-20'), 'vulnerable, but not reachable: the LAN finding');
  t.equal(cgnat.get('qnap-vulnerable-lan-192-168-1-20')?.severity, 'medium');

  const hairpin = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost()], wan: { vantage: 'local', outsideView: false, address: WAN_ADDRESS, engine: 'connect', ports: [{ port: 8080, protocol: 'TCP', state: 'open' }] } })));
  t.equal(hairpin.get('qnap-admin-exposed-tcp-8080')?.severity, 'critical', 'a mapped door seen open from inside is still forwarded: the mapping is the evidence');
  const unmapped = byId(evaluateRules(observations({ gateways: [gateway([])], hosts: [nasHost({ reasons: ['nas-option'] })], wan: { vantage: 'local', outsideView: false, address: WAN_ADDRESS, engine: 'connect', ports: [{ port: 8080, protocol: 'TCP', state: 'open' }] } })));
  const hairpinOnly = [...unmapped.values()].filter((finding) => finding.exposure === 'tcp-8080');
  t.ok(hairpinOnly.length > 0, 'the unexplained door seen from inside is reported');
  for (const finding of hairpinOnly) {
    t.ok(['info', 'low', 'medium'].includes(finding.severity), `${finding.id}: a hairpin scan alone never raises a finding above medium (${finding.severity})`);
  }
  t.ok(hairpinOnly.some((finding) => /not an outside view|seen from inside/.test(`${finding.title} ${finding.description}`)), 'and says it is not an outside view');

  const filteredFindings = evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost()], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'filtered' }]) }));
  const filtered = byId(filteredFindings);
  t.equal(filtered.get('qnap-admin-exposed-tcp-8080')?.severity, 'medium');
  t.match(filtered.get('qnap-admin-exposed-tcp-8080')?.title, /not reachable from the internet right now/);
  t.equal(mappingFinding(filteredFindings, 'tcp-8080')?.severity, 'high', 'the mapping finding drops a step when the outside view sees it filtered');
});

t.test('inside only: vulnerable LAN finding, no exposure finding', async (t) => {
  const findings = byId(evaluateRules(observations({ gateways: [gateway([])], hosts: [nasHost({ reasons: ['nas-option'] })] })));
  t.equal(findings.get('qnap-vulnerable-lan-192-168-1-20')?.severity, 'medium');
  t.notOk([...findings.keys()].some((id) => id.startsWith('qnap-admin-exposed') || id.startsWith('qnap-vulnerable-exposed')));
});

t.test('QNAP detected, version unknown: cannot tell, never safe and never vulnerable', async (t) => {
  const exposed = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost({}, false)] })));
  t.equal(exposed.get('qnap-version-unknown-192-168-1-20')?.severity, 'medium');
  t.match(exposed.get('qnap-version-unknown-192-168-1-20')?.description, /cannot tell/);
  t.notOk([...exposed.keys()].some((id) => id.includes('vulnerable')));
  t.match(exposed.get('qnap-admin-exposed-tcp-8080')?.title, /Your QNAP TS-453D admin page/);
  const inside = byId(evaluateRules(observations({ hosts: [nasHost({}, false)] })));
  t.equal(inside.get('qnap-version-unknown-192-168-1-20')?.severity, 'low');
});

t.test('seen as QNAP only from outside: a manual forward', async (t) => {
  const wanHost = { ...nasHost(), address: WAN_ADDRESS, seenFrom: 'wan' as const, reasons: ['wan' as const] };
  const findings = byId(evaluateRules(observations({ gateways: [gateway([])], hosts: [wanHost], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }]) })));
  const admin = findings.get('qnap-admin-exposed-tcp-8080');
  t.equal(admin?.severity, 'critical');
  t.match(admin?.title, /port forward that no UPnP mapping explains/);
  t.ok(admin?.remediation.some((step) => step.includes('manual port forward')));
  t.equal(findings.get(`qnap-vulnerable-exposed-${WAN_ADDRESS.replaceAll('.', '-')}`)?.severity, 'critical');
  t.match(findings.get('wan-port-open-unexplained-8080')?.description, /explained in qnap-admin-exposed-tcp-8080/);
});

t.test('the same NAS seen inside and outside is reported once', async (t) => {
  const inside = nasHost();
  const wanHost = { ...inside, address: WAN_ADDRESS, seenFrom: 'wan' as const, reasons: ['wan' as const], services: inside.services.filter((service) => service.port === 8080) };
  const findings = evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost(), wanHost], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }]) }));
  t.same(findings.filter((finding) => finding.rule === 'qnap-vulnerable-exposed').map((finding) => finding.id), ['qnap-vulnerable-exposed-192-168-1-20']);
  t.equal(findings.filter((finding) => finding.rule === 'qnap-admin-exposed').length, 1);
});

t.test('no QNAP: no QNAP findings, no CloudLink note', async (t) => {
  const findings = evaluateRules(observations({ gateways: [gateway([mapping(8080, { internalClient: '192.168.1.50' })])] }));
  t.notOk(findings.some((finding) => finding.rule.startsWith('qnap-')));
});

t.test('myQNAPcloud name resolving to the WAN address', async (t) => {
  const names = { checked: true, names: [{ name: 'nas4f2a1b.myqnapcloud.com', addresses: [WAN_ADDRESS], matchesWan: true }, { name: 'other.myqnapcloud.com', addresses: ['198.51.100.1'], matchesWan: false }] };
  const open = evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost()], myqnapcloud: names }));
  const ddns = open.filter((finding) => finding.rule === 'myqnapcloud-ddns-wan');
  t.same(ddns.map((finding) => finding.id), ['myqnapcloud-ddns-wan-nas4f2a1b-myqnapcloud-com']);
  t.equal(ddns[0]?.severity, 'medium');
  t.match(ddns[0]?.description, /TCP\/8080/);
  const closed = evaluateRules(observations({ gateways: [gateway([])], myqnapcloud: names }));
  t.equal(closed.find((finding) => finding.rule === 'myqnapcloud-ddns-wan')?.severity, 'low');
  t.notOk(evaluateRules(observations({ myqnapcloud: { checked: false, names: [] } })).some((finding) => finding.rule === 'myqnapcloud-ddns-wan'));
});


t.test('a low-confidence identification does not read as a certainty', async (t) => {
  const host = nasHost();
  if (host.device) host.device = { ...host.device, confidence: 'low' };
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [host] })));
  t.match(findings.get('qnap-admin-exposed-tcp-8080')?.title, /^Your probable QNAP TS-453D/);
  t.match(findings.get('qnap-vulnerable-exposed-192-168-1-20')?.title, /^Your probable QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) runs versions below the fix for QSA-21-57 \(QTS, used by ransomware\), and it is reachable from the internet$/);
});

t.test('a port the agent fingerprinted is open from outside even when the port scan did not list it', async (t) => {
  const wanHost = { ...nasHost(), address: WAN_ADDRESS, seenFrom: 'wan' as const, reasons: ['wan' as const] };
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [wanHost], wan: agentWan([]) })));
  t.equal(findings.get('qnap-admin-exposed-tcp-8080')?.severity, 'critical');
  t.match(findings.get('qnap-admin-exposed-tcp-8080')?.title, /is reachable from the internet through a UPnP mapping/);
  t.ok(findings.has(`qnap-vulnerable-exposed-${WAN_ADDRESS.replaceAll('.', '-')}`), 'seen from the internet is exposed');
  t.ok(findings.has('qnap-admin-exposed-tcp-443'), 'the TLS fingerprint on 443 opens its own door');
});

/** A NAS judged with the real advisories (probes/vendors/qnap/pack.json), as a scan would. */
function judgedNas(full: string, apps: { name: string; version: string | null; port?: number }[] = []): Host {
  const base = nasHost();
  const [, version = full, number, build] = /^(\d+\.\d+\.\d+)(?:\.(\d+))?(?: build (\d{8}))?$/.exec(full) ?? [];
  if (!base.device) throw new Error('nasHost() has a device');
  const device = { ...base.device, firmware: { version, ...(number ? { number } : {}), ...(build ? { build } : {}), full }, apps };
  return { ...base, device, verdicts: verdictsFor(device) };
}

// The demo's NAS (scripts/demo.ts): QTS 4.5.2.1566 build 20210202 with Photo Station 6.0.12. Of what applies, only
// QSA-22-24 (Photo Station) is in KEV and used by ransomware; QSA-23-31 and QSA-24-09 (QTS) are neither.
t.test('issue 12: the demo NAS: KEV and ransomware words only next to the advisory that carries them', async (t) => {
  const host = judgedNas('4.5.2.1566 build 20210202', [{ name: 'Photo Station', version: '6.0.12', port: 8080 }]);
  const report = reportOf(observations({ gateways: [gateway([mapping(8080)])], hosts: [host], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }]) }));
  const vulnerable = byId(report.findings).get('qnap-vulnerable-exposed-192-168-1-20');
  t.same(vulnerable?.classification.advisoryDetails, [
    { id: 'QSA-22-24', product: 'Photo Station', kev: true, knownRansomware: true },
    { id: 'QSA-23-31', product: 'QTS', kev: false, knownRansomware: false },
    { id: 'QSA-24-09', product: 'QTS', kev: false, knownRansomware: false },
  ]);
  t.same(vulnerable?.classification.cve, ['CVE-2022-27593', 'CVE-2023-23368', 'CVE-2024-21899']);
  t.equal(vulnerable?.classification.kev, true, 'QSA-22-24 applies and is in KEV');
  const headline = report.summary.headline;
  t.match(headline, /; the NAS runs versions below the fixes for QSA-22-24 \(Photo Station, known exploited, used by ransomware\), QSA-23-31 \(QTS\) and QSA-24-09 \(QTS\) \(and \d+ more findings\)\.$/);
  t.notMatch(headline, /QSA-24-09 \(QTS\) \(known exploited|QTS, known exploited|QTS, used by ransomware/, 'never aggregated onto the QTS advisories');
  t.equal(headline.match(/known exploited/g)?.length, 1, 'the words appear once, inside the KEV advisory\'s own label');
  t.equal(headline.split(/\.\s/).length, 1, 'one sentence');
  t.match(vulnerable?.title, /below the fixes for QSA-22-24 \(Photo Station, known exploited, used by ransomware\), QSA-23-31 \(QTS\) and QSA-24-09 \(QTS\), and it is reachable/);
  t.match(vulnerable?.description, /QSA-23-31 \(QTS; CVE-2023-23368\): found QTS 4\.5\.2\.1566 build 20210202, fixed in 4\.5\.4\.2374 build 20230416; not listed in CISA KEV\./);
  t.match(vulnerable?.description, /QSA-22-24 \(Photo Station; CVE-2022-27593\): found Photo Station 6\.0\.12, fixed in 6\.0\.22; in CISA KEV \(known exploited\), used by ransomware\./);
  t.ok(vulnerable?.evidence.some((line) => line.subject === '192.168.1.20 QSA-24-09 (QTS)' && /not listed in CISA KEV$/.test(line.detail)));
  // The firmware step names the highest fixed build of the QTS advisories that apply; the app step the app version.
  t.ok(vulnerable?.remediation.includes('Update QTS to 4.5.4.2627 build 20231225 or later (Control Panel > System > Firmware Update, or the build from QNAP\'s download center): the highest fixed build among QSA-23-31 and QSA-24-09.'), 'the highest QTS fix that applies');
  t.ok(vulnerable?.remediation.includes('Update Photo Station to 6.0.22 or later (App Center): the fix for QSA-22-24.'));
  const admin = byId(report.findings).get('qnap-admin-exposed-tcp-8080');
  t.match(admin?.description, /It also runs versions below the fix for QSA-22-24 \(Photo Station, known exploited, used by ransomware\), QSA-23-31 \(QTS\) and QSA-24-09 \(QTS\): see qnap-vulnerable-exposed-192-168-1-20\./);
  t.notMatch(admin?.description, /known-exploited holes/);
});

t.test('a vulnerable finding with no KEV advisory claims no KEV', async (t) => {
  const host = judgedNas('4.5.2.1566 build 20210202');
  const vulnerable = evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [host] })).find((finding) => finding.rule === 'qnap-vulnerable-exposed');
  t.same(vulnerable?.classification.advisories, ['QSA-23-31', 'QSA-24-09']);
  t.equal(vulnerable?.classification.kev, false);
  t.equal(vulnerable?.classification.knownRansomware, false);
  t.notMatch(vulnerable?.title, /known exploited|ransomware/);
  t.notMatch(vulnerable?.description, /in CISA KEV \(known exploited\)|used by ransomware/);
});

// A current QTS: nothing is vulnerable; the app advisories cannot be judged without credentials.
t.test('issue 12: QTS 5.2.8: the unknown finding names what could not be read and lists no CVE as applying', async (t) => {
  const host = judgedNas('5.2.8.3350 build 20251113');
  t.notOk(host.verdicts.some((verdict) => verdict.status === 'vulnerable'));
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [host] })));
  t.notOk([...findings.keys()].some((id) => id.startsWith('qnap-vulnerable')));
  const undecided = findings.get('qnap-verdict-unknown-192-168-1-20');
  t.ok(undecided);
  t.equal(undecided?.severity, 'medium');
  t.same(undecided?.classification, { cve: [], kev: false, knownRansomware: false }, 'no CVE, no KEV, no ransomware flag, no advisory list');
  t.equal(undecided?.title, 'QNAP TS-453D: 3 advisories could not be judged (the HBS 3 and Photo Station versions could not be read without credentials): QSA-21-13 (HBS 3), QSA-22-24 (Photo Station) and NAS-201911-25 (Photo Station)');
  t.notMatch(undecided?.title, /CVE-|KEV|known exploited|ransomware/);
  t.notMatch(undecided?.description, /CVE-\d/, 'no CVE is listed');
  t.match(undecided?.description, /none is counted as applying/);
  t.notOk(undecided?.references.some((reference) => /cve|nvd|known-exploited/i.test(reference)), 'no CVE or KEV link');
  t.ok(undecided?.remediation.some((step) => step.startsWith('In App Center, read the installed version of HBS 3 and Photo Station')));
});

t.test('a missing build is named as what could not be read', async (t) => {
  const base = nasHost();
  if (!base.device) throw new Error('nasHost() has a device');
  const device = { ...base.device, firmware: { version: '4.5.4', full: '4.5.4' } };
  const host = { ...base, device, verdicts: verdictsFor(device) };
  const undecided = byId(evaluateRules(observations({ hosts: [host] }))).get('qnap-verdict-unknown-192-168-1-20');
  t.match(undecided?.title, /the firmware build number or date was not told/);
  t.match(undecided?.title, /QSA-21-57 \(QTS\)/);
  t.same(undecided?.classification.cve, []);
  t.ok(undecided?.remediation.some((step) => step.startsWith('Read the full firmware version and build')));
});
