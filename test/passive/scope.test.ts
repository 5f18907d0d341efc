// Issue 16, item 4: only the WAN IPv4 address is ever sent, only a public one; and on shared addresses (MAP-E,
// DS-Lite, CGNAT) what Shodan saw is labelled for whom it is, never a finding about this home.
import t from 'tap';
import type { Access, ExposureReport } from '../../src/core/report.generated.js';
import { render } from '../../src/report/render.js';
import { gateway, mapping } from '../support/scenarios.js';
import { startFakeInternetDb, type FakeInternetDb } from '../support/fake-internetdb.js';
import { agentView, passiveScan, PUBLIC_WAN } from './harness.js';

async function fakeAnsweringAll(ports: number[], vulns: string[] = []): Promise<FakeInternetDb> {
  const server = await startFakeInternetDb({ answers: { '*': { status: 200, body: { cpes: [], hostnames: [], ip: '', ports, tags: [], vulns } } } });
  t.teardown(() => server.close());
  return server;
}

const passiveIds = (report: ExposureReport): string[] => report.findings.filter((finding) => finding.rule.startsWith('passive-')).map((finding) => finding.id).sort();

/** v6plus-like: PSID offset 4, length 8, PSID 0x34: 15 blocks of 16 ports, the first 0x1340-0x134f (4928-4943). */
function mapE(trusted: boolean): Access {
  const ranges = Array.from({ length: 15 }, (_, index) => ({ from: ((index + 1) << 12) | (0x34 << 4), to: (((index + 1) << 12) | (0x34 << 4)) + 15 }));
  return {
    kind: 'map-e',
    summary: 'This IPv4 address is shared (MAP-E); this home owns 240 ports of it.',
    evidence: [{ source: 'map-e-rule', value: 'v6plus' }],
    ipv4: PUBLIC_WAN,
    portSet: { rule: 'v6plus', psidOffset: 4, psidLength: 8, psid: 0x34, ranges, size: 240, trusted, ...(trusted ? {} : { reason: 'no source port observed' }) },
  };
}

t.test('never a private, carrier-grade NAT or reserved address, nor one a device named elsewhere', async (t) => {
  for (const externalIp of ['192.168.0.2', '100.64.1.1', '203.0.113.7', '127.0.0.1', '0.0.0.0']) {
    const server = await fakeAnsweringAll([80]);
    // A mapping's remote host and client are addresses too: never candidates.
    const report = await passiveScan({ gateways: [gateway([mapping(8080, { remoteHost: '8.8.8.8' })], { externalIp })], options: { passive: ['internetdb'], passiveEndpoint: server.url } });
    t.same(server.requests, [], `${externalIp}: nothing sent`);
    t.equal(report.coverage.passive?.status, 'skipped');
    t.equal(report.coverage.passive?.reason?.code, 'EXP_ERR_PASSIVE_NO_ADDRESS');
  }
  const server = await fakeAnsweringAll([80]);
  const reservedAgent = { ...agentView({}), address: '198.51.100.9' };
  await passiveScan({ wan: reservedAgent, options: { passive: ['internetdb'], passiveEndpoint: server.url } });
  t.same(server.requests, [], 'the agent seeing a reserved address: nothing sent');
});

t.test("the agent's view of the address first, else the router's; one or the other, never both", async (t) => {
  const server = await fakeAnsweringAll([]);
  await passiveScan({ wan: agentView({}), gateways: [gateway([], { externalIp: '11.22.33.99' })], options: { passive: ['internetdb'], passiveEndpoint: server.url } });
  t.same(server.requests, [`/${PUBLIC_WAN}`]);
  const igdOnly = await fakeAnsweringAll([8080]);
  const report = await passiveScan({ gateways: [gateway([], { externalIp: '11.22.33.99' })], options: { passive: ['internetdb'], passiveEndpoint: igdOnly.url } });
  t.same(igdOnly.requests, ['/11.22.33.99']);
  t.match(render(report, 'text'), "(the router's external address)");
  t.ok(passiveIds(report).includes('passive-ports-not-checked'), 'no outside view: nothing is "closed now", the ports are "not checked"');
  t.notOk(passiveIds(report).some((id) => id.startsWith('passive-port-closed-now')));
  const two = await fakeAnsweringAll([]);
  await passiveScan({ gateways: [gateway([], { externalIp: '11.22.33.98' }), gateway([], { externalIp: '11.22.33.99', location: 'http://192.168.1.2:5000/rootDesc.xml', address: '192.168.1.2' })], options: { passive: ['internetdb'], passiveEndpoint: two.url } });
  t.same(two.requests, [], 'two routers telling two public addresses: which one the internet sees is unknown, nothing sent');
});

t.test("MAP-E: only ports in this home's set count; the others are other subscribers', never findings", async (t) => {
  // 4930 is in this home's set; 8080 and 22 are other subscribers' ports on the shared address.
  const server = await fakeAnsweringAll([22, 4930, 8080], ['CVE-2020-2509']);
  const report = await passiveScan({ wan: agentView({ 4930: 'closed', 8080: 'closed' }), access: mapE(true), options: { passive: ['internetdb'], passiveEndpoint: server.url } });
  t.same(passiveIds(report), ['passive-port-closed-now-tcp-4930'], 'the vulns of a shared address are not this home\'s either');
  const text = render(report, 'text');
  t.match(text, 'Other subscribers on this shared address (not this home\'s ports, not findings): 22, 8080');
  t.match(text, "Open at Shodan's last crawl, closed now: 4930/tcp (closed now)");
  t.match(text, 'shared with other subscribers (MAP-E)');
  t.match(text, "on a shared address they may be another subscriber's");
});

t.test('MAP-E with an untrusted port set: nothing can be attributed, no finding', async (t) => {
  const server = await fakeAnsweringAll([22, 4930, 8080]);
  const report = await passiveScan({ wan: agentView({ 4930: 'closed' }), access: mapE(false), options: { passive: ['internetdb'], passiveEndpoint: server.url } });
  t.same(passiveIds(report), []);
  t.match(render(report, 'text'), 'Ports Shodan lists on this shared address (not attributed to this home): 22, 4930, 8080');
});

for (const kind of ['ds-lite', 'cgnat'] as const) {
  t.test(`${kind}: the provider's shared address, said so, no finding`, async (t) => {
    const server = await fakeAnsweringAll([80, 443], ['CVE-2020-2509']);
    const access: Access = { kind, summary: 'No inbound IPv4 on this line.', evidence: [{ source: 'agent-address', value: PUBLIC_WAN }], ipv4: PUBLIC_WAN };
    const report = await passiveScan({ wan: agentView({ 80: 'filtered' }), access, options: { passive: ['internetdb'], passiveEndpoint: server.url } });
    t.same(passiveIds(report), []);
    t.match(render(report, 'text'), "the IPv4 address is the provider's, shared by many customers");
  });
}
