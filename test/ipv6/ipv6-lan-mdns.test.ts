// The ipv6-lan probe with mDNS: the real query (src/net/mdns.ts), sent to a loopback responder that replays
// avahi-daemon's recorded answers instead of the multicast groups, on a made-up interface in the lab's addresses.
// The NAS is in no neighbour table: it is listed from mDNS alone, tied to the fingerprinted NAS by its A record.
import type os from 'node:os';
import t from 'tap';
import { createIpv6LanProbe } from '../../probes/ipv6-lan/index.js';
import { PROBES } from '../../probes/registry.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ProbeContext } from '../../src/core/probe.js';
import { Scope } from '../../src/core/scope.js';
import { mdnsQuery, MDNS_LIMITS, type MdnsQueryOptions } from '../../src/net/mdns.js';
import type { IpRunner } from '../../src/net/neighbours.js';
import { checkObservations } from '../../src/scan/check-observations.js';
import { assembleReport } from '../../src/report/build.js';
import { render } from '../../src/report/render.js';
import { judge } from '../../src/rules/judge.js';
import { testClock } from '../support/clock.js';
import { recorded, startResponder } from './mdns-responder.js';

const at = '2026-01-01T00:00:00.000Z';
const ETH0: os.NetworkInterfaceInfo[] = [
  { address: '10.1.2.10', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:0a', internal: false, cidr: '10.1.2.10/24' },
  { address: '2001:db8:1:2::10', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:0a', internal: false, cidr: '2001:db8:1:2::10/64', scopeid: 0 },
];
const emptyTables: IpRunner = async () => '[]';
const nasHost: Observation = {
  probe: 'qnap',
  kind: 'host',
  subject: '10.1.2.20',
  at,
  data: { address: '10.1.2.20', seenFrom: 'lan', reasons: ['nas-option'], services: [], device: { vendor: 'QNAP', os: 'QTS', model: 'TS-464C', confidence: 'high', firmware: null }, verdicts: [] } as unknown as Observation['data'],
} as Observation;

function context(observations: Observation[]): ProbeContext {
  return {
    options: { ...DEFAULT_SCAN_OPTIONS },
    scope: new Scope([{ interface: 'eth0', address: '10.1.2.10', cidr: '10.1.2.0/24' }]),
    observations,
    deadline: Date.now() + 10_000,
    signal: new AbortController().signal,
    progress: () => undefined,
    publish: () => undefined,
  };
}

/** The probe's options without the interface and its IPv4 address: nothing multicast, the loopback destination only. */
function loopbackOnly(options: MdnsQueryOptions): MdnsQueryOptions {
  const rest = { ...options };
  delete rest.interfaceName;
  delete rest.ipv4Address;
  return rest;
}

const manifest = PROBES.find((probe) => probe.id === 'ipv6-lan');

t.test('the NAS from mDNS alone: source mdns, its name and services, joined to the fingerprinted NAS by IPv4', async (t) => {
  const avahi = recorded();
  const responder = await startResponder(() => [avahi.ptrOverIpv4, avahi.ptrOverIpv6]);
  t.teardown(() => responder.close());
  const clock = testClock();
  let handled = 0;
  let both: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (both = resolve));
  const asked: MdnsQueryOptions[] = [];
  // Everything the probe asks for (interface, acceptance filters, window, signal) is kept; only the destination is
  // the loopback responder instead of 224.0.0.251 / ff02::fb%eth0, and the clock is the test's.
  const redirected = (options: MdnsQueryOptions): ReturnType<typeof mdnsQuery> => {
    asked.push(options);
    return mdnsQuery({ ...loopbackOnly(options), destinations: [{ address: '127.0.0.1', port: responder.port }], timers: clock, onPacket: () => ++handled >= 2 && both() });
  };
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: emptyTables, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' }, mdns: redirected });
  const running = probe.run(context([nasHost]));
  await answered;
  await clock.tick(MDNS_LIMITS.windowMs);
  const observations = await running;
  t.match(asked, [{ interfaceName: 'eth0', ipv4Address: '10.1.2.10', windowMs: MDNS_LIMITS.windowMs }], 'asked on the interface with the global address, from its IPv4 address');
  if (manifest) await checkObservations(manifest, PROBES, observations);
  const addresses = observations.flatMap((observation) => (observation.kind === 'ipv6-address' ? [observation.data] : []));
  const nas = addresses.find((entry) => entry.address === '2001:db8:1:2::20');
  t.match(nas, { sources: ['mdns', 'nas-host'], ipv4: '10.1.2.20', nas: { vendor: 'QNAP', model: 'TS-464C' }, interface: 'eth0', mdns: { name: 'labnas.local' } });
  t.same(nas?.mdns?.services.find((service) => service.type === '_qdiscover._tcp'), { type: '_qdiscover._tcp', instance: 'LabNAS', port: 8080, model: 'TS-X64', displayModel: 'TS-464C', fwVer: '5.2.9', fwBuildNum: '20240902' });
  const inventory = observations.find((observation) => observation.kind === 'ipv6-inventory')?.data as { mdns: string; mdnsQuery?: Record<string, unknown> } | undefined;
  t.equal(inventory?.mdns, 'answered');
  t.match(inventory?.mdnsQuery, { interfaces: ['eth0'], responders: 1, hosts: 1, addresses: 1, added: 1, dropped: 0, packetsIgnored: 0, followUp: false });

  const report = assembleReport({ startedAt: new Date(at), finishedAt: new Date(at), options: DEFAULT_SCAN_OPTIONS, observations, judgement: judge(observations, DEFAULT_SCAN_OPTIONS) });
  const text = render(report, 'text');
  t.match(text, /2001:db8:1:2::20 +mdns, nas-host +QNAP TS-464C NAS, labnas\.local, 10\.1\.2\.20/);
  // the text renderer wraps long lines: compare with the whitespace folded
  const folded = text.replace(/\s+/g, ' ');
  t.match(folded, /mDNS: _http\._tcp LabNAS :8080; _qdiscover\._tcp LabNAS :8080 \(TS-464C 5\.2\.9\)/);
  t.match(folded, /mDNS asked _qdiscover\._tcp, _http\._tcp, _smb\._tcp, _device-info\._tcp, _workstation\._tcp on eth0: 1 device answered, 1 host named, 1 global address in this LAN's \/64 \(1 not otherwise known\)/);
  const html = render(report, 'html');
  t.match(html, /mDNS asked _qdiscover\._tcp/);
});

t.test('nothing answers: no-answer, said in the section; no query at all without the dependency', async (t) => {
  const responder = await startResponder(() => []);
  t.teardown(() => responder.close());
  const clock = testClock();
  const redirected = (options: MdnsQueryOptions): ReturnType<typeof mdnsQuery> => {
    return mdnsQuery({ ...loopbackOnly(options), destinations: [{ address: '127.0.0.1', port: responder.port }], timers: clock });
  };
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: emptyTables, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' }, mdns: redirected });
  const running = probe.run(context([]));
  await responder.queried(1);
  await clock.tick(MDNS_LIMITS.windowMs);
  const observations = await running;
  if (manifest) await checkObservations(manifest, PROBES, observations);
  const report = assembleReport({ startedAt: new Date(at), finishedAt: new Date(at), options: DEFAULT_SCAN_OPTIONS, observations, judgement: judge(observations, DEFAULT_SCAN_OPTIONS) });
  t.match(render(report, 'text').replace(/\s+/g, ' '), /on eth0: no device answered within 1000 ms/);

  const without = await createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: emptyTables, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' } }).run(context([]));
  t.match(without.find((observation) => observation.kind === 'ipv6-inventory')?.data, { mdns: 'not-tried' });
});

t.test('the query cannot be sent: failed, with a warning that says what is missing', async (t) => {
  const failing = (): ReturnType<typeof mdnsQuery> => mdnsQuery({ timers: testClock() });
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: emptyTables, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' }, mdns: failing });
  const observations = await probe.run(context([]));
  if (manifest) await checkObservations(manifest, PROBES, observations);
  t.match(observations.find((observation) => observation.kind === 'ipv6-inventory')?.data, { mdns: 'failed', mdnsQuery: { error: /EXP_ERR_IPV6_MDNS|could not be sent/ }, warnings: [{ code: 'EXP_ERR_IPV6_MDNS' }] });
});
