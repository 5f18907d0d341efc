// Which IPv6 addresses the internet can reach (2000::/3), and how the LAN's list is joined from this host's tables.
import type os from 'node:os';
import t from 'tap';
import { canonicalIpv6, classifyIpv6, documentationPrefixesAllowed, ipv6Groups, isEui64, prefix64 } from '../../probes/ipv6-lan/address.js';
import { collectAddresses, MAX_ADDRESSES } from '../../probes/ipv6-lan/collect.js';
import type { Neighbour } from '../../src/net/neighbours.js';

t.test('classification', async (t) => {
  const cases: Array<[string, string, boolean?]> = [
    ['2400:4050:1:2::20', 'global'],
    ['2408:8000::1', 'global'],
    ['3ffe::1', 'global'],
    ['2002:c000:204::1', 'other'],
    ['2001::1', 'other'],
    ['2001:1ff::1', 'other'],
    ['2001:200::1', 'global'],
    ['2001:db8::1', 'documentation'],
    ['2001:DB8:ffff::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['3fff:0fff::1', 'documentation'],
    ['3fff:1000::1', 'global'],
    ['2001:db8::1', 'global', true],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fe80::1%eth0', 'invalid'],
    ['fd00::2', 'ula'],
    ['fc00::1', 'ula'],
    ['ff02::1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:192.0.2.1', 'ipv4-mapped'],
    ['4000::1', 'other'],
    ['1fff::1', 'other'],
    ['192.0.2.1', 'invalid'],
    ['2001:db8::1:', 'invalid'],
    ['x'.repeat(50), 'invalid'],
  ];
  for (const [address, expected, allow] of cases) t.equal(classifyIpv6(address, allow ?? false).class, expected, `${address}${allow ? ' (documentation allowed)' : ''}`);
});

t.test('canonical text, /64 and EUI-64', async (t) => {
  t.equal(classifyIpv6('2001:0DB8:0000:0000:0001:0000:0000:0001', true).canonical, '2001:db8::1:0:0:1');
  t.equal(canonicalIpv6(ipv6Groups('2001:db8:0:0:1:0:0:1') ?? []), '2001:db8::1:0:0:1', 'the first of two equal zero runs');
  t.equal(canonicalIpv6(ipv6Groups('2001:db8:1:2:3:4:5:6') ?? []), '2001:db8:1:2:3:4:5:6');
  t.equal(canonicalIpv6(ipv6Groups('2001:db8:0:1:1:1:1:1') ?? []), '2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed');
  t.equal(ipv6Groups('2001:db8::1:2:3:4:5:6:7'), undefined, 'nine groups');
  t.equal(classifyIpv6('::ffff:192.0.2.1').canonical, '::ffff:c000:201');
  t.equal(prefix64('2001:db8:1:2:265e:beff:fe00:20'), '2001:db8:1:2::/64');
  t.equal(prefix64('nope'), undefined);
  t.ok(isEui64('2001:db8:1:2:265e:beff:fe00:20'));
  t.notOk(isEui64('2001:db8:1:2:a1b2:c3d4:e5f6:789'));
  t.ok(documentationPrefixesAllowed({ EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' }));
  t.notOk(documentationPrefixesAllowed({}));
});

const info = (address: string, family: 'IPv4' | 'IPv6', mac = '02:00:00:00:00:0a'): os.NetworkInterfaceInfo =>
  ({ address, family, mac, internal: false, netmask: family === 'IPv4' ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as os.NetworkInterfaceInfo;
const neighbour = (address: string, mac: string, router = false): Neighbour => ({ address, mac, interface: 'eth0', router, state: ['STALE'] });

t.test('the LAN list: this host first, then the NAS (joined by MAC), then the others; link-local, ULA and documentation dropped', async (t) => {
  const result = collectAddresses({
    interfaces: {
      lo: [{ ...info('::1', 'IPv6', '00:00:00:00:00:00'), internal: true }],
      eth0: [info('192.168.1.10', 'IPv4'), info('2001:db8:1:2::10', 'IPv6'), info('2001:db8:1:2:a1b2:c3d4:e5f6:789', 'IPv6'), info('fe80::a', 'IPv6'), info('fd00::10', 'IPv6')],
      other: [info('2001:db8:9::1', 'IPv6')],
    },
    only: 'eth0',
    neighbours6: [
      neighbour('2001:db8:1:2::30', '02:00:00:00:00:30'),
      neighbour('2001:db8:1:2:265e:beff:fe00:20', '24:5e:be:00:00:20'),
      neighbour('2001:db8:1:2:1111:2222:3333:4444', '24:5e:be:00:00:20'),
      neighbour('2001:db8:1:2::1', '02:00:00:00:00:01', true),
      neighbour('fe80::1', '02:00:00:00:00:01', true),
      neighbour('2001:DB8:1:2::30', '02:00:00:00:00:30'),
    ],
    neighbours4: [neighbour('192.168.1.20', '24:5e:be:00:00:20'), neighbour('192.168.1.1', '02:00:00:00:00:01')],
    temporary: new Set(['2001:db8:1:2:a1b2:c3d4:e5f6:789']),
    nasHosts: [{ ipv4: '192.168.1.20', vendor: 'QNAP', model: 'TS-453D' }],
    allowDocumentation: true,
  });
  t.same(result.addresses.map((entry) => [entry.address, entry.sources, entry.thisHost, entry.ipv4 ?? null, entry.nas?.vendor ?? null, entry.temporary, entry.router]), [
    ['2001:db8:1:2::10', ['interface'], true, '192.168.1.10', null, false, false],
    ['2001:db8:1:2:a1b2:c3d4:e5f6:789', ['interface'], true, '192.168.1.10', null, true, false],
    ['2001:db8:1:2:1111:2222:3333:4444', ['neighbour', 'nas-host'], false, '192.168.1.20', 'QNAP', null, false],
    ['2001:db8:1:2:265e:beff:fe00:20', ['neighbour', 'nas-host'], false, '192.168.1.20', 'QNAP', false, false],
    ['2001:db8:1:2::30', ['neighbour'], false, null, null, null, false],
    ['2001:db8:1:2::1', ['neighbour'], false, '192.168.1.1', null, null, true],
  ]);
  t.same(result.dropped, { linkLocal: 2, ula: 1, documentation: 0, other: 0 });
  t.equal(result.truncated, false);
  t.equal(result.addresses[0]?.prefix, '2001:db8:1:2::/64');

  const real = collectAddresses({ interfaces: { eth0: [info('2001:db8:1:2::10', 'IPv6')] }, neighbours6: [], neighbours4: [], temporary: new Set(), nasHosts: [], allowDocumentation: false });
  t.same(real.addresses, [], 'documentation prefixes are not global on a real network');
  t.equal(real.dropped.documentation, 1);
});

t.test('a flood of neighbours is cut at the limit, this host kept', async (t) => {
  const flood = Array.from({ length: 1000 }, (_, index) => neighbour(`2400:4050:1:2::${(index + 1).toString(16)}`, '02:00:00:00:00:99'));
  const result = collectAddresses({ interfaces: { eth0: [info('2400:4050:1:2:ffff::1', 'IPv6')] }, neighbours6: flood, neighbours4: [], temporary: new Set(), nasHosts: [], allowDocumentation: false });
  t.equal(result.addresses.length, MAX_ADDRESSES);
  t.equal(result.truncated, true);
  t.equal(result.addresses[0]?.thisHost, true);
});
