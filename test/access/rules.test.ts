// The access rules on hand-built observations (test/support/scenarios.ts shapes): what each line kind means for the
// router's mappings, with stable ids.
import t from 'tap';
import type { Observation } from '../../src/core/observation.js';
import type { Access } from '../../src/core/report.generated.js';
import { accessRules } from '../../src/rules/access.js';
import { evaluateRules } from '../../src/rules/index.js';
import { at, gateway, mapping } from '../support/scenarios.js';

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
