// The ipv6-lan probe as a scan runs it, with this machine's tables handed in (recorded shapes, or failures).
import type os from 'node:os';
import t from 'tap';
import { createIpv6LanProbe } from '../../probes/ipv6-lan/index.js';
import { PROBES } from '../../probes/registry.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import type { Observation } from '../../src/core/observation.js';
import type { ProbeContext } from '../../src/core/probe.js';
import { Scope } from '../../src/core/scope.js';
import type { IpRunner } from '../../src/net/neighbours.js';
import { checkObservations } from '../../src/scan/check-observations.js';

const at = '2026-01-01T00:00:00.000Z';
const ETH0: os.NetworkInterfaceInfo[] = [
  { address: '192.168.1.10', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:0a', internal: false, cidr: '192.168.1.10/24' },
  { address: '2001:db8:1:2::10', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:0a', internal: false, cidr: '2001:db8:1:2::10/64', scopeid: 0 },
  { address: '2001:db8:1:2:aaaa:bbbb:cccc:dddd', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:0a', internal: false, cidr: '2001:db8:1:2:aaaa:bbbb:cccc:dddd/64', scopeid: 0 },
];
const TABLES: Record<string, string> = {
  '-6 neigh': JSON.stringify([{ dst: '2001:db8:1:2:265e:beff:fe00:20', dev: 'eth0', lladdr: '24:5e:be:00:00:20', state: ['STALE'] }]),
  '-4 neigh': JSON.stringify([{ dst: '192.168.1.20', dev: 'eth0', lladdr: '24:5e:be:00:00:20', state: ['REACHABLE'] }]),
  '-6 addr': JSON.stringify([{ ifname: 'eth0', addr_info: [{ family: 'inet6', local: '2001:db8:1:2:aaaa:bbbb:cccc:dddd', temporary: true }, { family: 'inet6', local: '2001:db8:1:2::10' }] }]),
};
const recorded: IpRunner = async (args) => TABLES[`${args[1] ?? ''} ${args[2] ?? ''}`] ?? '';
const failing: IpRunner = async () => Promise.reject(Object.assign(new Error('spawn ip ENOENT'), { code: 'ENOENT' }));

const nasHost: Observation = {
  probe: 'qnap',
  kind: 'host',
  subject: '192.168.1.20',
  at,
  data: { address: '192.168.1.20', seenFrom: 'lan', reasons: ['nas-option'], services: [], device: { vendor: 'QNAP', os: 'QTS', model: 'TS-453D', confidence: 'high', firmware: null }, verdicts: [] } as unknown as Observation['data'],
} as Observation;

function context(observations: Observation[]): ProbeContext {
  return {
    options: { ...DEFAULT_SCAN_OPTIONS },
    scope: new Scope([{ interface: 'eth0', address: '192.168.1.10', cidr: '192.168.1.0/24' }]),
    observations,
    deadline: Date.now() + 10_000,
    signal: new AbortController().signal,
    progress: () => undefined,
    publish: () => undefined,
  };
}

const manifest = PROBES.find((probe) => probe.id === 'ipv6-lan');

t.test('this host, its temporary address, the NAS joined by MAC; data as the schema says', async (t) => {
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: recorded, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' } });
  const observations = await probe.run(context([nasHost]));
  if (manifest) await checkObservations(manifest, PROBES, observations);
  const addresses = observations.flatMap((observation) => (observation.kind === 'ipv6-address' ? [observation.data] : []));
  t.same(addresses.map((entry) => [entry.address, entry.thisHost, entry.temporary, entry.nas?.vendor ?? null, entry.ipv4 ?? null]), [
    ['2001:db8:1:2::10', true, false, null, '192.168.1.10'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', true, true, null, '192.168.1.10'],
    ['2001:db8:1:2:265e:beff:fe00:20', false, false, 'QNAP', '192.168.1.20'],
  ]);
  const inventory = observations.find((observation) => observation.kind === 'ipv6-inventory');
  t.match(inventory?.data, { neighbourTable: { status: 'read', entries: 1 }, nasHosts: { recognised: 1, withIpv6: 1 }, mdns: 'not-tried', warm: 'not-sent', documentationPrefixes: true, warnings: [] });
});

t.test('without documentation prefixes allowed, a 2001:db8:: lab LAN has no global address', async (t) => {
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: recorded, env: {} });
  const observations = await probe.run(context([nasHost]));
  t.equal(observations.filter((observation) => observation.kind === 'ipv6-address').length, 0);
});

t.test('no ip command: this host\'s own addresses, and a warning that says what is missing', async (t) => {
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: failing, env: { EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' } });
  const observations = await probe.run(context([]));
  if (manifest) await checkObservations(manifest, PROBES, observations);
  t.equal(observations.filter((observation) => observation.kind === 'ipv6-address').length, 2);
  const inventory = observations.find((observation) => observation.kind === 'ipv6-inventory');
  t.match(inventory?.data, { neighbourTable: { status: 'failed', error: 'ENOENT' }, warnings: [{ code: 'EXP_ERR_IPV6_NEIGHBOURS' }, { code: 'EXP_ERR_IPV6_NEIGHBOURS' }] });
});

t.test('a host without a global address of its own reads no table at all (and says nothing)', async (t) => {
  let calls = 0;
  const counting: IpRunner = async (args, options) => {
    calls++;
    return recorded(args, options);
  };
  const probe = createIpv6LanProbe({ interfaces: () => ({ eth0: ETH0 }), runIp: counting, env: {} });
  t.same(await probe.run(context([nasHost])), [], 'no address, no inventory: coverage.ipv6 tells "no global IPv6" when an outside view is asked');
  t.equal(calls, 0, 'no ip process started');
});
