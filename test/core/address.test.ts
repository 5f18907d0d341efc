import t from 'tap';
import { classifyIPv4, isInCidr, networkCidr } from '../../src/core/address.js';

t.test('classifies external addresses', async (t) => {
  const cases: Array<[string | null, string]> = [
    ['11.22.33.44', 'public'], ['8.8.8.8', 'public'], ['100.63.255.255', 'public'], ['100.128.0.0', 'public'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['172.32.0.1', 'public'],
    ['100.64.0.1', 'cgnat'], ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'reserved'], ['127.0.0.1', 'reserved'], ['169.254.1.1', 'reserved'], ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'], ['203.0.113.9', 'reserved'], ['224.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'],
    ['not-an-ip', 'unknown'], ['', 'unknown'], [null, 'unknown'], ['::1', 'unknown'], ['1.2.3.256', 'unknown'],
  ];
  for (const [address, expected] of cases) t.equal(classifyIPv4(address), expected, String(address));
});

t.test('subnets', async (t) => {
  t.equal(networkCidr('10.1.2.77', 24), '10.1.2.0/24');
  t.equal(networkCidr('192.168.5.200', 22), '192.168.4.0/22');
  t.ok(isInCidr('10.1.2.3', '10.1.2.0/24'));
  t.notOk(isInCidr('10.1.3.3', '10.1.2.0/24'));
  t.ok(isInCidr('1.2.3.4', '0.0.0.0/0'));
  t.notOk(isInCidr('x', '10.0.0.0/8'));
});
