// The access probe in a real scan: a fake IGD on loopback (test/support/fake-igd.ts), the stand-in agent
// (test/access/stand-in-agent.ts, the whoami and scan contracts), this host's interfaces as recorded ones. The
// stand-in plays the provider's NAT (the address it reports, the source ports it translates to).
import t, { type Test } from 'tap';
import { runScan, PROBES } from '../../src/scan/run-scan.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { render } from '../../src/report/render.js';
import { judgeAgain } from '../../src/diff/rejudge.js';
import { createAccessProbe } from '../../probes/access/index.js';
import type { InterfaceTable } from '../../probes/access/ipv6.js';
import { inPortSet } from '../../src/net/map-e-port-set.js';
import { startFakeIgd, type FakeMapping } from '../support/fake-igd.js';
import { startStandInAgent, type StandInOptions } from './stand-in-agent.js';
import type { AddressInfo } from 'node:net';
import { buildAgent } from '../../src/server/agent/app.js';
import { requestWhoami } from '../../src/net/vantage-whoami.js';
import { recordingEngine } from '../support/recording-engine.js';

const TOKEN = 'a'.repeat(43);
const V6PLUS_HOST: InterfaceTable = {
  eth0: [
    { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
    { address: '240b:10:1234:3400:5054:ff:fe00:1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '240b:10:1234:3400:5054:ff:fe00:1/64', scopeid: 0 },
    { address: 'fe80::5054:ff:fe00:1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::5054:ff:fe00:1/64', scopeid: 2 },
  ],
};
const PLAIN_HOST: InterfaceTable = { eth0: V6PLUS_HOST.eth0?.slice(0, 1) ?? [] };
const SET = { psidOffset: 4, psidLength: 8, psid: 52 };
const MAPPINGS: FakeMapping[] = [
  { protocol: 'TCP', externalPort: 4930, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS, in the set' },
  { protocol: 'TCP', externalPort: 8080, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS, outside the set' },
];

async function scan(t: Test, setup: { externalIp: string; host: InterfaceTable; agent?: Omit<StandInOptions, 'token'>; ports?: string; vantage?: boolean; mappings?: FakeMapping[] }) {
  const igd = await startFakeIgd({ externalIp: setup.externalIp, mappings: setup.mappings ?? MAPPINGS });
  t.teardown(igd.close);
  const agent = await startStandInAgent({ token: TOKEN, ...setup.agent });
  t.teardown(agent.close);
  // Every probe (the report needs their fields); the mappings point at 127.0.0.1 so nothing leaves loopback.
  const probes = PROBES.map((probe) =>
    probe.id === 'access' ? { ...probe, load: () => Promise.resolve(createAccessProbe({ interfaces: () => setup.host })) } : probe,
  );
  const report = await runScan(buildScanOptions({ gatewayUrl: igd.url, ...(setup.vantage === false ? {} : { vantageUrl: agent.url, vantageToken: TOKEN }), ports: setup.ports ?? '80,4931,9030', timeoutSeconds: 20 }), undefined, probes);
  return { report, agent };
}

t.test('MAP-E, confirmed: the agent is asked only this home\'s ports, with the set; a mapping outside it is a low finding', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '106.72.18.52', host: V6PLUS_HOST, agent: { address: '106.72.18.52', natPort: (_port, connection) => 4928 + connection } });
  t.equal(report.access?.kind, 'map-e');
  t.match(report.access?.portSet, { rule: 'v6plus', psid: 52, size: 240, trusted: true, ipv4: '106.72.18.52' });
  t.same(report.access?.ipv6Prefixes, ['240b:10:1234:3400::/64']);
  t.equal(agent.scanRequests.length, 1);
  const request = agent.scanRequests[0];
  t.same(request?.portSet, SET, 'the request carries the set');
  t.equal(request?.ports, '4930-4931,9030', '80 and 8080 (another home\'s) are not asked');
  t.equal(request?.udp, false, 'UDP 1900/5351 lie outside every set');
  if (request?.igd) t.ok(inPortSet(SET, request.igd.port), 'the IGD control port is asked only inside the set');
  t.match(report.coverage.outside, { status: 'complete', scope: { portsInScope: 3, portsOutOfScope: 2 } });
  t.match(report.coverage.outside.scope?.description, /3 of the 5 asked ports lie in it/);
  t.ok(report.findings.some((finding) => finding.id === 'access-line-map-e' && finding.severity === 'info'));
  const outside = report.findings.filter((finding) => finding.rule === 'access-mapping-outside-port-set');
  t.equal(outside.length, 1);
  t.match(outside[0], { severity: 'low', title: /TCP 8080 cannot be reached from the internet on this line \(outside this home's port set\)/, id: /^access-mapping-outside-port-set-udn-[0-9a-f]{8}-tcp-8080$/ });
  // The mapping to another home's port is not a door of this one: no critical "reachable unless dropped" for it.
  const mapping8080 = report.findings.find((finding) => finding.rule === 'upnp-mapping' && finding.id.endsWith('tcp-8080'));
  t.equal(mapping8080?.severity, 'high', 'a permanent forward of a sensitive port (critical) one step down, as behind double NAT: unreachable today, a door the day the line changes');
  t.match(mapping8080?.description, /cannot be reached from the internet on this line: port 8080 is outside this home's MAP-E port set/);
  t.notOk(report.findings.some((finding) => finding.severity === 'critical' && /8080/.test(finding.title)), report.findings.map((finding) => `${finding.id} ${finding.severity}`).join(', '));
  const text = render(report, 'text');
  t.match(text, /Line {2}MAP-E \(v6plus\), this home's 240 ports: 4928-4943, 9024-9039, 13120-13135, \.\.\. \(15 ranges\)/);
  t.match(render(report, 'html'), /access-evidence/);
});

t.test('MAP-E, not confirmed (the agent saw a port outside the set): no IPv4 scan, and the report says why', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '106.72.18.52', host: V6PLUS_HOST, agent: { address: '106.72.18.52', natPort: (_port, connection) => 50000 + connection } });
  t.equal(report.access?.portSet?.trusted, false);
  t.equal(agent.scanRequests.length, 0, 'nothing asked');
  t.equal(report.wan.vantage, 'none');
  t.match(report.wan.reason, /shared MAP-E IPv4 address was not scanned: this home's port set is not confirmed/);
  t.match(report.coverage.outside, { status: 'skipped', reason: { code: 'EXP_ERR_ACCESS_SHARED_ADDRESS' }, scope: { portsInScope: 0, portsOutOfScope: 5 } });
});

t.test('MAP-E without --vantage: no scan from inside (it would leave the home for other subscribers)', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '106.72.18.52', host: V6PLUS_HOST, vantage: false });
  t.equal(agent.whoamiCalls.length + agent.scanRequests.length, 0);
  t.equal(report.wan.vantage, 'none');
  t.match(report.access?.portSet?.reason, /no vantage agent/);
  t.equal(report.coverage.outside.status, 'skipped');
});

t.test('DS-Lite (the router reports the B4 192.0.0.2): no scan request at all, the outside view says why', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '192.0.0.2', host: PLAIN_HOST, agent: { address: '133.5.6.7' } });
  t.equal(report.access?.kind, 'ds-lite');
  t.equal(agent.whoamiCalls.length, 4, 'whoami only');
  t.equal(agent.scanRequests.length, 0, 'the agent stand-in saw no scan request');
  t.match(report.wan.reason, /inbound IPv4 cannot reach this home on this line; IPv6 is what matters/);
  t.match(report.coverage.outside, { status: 'not-applicable', requested: true, reason: { code: 'EXP_ERR_ACCESS_NO_INBOUND_IPV4' }, scope: { description: /^Nothing: on DS-Lite/ } });
  t.equal(report.coverage.complete, true, 'a view the line leaves nothing to look at does not make every scan incomplete');
  t.notMatch(render(report, 'text'), /INCOMPLETE/);
  t.ok(report.findings.some((finding) => finding.rule === 'access-mappings-no-inbound-ipv4' && finding.severity === 'info'));
  t.notOk(report.findings.some((finding) => finding.rule === 'access-mapping-outside-port-set'));
});

t.test('CGNAT seen only by the agent (the router says public, the agent sees another address): no scan', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '133.1.2.3', host: PLAIN_HOST, agent: { address: '133.9.9.9' } });
  t.equal(report.access?.kind, 'cgnat');
  t.equal(agent.scanRequests.length, 0);
  t.equal(report.coverage.outside.reason?.code, 'EXP_ERR_ACCESS_NO_INBOUND_IPV4');
  t.equal(report.coverage.outside.status, 'not-applicable');
});

t.test('public IPv4: the outside view is as before (every asked port, UDP, no set)', async (t) => {
  const { report, agent } = await scan(t, { externalIp: '133.1.2.3', host: PLAIN_HOST, agent: { address: '133.1.2.3' } });
  t.equal(report.access?.kind, 'public-ipv4');
  t.equal(agent.scanRequests.length, 1);
  t.equal(agent.scanRequests[0]?.portSet, undefined);
  t.equal(agent.scanRequests[0]?.udp, true);
  t.equal(agent.scanRequests[0]?.ports, '80,4930-4931,8080,9030');
  t.equal(report.coverage.outside.scope, undefined);
  t.equal(report.coverage.outside.status, 'complete');
});


t.test('a home NAT handing out ports in sequence: refused once as "one 16-port block", sixteen more connections, asked again', async (t) => {
  // The real agent's refusal texts (src/server/agent/scan-plan.ts), as a NAT counting up by one triggers the first.
  const oneBlock = { status: 403, code: 'EXP_ERR_AGENT_ADDRESS_SHARED', message: 'Not scanned: the source ports this agent saw from 133.1.2.3 (40001, 40002, 40003, 40004) all fall in one 16-port block of a MAP-E port set (a=4, k=8, PSID 113): the address may be shared' };
  const { report, agent } = await scan(t, { externalIp: '133.1.2.3', host: PLAIN_HOST, agent: { address: '133.1.2.3', scanRefusals: [oneBlock] } });
  t.equal(agent.whoamiCalls.length, 4 + 16, 'the access probe\'s four, then sixteen more');
  t.equal(agent.scanRequests.length, 2, 'asked again after them');
  t.equal(report.coverage.outside.status, 'complete');

  const shared = { ...oneBlock, message: 'Not scanned: the source ports this agent saw from 133.1.2.3 (4928, 9024, 13120, 17216) all fall in one MAP-E port set (a=4, k=8, PSID 52) across several of its blocks: the address is shared' };
  const refused = await scan(t, { externalIp: '133.1.2.3', host: PLAIN_HOST, agent: { address: '133.1.2.3', scanRefusals: [shared] } }).then(
    () => undefined,
    (error: unknown) => error,
  );
  t.match(refused, { code: 'EXP_ERR_VANTAGE', message: /EXP_ERR_AGENT_ADDRESS_SHARED\): .*across several of its blocks/ }, 'a shared address stays refused: the user must act (send the port set)');
});

t.test('a stored report judged again keeps the line, its scope and its findings (rejudge replays them)', async (t) => {
  for (const [externalIp, host, natPort] of [['192.0.0.2', PLAIN_HOST, undefined], ['106.72.18.52', V6PLUS_HOST, (_port: number, connection: number) => 4928 + connection]] as const) {
    const { report } = await scan(t, { externalIp, host, agent: { address: externalIp, ...(natPort ? { natPort } : {}) } });
    const again = judgeAgain(report, buildScanOptions({ vantageUrl: 'http://127.0.0.1:1', vantageToken: TOKEN, ports: '80,4931,9030' }));
    t.same(again.access, report.access, externalIp);
    t.same(again.coverage.outside, report.coverage.outside, externalIp);
    t.same(again.findings.map((finding) => finding.id).filter((id) => id.startsWith('access-')).sort(), report.findings.map((finding) => finding.id).filter((id) => id.startsWith('access-')).sort(), externalIp);
  }
});

// The same against the real agent (merged from i16-agent), with a recording engine that scans nothing.
const REAL_TOKEN = 'r'.repeat(43);

async function realAgent(t: Test): Promise<{ url: string; targets: string[] }> {
  const recording = recordingEngine();
  const app = await buildAgent({ token: REAL_TOKEN, engine: () => Promise.resolve(recording.engine) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, targets: recording.targets };
}

const host = (ipv6: boolean): InterfaceTable => ({
  eth0: [
    { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
    ...(ipv6 ? [{ address: '240b:10:1234:3400::20', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '240b:10:1234:3400::20/64', scopeid: 0 }] : []),
  ],
});

async function scanReal(t: Test, externalIp: string, ipv6: boolean) {
  const agent = await realAgent(t);
  const igd = await startFakeIgd({ externalIp, mappings: [{ protocol: 'TCP', externalPort: 4930, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS' }] });
  t.teardown(igd.close);
  const probes = PROBES.map((probe) => (probe.id === 'access' ? { ...probe, load: () => Promise.resolve(createAccessProbe({ interfaces: () => host(ipv6) })) } : probe));
  const report = await runScan(buildScanOptions({ gatewayUrl: igd.url, vantageUrl: agent.url, vantageToken: REAL_TOKEN, ports: '80', timeoutSeconds: 20 }), undefined, probes);
  return { report, targets: agent.targets };
}

t.test('whoami: four answers on four connections, the address and the ports as the real agent saw them', async (t) => {
  const agent = await realAgent(t);
  const result = await requestWhoami(agent.url, REAL_TOKEN, { signal: new AbortController().signal, timeoutMs: 5000 });
  t.same(result.addresses, ['127.0.0.1']);
  t.equal(result.family, 'IPv4');
  t.equal(result.answered, 4);
  t.ok(result.ports.length >= 4, 'four distinct source ports (one per connection)');
  await t.rejects(requestWhoami(agent.url, 'x'.repeat(43), { signal: new AbortController().signal, timeoutMs: 5000 }), { code: 'EXP_ERR_VANTAGE', httpStatus: 401 });
});

t.test('DS-Lite: the real agent is never asked to scan', async (t) => {
  const { report, targets } = await scanReal(t, '192.0.0.2', false);
  t.equal(report.access?.kind, 'ds-lite');
  t.same(targets, []);
  t.equal(report.coverage.outside.reason?.code, 'EXP_ERR_ACCESS_NO_INBOUND_IPV4');
});

t.test('a MAP-E prefix whose set the real agent\'s ports contradict: never asked to scan', async (t) => {
  const { report, targets } = await scanReal(t, '106.72.18.52', true);
  t.equal(report.access?.kind, 'map-e');
  t.equal(report.access?.portSet?.trusted, false);
  t.match(report.access?.portSet?.reason, /the agent sees 127\.0\.0\.1, the rule gives 106\.72\.18\.52|outside the computed set/);
  t.same(targets, []);
});

t.test('a line the probe cannot tell: scanned as before', async (t) => {
  const { report, targets } = await scanReal(t, '127.0.0.1', false);
  t.equal(report.access?.kind, 'unknown');
  t.same(targets, ['127.0.0.1']);
  t.equal(report.wan.vantage, 'agent');
});
