// The whoami client and the outside view's consent against the real agent (merged from i16-agent), on loopback
// with a recording engine: it scans nothing and records every target it was asked to scan.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { buildAgent } from '../../src/server/agent/app.js';
import { requestWhoami } from '../../src/net/vantage-whoami.js';
import { runScan, PROBES } from '../../src/scan/run-scan.js';
import { buildScanOptions } from '../../src/scan/scan-choices.js';
import { createAccessProbe } from '../../probes/access/index.js';
import type { InterfaceTable } from '../../probes/access/ipv6.js';
import { startFakeIgd } from '../support/fake-igd.js';
import { recordingEngine } from '../support/recording-engine.js';

const TOKEN = 'r'.repeat(43);

async function realAgent(t: Test): Promise<{ url: string; targets: string[] }> {
  const recording = recordingEngine();
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(recording.engine) });
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

async function scan(t: Test, externalIp: string, ipv6: boolean) {
  const agent = await realAgent(t);
  const igd = await startFakeIgd({ externalIp, mappings: [{ protocol: 'TCP', externalPort: 4930, internalClient: '127.0.0.1', internalPort: 1, description: 'NAS' }] });
  t.teardown(igd.close);
  const probes = PROBES.map((probe) => (probe.id === 'access' ? { ...probe, load: () => Promise.resolve(createAccessProbe({ interfaces: () => host(ipv6) })) } : probe));
  const report = await runScan(buildScanOptions({ gatewayUrl: igd.url, vantageUrl: agent.url, vantageToken: TOKEN, ports: '80', timeoutSeconds: 20 }), undefined, probes);
  return { report, targets: agent.targets };
}

t.test('whoami: four answers on four connections, the address and the ports as the real agent saw them', async (t) => {
  const agent = await realAgent(t);
  const result = await requestWhoami(agent.url, TOKEN, { signal: new AbortController().signal, timeoutMs: 5000 });
  t.same(result.addresses, ['127.0.0.1']);
  t.equal(result.family, 'IPv4');
  t.equal(result.answered, 4);
  t.ok(result.ports.length >= 4, 'four distinct source ports (one per connection)');
  await t.rejects(requestWhoami(agent.url, 'x'.repeat(43), { signal: new AbortController().signal, timeoutMs: 5000 }), { code: 'EXP_ERR_VANTAGE', httpStatus: 401 });
});

t.test('DS-Lite: the real agent is never asked to scan', async (t) => {
  const { report, targets } = await scan(t, '192.0.0.2', false);
  t.equal(report.access?.kind, 'ds-lite');
  t.same(targets, []);
  t.equal(report.coverage.outside.reason?.code, 'EXP_ERR_ACCESS_NO_INBOUND_IPV4');
});

t.test('a MAP-E prefix whose set the real agent\'s ports contradict: never asked to scan', async (t) => {
  const { report, targets } = await scan(t, '106.72.18.52', true);
  t.equal(report.access?.kind, 'map-e');
  t.equal(report.access?.portSet?.trusted, false);
  t.match(report.access?.portSet?.reason, /the agent sees 127\.0\.0\.1, the rule gives 106\.72\.18\.52|outside the computed set/);
  t.same(targets, []);
});

t.test('a line the probe cannot tell: scanned as before', async (t) => {
  const { report, targets } = await scan(t, '127.0.0.1', false);
  t.equal(report.access?.kind, 'unknown');
  t.same(targets, ['127.0.0.1']);
  t.equal(report.wan.vantage, 'agent');
});
