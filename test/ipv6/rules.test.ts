// The IPv6 findings and their attribution, coverage.ipv6, and the report they make (schema-valid, headline on IPv6).
import t from 'tap';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../../src/core/options.js';
import type { Observation, ObservationKinds } from '../../src/core/observation.js';
import { ipv6Coverage, ipv6Rules, attribute } from '../../src/rules/ipv6.js';
import { judge } from '../../src/rules/judge.js';
import { headline } from '../../src/rules/score.js';
import { assembleReport } from '../../src/report/build.js';
import { render } from '../../src/report/render.js';
import { checkObservations } from '../../src/scan/check-observations.js';
import { PROBES } from '../../probes/registry.js';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { builtinPacks, loadPacks } from '../../src/vendors/load.js';
import { ACME_PACK } from '../support/acme-pack.js';
import { nasHost } from '../support/scenarios.js';

type Address = ObservationKinds['ipv6-address'];
type Scan = ObservationKinds['ipv6-scan'];
type Firewall = ObservationKinds['ipv6-firewall'];

const at = '2026-01-01T00:00:00.000Z';
const NAS_STABLE = '2001:db8:1:2:265e:beff:fe00:20';
const NAS_TEMPORARY = '2001:db8:1:2:1111:2222:3333:4444';
const OWN = '2001:db8:1:2::10';
const OTHER = '2001:db8:1:2::30';

const ADDRESSES: Address[] = [
  { address: OWN, prefix: '2001:db8:1:2::/64', sources: ['interface'], thisHost: true, interface: 'eth0', ipv4: '192.168.1.10', temporary: false, router: false },
  { address: NAS_STABLE, prefix: '2001:db8:1:2::/64', sources: ['neighbour', 'nas-host'], thisHost: false, interface: 'eth0', mac: '24:5e:be:00:00:20', ipv4: '192.168.1.20', nas: { vendor: 'QNAP', model: 'TS-453D' }, temporary: false, router: false },
  { address: NAS_TEMPORARY, prefix: '2001:db8:1:2::/64', sources: ['neighbour', 'nas-host'], thisHost: false, interface: 'eth0', mac: '24:5e:be:00:00:20', ipv4: '192.168.1.20', nas: { vendor: 'QNAP', model: 'TS-453D' }, temporary: null, router: false },
  { address: OTHER, prefix: '2001:db8:1:2::/64', sources: ['neighbour'], thisHost: false, interface: 'eth0', mac: '02:00:00:00:00:30', temporary: null, router: false },
];
const INVENTORY: ObservationKinds['ipv6-inventory'] = {
  interfaces: { read: true, globalAddresses: 1 },
  neighbourTable: { status: 'read', entries: 3, truncated: false, rejected: 0 },
  nasHosts: { recognised: 1, withIpv6: 1 },
  mdns: 'not-tried',
  warm: 'not-sent',
  dropped: { linkLocal: 2, ula: 0, documentation: 0, other: 0 },
  documentationPrefixes: true,
  addressesTruncated: false,
  warnings: [],
};
const firewall = (enabled: boolean | null): Firewall => ({ gateway: '192.168.1.1', friendlyName: 'Home router', offered: enabled !== null, enabled, inboundPinholeAllowed: enabled === null ? null : true, readBy: 'upnp-igd' });
const host = (address: string, open: number[], closed: number, filtered: number): Scan['hosts'][number] => ({ address, open: open.map((port) => ({ port, protocol: 'TCP' as const, state: 'open' as const })), closed, filtered, openFiltered: 0 });

function scanned(hosts: Scan['hosts'], extra: Partial<Scan> = {}): Scan {
  return { status: 'scanned', requested: true, agentUrl: 'https://[2001:db8:ffff::7]:7447', callerAddress: OWN, prefix: '2001:db8:1:2::/64', engine: 'connect', durationMs: 1200, portSpec: '22,443,8000,8080', portsAsked: 4, targets: ADDRESSES.map((entry) => entry.address), hosts, refused: [], warnings: [], ...extra };
}

function observations(scan: Scan | undefined, firewalls: Firewall[] = []): Observation[] {
  return [
    { probe: 'local', kind: 'local-networks', subject: 'lan', at, data: { networks: [{ interface: 'eth0', address: '192.168.1.10', cidr: '192.168.1.0/24' }], defaultGateways: ['192.168.1.1'] } },
    ...ADDRESSES.map((data): Observation => ({ probe: 'ipv6-lan', kind: 'ipv6-address', subject: data.address, at, data })),
    { probe: 'ipv6-lan', kind: 'ipv6-inventory', subject: 'lan', at, data: INVENTORY },
    ...firewalls.map((data): Observation => ({ probe: 'ipv6-lan', kind: 'ipv6-firewall', subject: data.gateway, at, data })),
    ...(scan ? [{ probe: 'wan6-scan', kind: 'ipv6-scan', subject: 'wan6', at, data: scan } as Observation] : []),
  ];
}

const OPTIONS: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, vantage6Url: 'https://[2001:db8:ffff::7]:7447', vantageToken: 'x' };

t.test('a NAS admin page open over IPv6 behind a firewall that is on: high, a pinhole, one finding for both its addresses', async (t) => {
  const scan = scanned([host(OWN, [], 4, 0), host(NAS_STABLE, [8080], 0, 3), host(NAS_TEMPORARY, [8080], 0, 3), host(OTHER, [], 0, 4)]);
  const findings = ipv6Rules(observations(scan, [firewall(true)]));
  t.equal(findings.length, 1);
  const [finding] = findings;
  t.match(finding, { id: 'ipv6-nas-admin-exposed-lan-192-168-1-20-tcp-8080', rule: 'ipv6-nas-admin-exposed', severity: 'critical' });
  t.match(finding?.title, `[${NAS_STABLE}]:8080`);
  t.match(finding?.title, /over IPv6/);
  t.same(finding?.evidence.map((entry) => entry.subject).slice(0, 3), [`[${NAS_STABLE}]:8080/tcp`, `[${NAS_TEMPORARY}]:8080/tcp`, 'attribution']);
  t.match(finding?.evidence[2]?.detail, /^ipv6-pinhole: /);
  t.match(finding?.remediation.join(' '), /pinhole/);
  t.match(finding?.remediation.join(' '), /「高度」/);
});

t.test('attribution: the router says off, or nothing is filtered, or unknown', async (t) => {
  const filtered = scanned([host(NAS_STABLE, [8080], 0, 3)]);
  const unfiltered = scanned([host(NAS_STABLE, [8080], 3, 0), host(OWN, [], 4, 0)]);
  t.equal(attribute(filtered, [firewall(false)]), 'ipv6-no-firewall');
  t.equal(attribute(unfiltered, []), 'ipv6-no-firewall');
  t.equal(attribute(unfiltered, [firewall(true)]), 'ipv6-no-firewall', 'every port answering beats a firewall that says it is on');
  t.equal(attribute(filtered, [firewall(true)]), 'ipv6-pinhole');
  t.equal(attribute(filtered, [firewall(null)]), 'unknown');
  t.equal(attribute(filtered, []), 'unknown');

  const off = ipv6Rules(observations(filtered, [firewall(false)]));
  t.same(off.map((finding) => [finding.rule, finding.severity]), [['ipv6-firewall-off', 'medium'], ['ipv6-nas-admin-exposed', 'critical']]);
  t.equal(off[0]?.id, 'ipv6-firewall-off-192-168-1-1');
  t.match(off[1]?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^ipv6-no-firewall: /);
  t.match(off[1]?.remediation.join(' '), /IPv6 bridge \/ IPv6パススルー/);
});

t.test('other open ports: sensitive ones high, others medium; a device without an IPv4 address is named by its IPv6 address', async (t) => {
  const findings = ipv6Rules(observations(scanned([host(OTHER, [22, 8000], 0, 2)])));
  t.same(findings.map((finding) => [finding.id, finding.severity]), [
    ['ipv6-port-open-2001-db8-1-2-30-tcp-22', 'high'],
    ['ipv6-port-open-2001-db8-1-2-30-tcp-8000', 'medium'],
  ]);
  t.match(findings[0]?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^unknown: /);
});

t.test('hostile agent answer: an address we did not list cannot become a finding', async (t) => {
  const findings = ipv6Rules(observations(scanned([host('2001:db8:1:2::666', [8080], 0, 0)])));
  t.equal(findings.length, 1, 'the probe filters unlisted hosts; the rule still names it only by its address');
  t.match(findings[0]?.id, /^ipv6-port-open-2001-db8-1-2-666-tcp-8080$/);
});

t.test('coverage.ipv6: complete, partial, skipped, failed', async (t) => {
  const complete = ipv6Coverage(observations(scanned([host(OWN, [], 4, 0), host(NAS_STABLE, [], 0, 4), host(NAS_TEMPORARY, [], 0, 4), host(OTHER, [], 0, 4)])));
  t.match(complete, { status: 'complete', requested: true, vantage: 'agent', ports: { asked: 16, answered: 16 }, scope: { description: /2001:db8:1:2::\/64/ } });
  const refused = ipv6Coverage(observations(scanned([host(OWN, [], 4, 0)], { refused: [{ address: NAS_STABLE, reason: 'outside the caller /64' }] })));
  t.match(refused, { status: 'partial', reason: { code: 'EXP_ERR_IPV6_VANTAGE', message: /outside the caller/ } });
  const none = ipv6Coverage(observations({ status: 'skipped', requested: false, code: 'EXP_ERR_IPV6_NO_GLOBAL', reason: 'this network has no global IPv6: nothing to reach over IPv6', portsAsked: 0, targets: [], hosts: [], refused: [], warnings: [] }));
  t.match(none, { status: 'skipped', reason: { code: 'EXP_ERR_IPV6_NO_GLOBAL', message: 'this network has no global IPv6: nothing to reach over IPv6' } });
  t.equal(ipv6Coverage(observations(undefined)), undefined, 'no IPv6 probe, no coverage.ipv6');
});

t.test('the whole report: schema-valid, the headline says IPv6, the sections show the addresses', async (t) => {
  const scan = scanned([host(OWN, [], 4, 0), host(NAS_STABLE, [8080], 0, 3), host(NAS_TEMPORARY, [], 0, 4), host(OTHER, [], 0, 4)]);
  const given = observations(scan, [firewall(true)]);
  for (const probe of PROBES.filter((entry) => entry.id === 'ipv6-lan' || entry.id === 'wan6-scan')) await checkObservations(probe, PROBES, given.filter((observation) => observation.probe === probe.id));
  const report = assembleReport({ startedAt: new Date(at), finishedAt: new Date(at), options: OPTIONS, observations: given, judgement: judge(given, OPTIONS) });
  t.match(report.summary.headline, /IPv6/);
  t.match(report.summary.headline, NAS_STABLE);
  t.equal(report.coverage.ipv6?.status, 'complete');
  const echoed = assembleReport({ startedAt: new Date(at), finishedAt: new Date(at), options: { ...OPTIONS, vantage6Url: 'https://[2001:db8:ffff::7]:7447/some/path' }, observations: given, judgement: judge(given, OPTIONS) });
  t.equal(echoed.options.vantage6Url, 'https://[2001:db8:ffff::7]:7447', 'the report names the IPv6 agent it asked (its origin)');
  const text = render(report, 'text');
  t.match(text, /IPv6 \(LAN\) +4 global IPv6 addresses/);
  t.match(text, /Outside view over IPv6/);
  t.match(text, /IPv6 firewall of Home router \(192\.168\.1\.1\): on/);
  const html = render(report, 'html');
  t.match(html, /class="ipv6-addresses"/);
});

t.test('failed with global addresses on the LAN: incomplete, and never "nothing found"', async (t) => {
  const failed: Scan = { status: 'failed', requested: true, code: 'EXP_ERR_IPV6_VANTAGE', reason: 'the agent at https://[2001:db8:ffff::7]:7447 could not scan over IPv6: Cannot reach the agent', portsAsked: 16, targets: ADDRESSES.map((entry) => entry.address), hosts: [], refused: [], warnings: [] };
  const given = observations(failed);
  const report = assembleReport({ startedAt: new Date(at), finishedAt: new Date(at), options: OPTIONS, observations: given, judgement: judge(given, OPTIONS) });
  t.equal(report.coverage.complete, false);
  t.match(report.coverage.ipv6, { status: 'failed', requested: true, reason: { code: 'EXP_ERR_IPV6_VANTAGE' } });
  t.match(report.findings.map((finding) => finding.rule), ['ipv6-not-checked']);
  t.match(report.summary.headline, /global IPv6/);
  t.notMatch(report.summary.headline, /Nothing found/);
});

t.test('a vendor known only from a --vendor-pack folder: its admin port over IPv6 is a NAS admin page too', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vendor-pack-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, 'acme');
  await mkdir(dir);
  await writeFile(path.join(dir, 'pack.json'), JSON.stringify({ ...ACME_PACK, ports: { admin: [8765] } }));
  const acme = ADDRESSES.map((entry) => (entry.nas ? { ...entry, nas: { vendor: 'Acme', model: 'Box 2' } } : entry));
  const given = observations(scanned([host(NAS_STABLE, [8765], 0, 3)])).map((observation) =>
    observation.kind === 'ipv6-address' ? { ...observation, data: acme.find((entry) => entry.address === observation.subject) ?? observation.data } : observation,
  ) as Observation[];
  const withPack = ipv6Rules(given, loadPacks([dir]).packs);
  t.same(withPack.map((finding) => [finding.rule, finding.severity]), [['ipv6-nas-admin-exposed', 'critical']]);
  const shippedOnly = ipv6Rules(given, builtinPacks());
  t.same(shippedOnly.map((finding) => finding.rule), ['ipv6-port-open'], 'without the pack, port 8765 is just an open port');
  // As in a scan: the LAN fingerprints recognised the device with the user's pack, so the packs are loaded.
  const recognised = nasHost({ address: '192.168.1.20', services: [] });
  const device = { ...recognised.device, vendor: 'Acme', pack: 'acme', firmware: null } as NonNullable<typeof recognised.device>;
  const judged = judge([...given, { probe: 'qnap', kind: 'host', subject: '192.168.1.20', at, data: { ...recognised, device, verdicts: [] } }], { ...OPTIONS, vendorPacks: [dir] });
  t.ok(judged.findings.some((finding) => finding.rule === 'ipv6-nas-admin-exposed'), 'judge hands the scan\'s packs to the IPv6 rule');
});

t.test('the headline: an IPv4 door leads, and the same NAS open over IPv6 is named in the sentence, not among "N more"', async (t) => {
  const [overIpv6] = ipv6Rules(observations(scanned([host(NAS_STABLE, [8080], 0, 3)]), [firewall(true)]));
  if (!overIpv6) return t.fail('no IPv6 finding');
  const overIpv4 = { ...overIpv6, id: 'qnap-admin-exposed-lan-192-168-1-20-tcp-8080', rule: 'qnap-admin-exposed', title: 'The QNAP TS-453D admin page is reachable from the internet at 203.0.113.7:8080' };
  const minor = { ...overIpv6, id: 'upnp-igd-enabled-x', rule: 'upnp-igd-enabled', severity: 'low' as const, title: 'UPnP port forwarding is enabled' };
  t.equal(
    headline([overIpv4, overIpv6, minor]),
    `The QNAP TS-453D admin page is reachable from the internet at 203.0.113.7:8080; also, the QNAP TS-453D NAS (192.168.1.20) admin page answers from the internet over IPv6 at [${NAS_STABLE}]:8080 (and 1 more finding).`,
  );
  t.equal(headline([overIpv6, minor]), `${overIpv6.title} (and 1 more finding).`, 'an IPv6 lead is told once');
  const lesser = { ...overIpv6, severity: 'medium' as const };
  t.equal(headline([overIpv4, lesser]), `${overIpv4.title} (and 1 more finding).`, 'below the lead\'s severity it stays among the others');
});
