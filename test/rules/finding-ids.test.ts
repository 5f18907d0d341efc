// Issue 12, item 3: finding ids are functions of what they are about, never of the discovery order or of how many
// routers answered, and never suffixed to make them unique.
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import type { Observation } from '../../src/core/observation.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { buildReport } from '../../src/report/build.js';
import type { Finding, Gateway, Wan } from '../../src/core/report.generated.js';
import { diffReports } from '../../src/diff/diff.js';
import { evaluateRules } from '../../src/rules/index.js';
import { agentWan, gateway, mapping, nasHost, observations, reportOf, WAN_ADDRESS } from '../support/scenarios.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FIRST_UDN = 'uuid:5b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
const token = (udn: string): string => `udn-${createHash('sha256').update(udn.toLowerCase()).digest('hex').slice(0, 8)}`;

/** The lab's router: a UDN, public WAN, the NAS's mappings. */
function first(): Gateway {
  return gateway([mapping(8080), mapping(443, { leaseDuration: 600, description: 'NAT-PMP 443 tcp' }), mapping(3074, { protocol: 'UDP', internalClient: '192.168.1.30' })], { udn: FIRST_UDN });
}

/** A second IGD on the LAN (a mesh node, a second router behind the first): another UDN, another LOCATION, the same port mapped. */
function second(overrides: Partial<Gateway> = {}): Gateway {
  return gateway([mapping(8080, { internalClient: '192.168.1.40' }), mapping(9000)], {
    location: 'http://192.168.1.2:49152/desc.xml', address: '192.168.1.2', friendlyName: 'Mesh node', udn: 'uuid:75802409-bccb-40e7-8e6c-989bcb2b93b0',
    externalIp: '192.168.1.2', externalIpClass: 'private', ...overrides,
  });
}

const ids = (findings: readonly Finding[]): string[] => findings.map((finding) => finding.id).sort();
const aboutFirst = (findings: readonly Finding[], firstToken: string): string[] => ids(findings).filter((id) => id.includes(firstToken));

function assertUnique(t: Test, findings: readonly Finding[], what: string): void {
  const all = findings.map((finding) => finding.id);
  const repeated = all.filter((id, index) => all.indexOf(id) !== index);
  t.same(repeated, [], `${what}: every rule's ids are unique without any suffixing`);
  for (const id of all) if (!ID.test(id)) t.fail(`${what}: ${id} breaks the id grammar`);
}

t.test('a router is named by its UDN: alone, with a second router, in either order', async (t) => {
  const alone = evaluateRules(observations({ gateways: [first()] }));
  const before = evaluateRules(observations({ gateways: [first(), second()] }));
  const after = evaluateRules(observations({ gateways: [second(), first()] }));
  const name = token(FIRST_UDN);
  t.ok(ids(alone).includes(`upnp-mapping-${name}-tcp-8080`), 'the UDN token even when only one router answered');
  t.ok(ids(alone).includes(`upnp-igd-enabled-${name}`));
  t.same(aboutFirst(before, name), aboutFirst(alone, name), 'a second router renames nothing of the first');
  t.same(aboutFirst(after, name), aboutFirst(alone, name), 'nor does the order the routers answered in');
  t.same(ids(before), ids(after), 'the whole set is the same in either order');
  for (const [what, findings] of [['alone', alone], ['first answered first', before], ['second answered first', after]] as const) assertUnique(t, findings, what);
  t.notOk(ids(before).some((id) => id.includes('192-168-1-1-')), 'never the LAN address of a router that has a UDN');
  t.notOk(ids(before).some((id) => /-\d$/.test(id) && !/-(tcp|udp)-\d+$/.test(id) && !/-(8080|9000|443|3074)$/.test(id)), 'no order suffix');
});

t.test('without a UDN, the LOCATION host and port name the router', async (t) => {
  const noUdn = (): Gateway => ({ ...first(), udn: '' });
  const alone = ids(evaluateRules(observations({ gateways: [noUdn()] })));
  t.ok(alone.includes('upnp-mapping-loc-192-168-1-1-5000-tcp-8080'), alone.join(' '));
  const both = ids(evaluateRules(observations({ gateways: [second(), noUdn()] })));
  t.same(both.filter((id) => id.includes('loc-192-168-1-1-5000')), alone.filter((id) => id.includes('loc-192-168-1-1-5000')));
  const absent = { ...first() };
  delete absent.udn;
  t.same(ids(evaluateRules(observations({ gateways: [absent] }))), alone, 'an absent UDN and an empty one are the same');
});

t.test('two routers claiming one UDN are told apart by LOCATION, in either order', async (t) => {
  const impostor = second({ udn: FIRST_UDN.toUpperCase() });
  const one = evaluateRules(observations({ gateways: [first(), impostor] }));
  const other = evaluateRules(observations({ gateways: [impostor, first()] }));
  assertUnique(t, one, 'shared UDN');
  t.same(ids(one), ids(other));
  t.ok(ids(one).includes(`upnp-igd-enabled-${token(FIRST_UDN)}-192-168-1-1-5000`));
  t.ok(ids(one).includes(`upnp-igd-enabled-${token(FIRST_UDN)}-192-168-1-2-49152`));
});

t.test('double NAT with an outside view: no collisions, no order, the outer router keeps the door', async (t) => {
  const wan: Wan = agentWan([{ port: 8080, protocol: 'TCP', state: 'closed' }, { port: 9000, protocol: 'TCP', state: 'filtered' }]);
  const outerFirst = evaluateRules(observations({ gateways: [first(), second()], wan }));
  const innerFirst = evaluateRules(observations({ gateways: [second(), first()], wan }));
  assertUnique(t, outerFirst, 'double NAT');
  assertUnique(t, innerFirst, 'double NAT, inner router first');
  t.same(ids(outerFirst), ids(innerFirst));
  // Both routers map TCP 8080: one unreachable-mapping finding per router, each named by its router.
  const unreachable = ids(outerFirst).filter((id) => id.startsWith('upnp-mapping-unreachable-') && id.endsWith('-tcp-8080'));
  t.equal(unreachable.length, 2, unreachable.join(' '));
  const report = (gateways: Gateway[]) => reportOf(observations({ gateways, wan }));
  const a = report([first(), second()]);
  const b = report([second(), first()]);
  t.same(a.findings.map((finding) => finding.id), b.findings.map((finding) => finding.id), 'the report lists the same ids in the same order');
  t.same(a.exposures?.find((door) => door.key === 'tcp-8080')?.gateway, '192.168.1.1', 'the router facing the internet keeps the shared door');
  t.same(a.exposures, b.exposures, 'the doors do not depend on the order either');
  t.same(diffReports(a, b).changes, [], 'the diff sees no change between the two orders');
});

t.test('the diff: a second router appearing adds its findings and resolves none of the first', async (t) => {
  const before = reportOf(observations({ gateways: [first()] }));
  const after = reportOf(observations({ gateways: [second(), first()] }));
  const findingChanges = diffReports(before, after).changes.filter((change) => change.kind.startsWith('finding-'));
  t.same(findingChanges.filter((change) => change.kind !== 'finding-new'), [], 'nothing of the first router resolved or changed');
  t.ok(findingChanges.every((change) => !change.key.includes(token(FIRST_UDN))), 'every new finding is about the second router');
  t.ok(findingChanges.length > 0);
});

t.test('what tells two mappings apart is in their ids', async (t) => {
  const ppp = 'urn:schemas-upnp-org:service:WANPPPConnection:1';
  const findings = evaluateRules(observations({
    gateways: [gateway([
      mapping(8080),
      // The same entry listed twice by a buggy table is one mapping, not two.
      mapping(8080),
      mapping(8080, { service: ppp, internalClient: '192.168.1.41' }),
      mapping(8080, { service: 'urn:dslforum-org:service:WANIPConnection:1', internalClient: '192.168.1.42' }),
      mapping(8080, { remoteHost: '198.51.100.7', internalClient: '192.168.1.43' }),
      mapping(47001, { internalClient: '192.168.1.40', internalPort: 445, description: '<b>galleta silenciosa</b>', descriptionHasMarkup: true }),
      mapping(47001, { internalClient: '192.168.1.40', internalPort: 445, description: '<b>galleta silenciosa</b>', descriptionHasMarkup: true, service: ppp }),
    ], { udn: FIRST_UDN, rejectedUrls: [
      { serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2', url: 'http://198.51.100.1/ctl', reason: 'points elsewhere' },
      { serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2', url: 'http://198.51.100.2/ctl', reason: 'points elsewhere' },
    ] })],
  }));
  assertUnique(t, findings, 'one router, several tables');
  const name = token(FIRST_UDN);
  const mappingIds = ids(findings).filter((id) => id.startsWith('upnp-mapping-') && id.includes('8080') && !id.startsWith('upnp-mapping-stale'));
  t.same(mappingIds, [
    `upnp-mapping-${name}-ppp-tcp-8080`,
    `upnp-mapping-${name}-tcp-8080`,
    `upnp-mapping-${name}-tcp-8080-from-198-51-100-7`,
    `upnp-mapping-${name}-tr064-ip-tcp-8080`,
  ]);
  t.equal(findings.filter((finding) => finding.rule === 'upnp-control-url-foreign').length, 1, 'one finding per router, every foreign URL in its evidence');
  t.equal(findings.find((finding) => finding.rule === 'upnp-control-url-foreign')?.evidence.length, 2);
});

t.test('a device answering every search target with a foreign LOCATION is one finding', async (t) => {
  const all = observations({ gateways: [first()] });
  const discovery = all.find((observation) => observation.kind === 'discovery');
  if (discovery?.kind !== 'discovery') throw new Error('scenario has a discovery observation');
  const answer = (st: string, location: string) => ({ from: '192.168.1.66', location, st, usn: `uuid:bad::${st}`, server: 'rogue', fetched: false, refusedReason: 'LOCATION names 192.168.1.20, but the answer came from 192.168.1.66' });
  discovery.data.responses.push(
    answer('upnp:rootdevice', 'http://192.168.1.20:49000/rootDesc.xml'),
    answer('urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'http://192.168.1.20:49000/rootDesc.xml'),
    answer('urn:schemas-upnp-org:device:InternetGatewayDevice:2', 'http://127.0.0.1:5000/rootDesc.xml'),
    // Refused only because enough routers had answered: its LOCATION is its own, nothing foreign about it.
    { from: '192.168.1.9', location: 'http://192.168.1.9:5000/rootDesc.xml', st: 'upnp:rootdevice', usn: 'uuid:x', server: 's', fetched: false, refusedReason: 'more than 8 devices answered' },
  );
  const findings = evaluateRules(all).filter((finding) => finding.rule === 'ssdp-foreign-location');
  t.same(findings.map((finding) => finding.id), ['ssdp-foreign-location-192-168-1-66']);
  t.equal(findings[0]?.evidence.length, 3);
});

t.test('the report keeps ids as the rules made them: no suffix, the same winner whatever the order', async (t) => {
  const all: Observation[] = observations({ gateways: [first()], hosts: [nasHost()], wan: agentWan([{ port: 8080, protocol: 'TCP', state: 'open' }]) });
  const findings = evaluateRules(all);
  const twin = { ...findings[0]!, title: `${findings[0]!.title} (told twice)` };
  const build = (list: Finding[]) => buildReport({ startedAt: new Date('2026-11-30T16:33:29.945Z'), finishedAt: new Date('2026-11-30T16:33:34.145Z'), options: DEFAULT_SCAN_OPTIONS, observations: all, findings: list });
  const one = build([...findings, twin]);
  const other = build([twin, ...findings]);
  t.same(one.findings, other.findings, 'a repeated id keeps the same finding in either order');
  t.equal(one.findings.filter((finding) => finding.id === twin.id).length, 1);
  t.notOk(one.findings.some((finding) => finding.id === `${twin.id}-2`), 'never renamed with a suffix');
  t.equal(one.wan.address, WAN_ADDRESS);
});
