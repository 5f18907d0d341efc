// The decision table of decision 0019, one test per row, with facts as the probe records them.
import t, { type Test } from 'tap';
import { Ajv } from 'ajv';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { classifyAccess, type AccessFacts } from '../../probes/access/classify.js';
import { loadMapERules } from '../../probes/access/rules.js';
import { matchMapE } from '../../src/net/map-e.js';
import type { Access } from '../../src/core/report.generated.js';
import type { Observation } from '../../src/core/observation.js';
import { accessRules } from '../../src/rules/access.js';
import { evaluateRules } from '../../src/rules/index.js';
import { at, gateway, mapping } from '../support/scenarios.js';

const rules = await loadMapERules();
const ajv = new Ajv({ strict: false, formats: { 'date-time': true } });
ajv.addSchema(reportSchema);
const validAccess = ajv.compile({ $ref: 'https://exposure-scanner.dev/schemas/report.schema.json#/definitions/Access' });
const V6PLUS = matchMapE('240b:10:1234:3400::1', rules);
const base: AccessFacts = { igdExternalIp: null, igdWhere: 'Fake Router (192.168.1.1)', ipv6Prefixes: [], hasIpv4: true };

function classify(t: Test, facts: AccessFacts): Access {
  const access = classifyAccess(facts);
  t.ok(validAccess(access), `matches the report schema ${JSON.stringify(validAccess.errors?.[0] ?? '')}`);
  return access;
}

t.test('row 1: the router reports 192.0.0.2 (the B4) -> ds-lite', async (t) => {
  const access = classify(t, { ...base, igdExternalIp: '192.0.0.2', ipv6Prefixes: ['2001:db8:1:2::/64'] });
  t.equal(access.kind, 'ds-lite');
  t.match(access.summary, /inbound IPv4 cannot reach this home on this line; IPv6 is what matters/);
  t.same(access.evidence[0], { source: 'ds-lite-b4', value: '192.0.0.2', note: 'the DS-Lite B4 range 192.0.0.0/29 (RFC 6333), reported by Fake Router (192.168.1.1)' });
  t.equal(access.portSet, undefined);
});

t.test('row 2: the IPv6 prefix falls under a MAP-E rule -> map-e; trusted only when the agent agrees', async (t) => {
  const mapE = { ...base, igdExternalIp: '106.72.18.52', ipv6Prefixes: ['240b:10:1234:3400::/64'], ...(V6PLUS ? { mapE: V6PLUS } : {}) };
  const trusted = classify(t, { ...mapE, agent: { addresses: ['106.72.18.52'], family: 'IPv4', ports: [4930, 9030, 13131, 4931] } });
  t.equal(trusted.kind, 'map-e');
  t.match(trusted.portSet, { rule: 'v6plus', psid: 52, size: 240, trusted: true, ipv4: '106.72.18.52', observedPorts: [4930, 9030, 13131, 4931] });
  t.equal(trusted.portSet?.reason, undefined);
  t.ok(trusted.evidence.some((entry) => entry.source === 'map-e-rule' && entry.value === 'v6plus'));
  t.ok(trusted.evidence.some((entry) => entry.source === 'agent-source-ports'));
  t.match(trusted.summary, /240 ports \(15 ranges, the first 4928-4943\)/);

  const cases: [string, Partial<AccessFacts>, RegExp][] = [
    ['no agent', {}, /no vantage agent/],
    ['agent failed', { agent: { error: 'connect ECONNREFUSED' } }, /could not be asked \(connect ECONNREFUSED\)/],
    ['a port outside the set', { agent: { addresses: ['106.72.18.52'], family: 'IPv4', ports: [4930, 40000] } }, /40000 outside the computed set/],
    ['no port seen', { agent: { addresses: ['106.72.18.52'], family: 'IPv4', ports: [] } }, /no source port was observed/],
    ['another address', { agent: { addresses: ['106.72.99.1'], family: 'IPv4', ports: [4930] } }, /the agent sees 106\.72\.99\.1, the rule gives 106\.72\.18\.52/],
    ['several addresses', { agent: { addresses: ['106.72.18.52', '106.72.18.53'], family: 'IPv4', ports: [4930] } }, /several addresses/],
    ['over IPv6', { agent: { addresses: ['240b:10:1234:3400::1'], family: 'IPv6', ports: [50000] } }, /over IPv6/],
  ];
  for (const [name, extra, reason] of cases) {
    const access = classify(t, { ...mapE, ...extra });
    t.equal(access.kind, 'map-e', name);
    t.equal(access.portSet?.trusted, false, name);
    t.match(access.portSet?.reason, reason, name);
  }
});

t.test('row 2 before 3-6: a MAP-E prefix wins over a public router address (the shared address is public)', async (t) => {
  t.equal(classify(t, { ...base, igdExternalIp: '106.72.18.52', ipv6Prefixes: ['240b:10:1234:3400::/64'], ...(V6PLUS ? { mapE: V6PLUS } : {}) }).kind, 'map-e');
});

t.test('row 2, a fixed IPv4 over the tunnel (v6plus fixed IP): the router and the agent agree on an address that is not the rule\'s -> public-ipv4', async (t) => {
  const prefix = { ...base, ipv6Prefixes: ['240b:10:1234:3400::/64'], ...(V6PLUS ? { mapE: V6PLUS } : {}) };
  const fixed = classify(t, { ...prefix, igdExternalIp: '133.1.2.80', agent: { addresses: ['133.1.2.80'], family: 'IPv4', ports: [40000, 40001, 51234, 61000] } });
  t.equal(fixed.kind, 'public-ipv4');
  t.equal(fixed.portSet, undefined, 'no port set: every port of the address is this home\'s');
  t.match(fixed.summary, /fixed address over an IPv6 tunnel: the IPv6 prefix falls under the .* rule, but the rule gives 106\.72\.18\.52, and the vantage agent sees 133\.1\.2\.80 as the router does/);
  t.ok(fixed.evidence.some((entry) => entry.source === 'map-e-rule'), 'the rule stays in the evidence');
  // Either side alone is not enough: the shared address's other ports belong to other homes.
  t.equal(classify(t, { ...prefix, igdExternalIp: '133.1.2.80' }).kind, 'map-e', 'the router\'s word alone');
  t.equal(classify(t, { ...prefix, igdExternalIp: '133.1.2.80', agent: { addresses: ['198.51.100.9'], family: 'IPv4', ports: [40000] } }).kind, 'map-e', 'the agent sees another address');
  t.equal(classify(t, { ...prefix, igdExternalIp: '106.72.18.52', agent: { addresses: ['106.72.18.52'], family: 'IPv4', ports: [4930] } }).kind, 'map-e', 'the rule\'s own address is MAP-E');
});

t.test('row 3: the router reports 100.64.0.0/10 -> cgnat', async (t) => {
  const access = classify(t, { ...base, igdExternalIp: '100.64.12.7' });
  t.equal(access.kind, 'cgnat');
  t.match(access.summary, /inbound IPv4 cannot reach this home on this line; IPv6 is what matters/);
  t.match(access.evidence[0]?.note, /RFC 6598/);
});

t.test('row 4: the router reports an RFC 1918 address -> double-nat', async (t) => {
  const access = classify(t, { ...base, igdExternalIp: '192.168.0.10', agent: { addresses: ['133.1.2.3'], family: 'IPv4', ports: [50123] } });
  t.equal(access.kind, 'double-nat');
  t.equal(access.ipv4, '133.1.2.3', 'the agent\'s view first');
});

t.test('row 5: a public router address, but the agent sees another -> cgnat', async (t) => {
  const access = classify(t, { ...base, igdExternalIp: '133.1.2.3', agent: { addresses: ['133.9.9.9'], family: 'IPv4', ports: [50123] } });
  t.equal(access.kind, 'cgnat');
  t.equal(access.ipv4, '133.9.9.9');
  t.ok(access.evidence.some((entry) => entry.source === 'agent-address' && entry.value === '133.9.9.9'));
});

t.test('row 6: a public router address (the agent agrees, or there is none) -> public-ipv4', async (t) => {
  t.equal(classify(t, { ...base, igdExternalIp: '133.1.2.3', agent: { addresses: ['133.1.2.3'], family: 'IPv4', ports: [50123] } }).kind, 'public-ipv4');
  const alone = classify(t, { ...base, igdExternalIp: '133.1.2.3' });
  t.equal(alone.kind, 'public-ipv4');
  t.equal(alone.ipv4, '133.1.2.3');
});

t.test('row 7: a global IPv6 address and no IPv4 network at all -> ipv6-only', async (t) => {
  t.equal(classify(t, { ...base, hasIpv4: false, ipv6Prefixes: ['2001:db8:1:2::/64'] }).kind, 'ipv6-only');
});

t.test('row 8: anything else -> unknown (no router, an unset or reserved address)', async (t) => {
  t.equal(classify(t, { ...base }).kind, 'unknown');
  t.equal(classify(t, { ...base, igdExternalIp: '0.0.0.0' }).kind, 'unknown');
  t.equal(classify(t, { ...base, igdExternalIp: '198.18.0.1' }).kind, 'unknown');
  t.equal(classify(t, { ...base, igdExternalIp: '<b>not an address</b>' }).kind, 'unknown');
  t.equal(classify(t, { ...base, agent: { addresses: ['133.1.2.3'], family: 'IPv4', ports: [1] } }).kind, 'unknown', 'the agent alone does not tell the router\'s side');
});

t.test('bounds: long facts stay inside the report\'s limits', async (t) => {
  const access = classify(t, { ...base, igdExternalIp: '133.1.2.3', ipv6Prefixes: Array.from({ length: 40 }, (_, i) => `2001:db8:${i.toString(16)}::/64`), agent: { addresses: Array.from({ length: 64 }, (_, i) => `133.1.2.${i}`), family: 'IPv4', ports: Array.from({ length: 64 }, (_, i) => 1000 + i) } });
  t.ok(access.evidence.length <= 32);
  t.ok((access.ipv6Prefixes ?? []).length <= 16);
});


// The access rules on hand-built observations: what each line kind means for the router's mappings, with stable ids.
const accessObservation = (access: Access): Observation => ({ probe: 'access', kind: 'access', subject: 'wan', at, data: access });
const gatewayObservation = (data: ReturnType<typeof gateway>): Observation => ({ probe: 'upnp-igd', kind: 'gateway', subject: data.location, at, data });
const mapE = (trusted: boolean): Access => ({
  kind: 'map-e',
  summary: 'MAP-E (v6plus): shared.',
  evidence: [{ source: 'map-e-rule', value: 'v6plus' }],
  ipv4: '106.72.18.52',
  portSet: { rule: 'v6plus', service: 'v6plus', psidOffset: 4, psidLength: 8, psid: 52, ranges: [{ from: 4928, to: 4943 }], size: 240, trusted, ...(trusted ? {} : { reason: 'no vantage agent' }) },
});
const router = gateway([mapping(4930), mapping(8080), mapping(3074, { protocol: 'UDP' })], { udn: 'uuid:router-1' });
const other = gateway([mapping(8080)], { udn: 'uuid:router-2', location: 'http://192.168.1.2:5000/rootDesc.xml', address: '192.168.1.2' });

t.test('MAP-E: each mapping outside the set is a low finding; the line an info one', async (t) => {
  const findings = accessRules([accessObservation(mapE(true)), gatewayObservation(router)]);
  t.same(findings.map((finding) => [finding.rule, finding.severity]), [['access-line', 'info'], ['access-mapping-outside-port-set', 'low'], ['access-mapping-outside-port-set', 'low']]);
  t.match(findings[1]?.id, /^access-mapping-outside-port-set-udn-[0-9a-f]{8}-tcp-8080$/);
  t.match(findings[2]?.id, /-udp-3074$/);
  t.match(findings[1]?.title, /^TCP 8080 cannot be reached from the internet on this line \(outside this home's port set\)$/);
  t.equal(findings[0]?.id, 'access-line-map-e');
});

t.test('ids do not depend on the order routers answered in', async (t) => {
  const ids = (observations: Observation[]): string[] => accessRules(observations).map((finding) => finding.id).sort();
  t.same(ids([accessObservation(mapE(true)), gatewayObservation(router), gatewayObservation(other)]), ids([accessObservation(mapE(true)), gatewayObservation(other), gatewayObservation(router)]));
});

t.test('an unconfirmed set still names the dead mappings, and says the set is only computed', async (t) => {
  const findings = accessRules([accessObservation(mapE(false)), gatewayObservation(router)]);
  t.match(findings[1]?.description, /computed from the IPv6 prefix, not confirmed by a vantage agent/);
});

t.test('DS-Lite and CGNAT: one info finding per router with mappings', async (t) => {
  for (const kind of ['ds-lite', 'cgnat'] as const) {
    const findings = accessRules([accessObservation({ kind, summary: 's', evidence: [] }), gatewayObservation(router), gatewayObservation(gateway([], { udn: 'uuid:empty', location: 'http://192.168.1.3:5000/d.xml', address: '192.168.1.3' }))]);
    t.same(findings.map((finding) => [finding.rule, finding.severity]), [['access-line', 'info'], ['access-mappings-no-inbound-ipv4', 'info']], kind);
    t.equal(findings[1]?.evidence.length, 3);
  }
});

t.test('public IPv4 names the line; unknown says nothing; no access observation, no finding', async (t) => {
  t.same(accessRules([accessObservation({ kind: 'public-ipv4', summary: 's', evidence: [] }), gatewayObservation(router)]).map((finding) => finding.id), ['access-line-public-ipv4']);
  t.same(accessRules([accessObservation({ kind: 'unknown', summary: 's', evidence: [] })]), []);
  t.same(accessRules([gatewayObservation(router)]), []);
  t.ok(evaluateRules([accessObservation(mapE(true)), gatewayObservation(router)]).some((finding) => finding.rule === 'access-line'), 'registered with the other rule families');
});
