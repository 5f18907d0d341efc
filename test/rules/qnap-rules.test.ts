import t from 'tap';
import type { Finding } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';
import { agentWan, gateway, mapping, nasHost, observations, qlockerScenario, reportOf, WAN_ADDRESS } from '../support/scenarios.js';

const byId = (findings: readonly Finding[]) => new Map(findings.map((finding) => [finding.id, finding]));

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
  t.equal(vulnerable?.classification.knownRansomware, true);
  t.match(vulnerable?.description, /found 4\.5\.2\.1566 build 20210202, fixed in 4\.5\.4\.1892 build 20211223/);
  t.notOk(vulnerable?.description.includes('QSA-21-05'), 'a fixed advisory is not held against it');
  t.equal(vulnerable?.exposure, 'tcp-8080');
  t.ok(vulnerable?.references.includes('https://www.qnap.com/en/security-advisory/qsa-21-57'));

  const undecided = findings.get('qnap-verdict-unknown-192-168-1-20');
  t.equal(undecided?.severity, 'medium', 'HBS 3 (Qlocker, KEV) cannot be told from outside: said, not hidden');
  t.same(undecided?.classification.cve, ['CVE-2021-28799']);

  t.match(report.summary.headline, /^Your QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) admin page on port 8080 is reachable from the internet through a UPnP mapping; its firmware is below the fix for QSA-21-57 \(used by ransomware\)/);
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
  t.match(findings.get('upnp-mapping-tcp-8080')?.description, /explained in qnap-admin-exposed-tcp-8080/);
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
  t.equal(hairpin.get('qnap-admin-exposed-tcp-8080')?.severity, 'high', 'seen open from inside only');

  const filtered = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [nasHost()], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'filtered' }]) })));
  t.equal(filtered.get('qnap-admin-exposed-tcp-8080')?.severity, 'medium');
  t.match(filtered.get('qnap-admin-exposed-tcp-8080')?.title, /not reachable from the internet right now/);
  t.equal(filtered.get('upnp-mapping-tcp-8080')?.severity, 'high', 'the mapping finding drops a step when the outside view sees it filtered');
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
  t.match(findings.get('qnap-vulnerable-exposed-192-168-1-20')?.title, /^Your probable QNAP TS-453D \(QTS 4\.5\.2\.1566 build 20210202\) is below the fix for QSA-21-57 \(used by ransomware\), and it is reachable from the internet$/);
});

t.test('a port the agent fingerprinted is open from outside even when the port scan did not list it', async (t) => {
  const wanHost = { ...nasHost(), address: WAN_ADDRESS, seenFrom: 'wan' as const, reasons: ['wan' as const] };
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(8080)])], hosts: [wanHost], wan: agentWan([]) })));
  t.equal(findings.get('qnap-admin-exposed-tcp-8080')?.severity, 'critical');
  t.match(findings.get('qnap-admin-exposed-tcp-8080')?.title, /is reachable from the internet through a UPnP mapping/);
  t.ok(findings.has(`qnap-vulnerable-exposed-${WAN_ADDRESS.replaceAll('.', '-')}`), 'seen from the internet is exposed');
  t.ok(findings.has('qnap-admin-exposed-tcp-443'), 'the TLS fingerprint on 443 opens its own door');
});
