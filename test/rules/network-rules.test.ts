import t from 'tap';
import type { Finding } from '../../src/core/report.generated.js';
import { evaluateRules } from '../../src/rules/index.js';
import { agentWan, gateway, mapping, nasHost, observations, reportOf } from '../support/scenarios.js';

const byId = (findings: readonly Finding[]) => new Map(findings.map((finding) => [finding.id, finding]));
const PC = '192.168.1.40';
/** The scenario router has no UDN: its LOCATION host and port name it in every router-scoped id. */
const R = 'loc-192-168-1-1-5000';

t.test('file sharing and remote access: severity follows how far the door reaches', async (t) => {
  const gw = gateway([
    mapping(3389, { internalClient: PC, description: 'rdp' }),
    mapping(445, { internalClient: PC }),
    mapping(2121, { internalClient: PC, internalPort: 21, leaseDuration: 600 }),
    mapping(23, { internalClient: PC }),
    mapping(8000, { internalClient: PC }),
  ]);
  const forwarded = byId(evaluateRules(observations({ gateways: [gw] })));
  t.equal(forwarded.get('remote-access-exposed-tcp-3389')?.severity, 'high', 'forwarded, not checked from outside');
  t.match(forwarded.get('remote-access-exposed-tcp-3389')?.description, /ransomware/);
  t.equal(forwarded.get('file-sharing-exposed-tcp-445')?.severity, 'high');
  t.match(forwarded.get('file-sharing-exposed-tcp-445')?.description, /Checkmate/);
  t.ok(forwarded.has('file-sharing-exposed-tcp-2121'), 'named by the internal port: FTP behind external 2121');
  t.ok(forwarded.has('remote-access-exposed-tcp-23'), 'Telnet');
  t.notOk([...forwarded.keys()].some((id) => id.endsWith('tcp-8000') && !id.startsWith('upnp-mapping')), 'an ordinary port has no service story');
  t.match(forwarded.get(`upnp-mapping-${R}-tcp-445`)?.description, /explained in file-sharing-exposed-tcp-445/);

  const outside = byId(evaluateRules(observations({ gateways: [gw], wan: agentWan([{ port: 3389, protocol: 'TCP', state: 'open' }, { port: 445, protocol: 'TCP', state: 'closed' }]) })));
  t.equal(outside.get('remote-access-exposed-tcp-3389')?.severity, 'critical', 'seen open from the internet');
  t.equal(outside.get('file-sharing-exposed-tcp-445')?.severity, 'low', 'closed from outside');

  const manual = byId(evaluateRules(observations({ gateways: [gateway([])], wan: agentWan([{ port: 445, protocol: 'TCP', state: 'open' }]) })));
  t.equal(manual.get('file-sharing-exposed-tcp-445')?.severity, 'critical');
  t.match(manual.get('file-sharing-exposed-tcp-445')?.remediation[0], /manual port forward/);
});

t.test('UPnProxy-style mappings', async (t) => {
  const findings = byId(evaluateRules(observations({
    gateways: [gateway([
      mapping(8443, { internalClient: '192.168.1.1', internalPort: 443, description: 'x' }),
      mapping(47001, { internalClient: PC, internalPort: 445, description: 'galleta silenciosa', leaseDuration: 600 }),
      mapping(47002, { internalClient: PC, internalPort: 139, description: 'y', leaseDuration: 600 }),
      mapping(40080, { internalClient: '93.184.216.34', internalPort: 80, internalClientOnLan: false }),
      mapping(40081, { internalClient: '10.9.9.9', internalPort: 443, internalClientOnLan: false }),
      mapping(9000, { internalClient: PC, leaseDuration: 600 }),
    ])],
  })));
  t.equal(findings.get(`upnp-proxy-pattern-${R}-tcp-8443`)?.severity, 'high', 'forwarding to the router itself');
  t.equal(findings.get(`upnp-proxy-pattern-${R}-tcp-47001`)?.severity, 'high', 'EternalSilence description');
  t.equal(findings.get(`upnp-proxy-pattern-${R}-tcp-47002`)?.severity, 'medium', 'high port to SMB');
  t.match(findings.get(`upnp-mapping-off-lan-${R}-tcp-40080`)?.description, /injected UPnProxy mappings/);
  t.equal(findings.get(`upnp-mapping-other-subnet-${R}-tcp-40081`)?.severity, 'medium', 'relayed to 443 of a host elsewhere');
  t.notOk(findings.has(`upnp-proxy-pattern-${R}-tcp-9000`));
  for (const [id, finding] of findings) if (id.startsWith('upnp-proxy-pattern')) t.same(finding.classification.cwe, ['CWE-441']);
});

t.test('permanent leases: one finding per router, listing them', async (t) => {
  const findings = evaluateRules(observations({ gateways: [gateway([mapping(8080), mapping(9000, { leaseDuration: 100 }), mapping(9001, { enabled: false })])] }));
  const permanent = findings.filter((finding) => finding.rule === 'upnp-permanent-leases');
  t.equal(permanent.length, 1);
  t.equal(permanent[0]?.severity, 'low');
  t.equal(permanent[0]?.evidence.length, 1, 'only the enabled permanent mapping');
  t.match(permanent[0]?.title, /^1 UPnP mapping on Home router never expires$/);
  t.notOk(evaluateRules(observations({ gateways: [gateway([mapping(9000, { leaseDuration: 100 })])] })).some((finding) => finding.rule === 'upnp-permanent-leases'));
});

t.test('stale mapping: the LAN client does not answer on the mapped port', async (t) => {
  const host = nasHost();
  host.services.push({ port: 9000, protocol: 'TCP', scheme: 'http', fingerprints: [], error: 'connect ECONNREFUSED 192.168.1.20:9000' });
  const findings = byId(evaluateRules(observations({ gateways: [gateway([mapping(9000)])], hosts: [host] })));
  t.equal(findings.get(`upnp-mapping-stale-${R}-tcp-9000`)?.severity, 'low');
  t.match(findings.get(`upnp-mapping-stale-${R}-tcp-9000`)?.description, /ECONNREFUSED/);
  t.equal(findings.get(`upnp-mapping-stale-${R}-tcp-9000`)?.exposure, 'tcp-9000');
});

t.test('the router\'s UPnP port open from outside, even when the description did not answer', async (t) => {
  const findings = byId(evaluateRules(observations({ gateways: [gateway([])], wan: agentWan([{ port: 5000, protocol: 'TCP', state: 'open' }], { igdControl: { port: 5000, path: '/rootDesc.xml', descriptionFetched: false, actionAnswered: false } }) })));
  t.equal(findings.get('upnp-igd-on-wan')?.severity, 'high');
  t.equal(findings.get('upnp-igd-on-wan')?.exposure, 'tcp-5000');
  const report = evaluateRules(observations({ gateways: [gateway([])], wan: agentWan([{ port: 5000, protocol: 'TCP', state: 'closed' }]) }));
  t.notOk(report.some((finding) => finding.id === 'upnp-igd-on-wan'));
});

t.test('every finding id is kebab-case and unique, every door key is one a finding names', async (t) => {
  const findings = evaluateRules(observations({
    gateways: [gateway([mapping(8080), mapping(3389, { internalClient: PC }), mapping(47001, { internalClient: PC, internalPort: 445, description: 'galleta silenciosa' })])],
    hosts: [nasHost()],
    wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }, { port: 22, protocol: 'TCP', state: 'open' }, { port: 1900, protocol: 'UDP', state: 'open' }]),
  }));
  const ids = findings.map((finding) => finding.id);
  t.equal(new Set(ids).size, ids.length);
  for (const id of ids) t.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  for (const finding of findings) if (finding.exposure) t.match(finding.exposure, /^(tcp|udp)-\d+$/);
  const parts = observations({
    gateways: [gateway([mapping(8080), mapping(3389, { internalClient: PC }), mapping(47001, { internalClient: PC, internalPort: 445, description: 'galleta silenciosa' })])],
    hosts: [nasHost()],
    wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }, { port: 22, protocol: 'TCP', state: 'open' }, { port: 1900, protocol: 'UDP', state: 'open' }]),
  });
  const report = reportOf(parts);
  const doors = new Set((report.exposures ?? []).map((exposure) => exposure.key));
  t.ok(doors.size >= 4, `doors: ${[...doors].join(', ')}`);
  for (const finding of report.findings) if (finding.exposure !== undefined) t.ok(doors.has(finding.exposure), `${finding.id} names door ${finding.exposure}, which the report lists`);
  for (const door of doors) t.ok(report.findings.some((finding) => finding.exposure === door), `door ${door} has a finding`);
});
