// Both engines scan an IPv6 address (issue 16): the connect engine with its banners, nmap with -6, and the nmap
// XML parser reads the host by its ipv6 address record whatever the spelling. Every scan here targets ::1 only,
// and only ports of listeners this file starts.
import t, { type Test } from 'tap';
import net from 'node:net';
import { connectEngine } from '../../src/net/portscan/connect.js';
import { findNmap, nmapArguments, nmapEngine } from '../../src/net/portscan/nmap.js';
import { parseNmapXml } from '../../src/net/portscan/nmap-xml.js';
import { scanTarget } from '../../src/net/portscan/target.js';

const nmap = await findNmap();
const skip = nmap === undefined ? 'nmap is not installed (apt install nmap)' : false;

async function listener(t: Test, greet: string | undefined): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    if (greet !== undefined) socket.end(greet);
  });
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return port;
}

/** A port that was just free on ::1: a listener opened and closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('a scan target is one literal, IPv6 canonical', async (t) => {
  t.same(scanTarget('2001:DB8:0:0::1'), { address: '2001:db8::1', family: 6 });
  t.same(scanTarget('192.0.2.1'), { address: '192.0.2.1', family: 4 });
  for (const bad of ['fe80::1%eth0', '::ffff:192.0.2.1', '::ffff:c000:201', '2001:db8::/64', '[::1]', 'example.com', '', 42]) t.equal(scanTarget(bad), undefined, String(bad));
});

t.test('the connect engine scans ::1: open with its banner, closed', async (t) => {
  const open = await listener(t, 'SSH-2.0-test\r\n');
  const closed = await closedPort();
  const ports = [open, closed].sort((a, b) => a - b);
  const result = await connectEngine.scan({ target: '0:0:0:0:0:0:0:1', ports, timeoutMs: 10_000, serviceDetection: true });
  t.equal(result.target, '::1', 'the canonical address');
  const byPort = new Map(result.ports.map((entry) => [entry.port, entry]));
  t.match(byPort.get(open), { state: 'open', banner: 'SSH-2.0-test\\r\\n' });
  t.match(byPort.get(closed), { state: 'closed' });
});

t.test('nmap gets -6 for an IPv6 target, the target last after --', async (t) => {
  const args = nmapArguments({ target: '2001:db8::1', ports: [80], timeoutMs: 1000 });
  t.same(args.slice(-3), ['-6', '--', '2001:db8::1']);
  t.notOk(nmapArguments({ target: '192.0.2.1', ports: [80], timeoutMs: 1000 }).includes('-6'));
});

t.test('nmap scans ::1 with -6', { skip }, async (t) => {
  const open = await listener(t, undefined);
  const closed = await closedPort();
  const ports = [open, closed].sort((a, b) => a - b);
  const result = await nmapEngine.scan({ target: '::0:1', ports, timeoutMs: 20_000 });
  t.equal(result.target, '::1');
  t.ok(result.command?.includes('-6'));
  const byPort = new Map(result.ports.map((entry) => [entry.port, entry.state]));
  t.equal(byPort.get(open), 'open');
  t.equal(byPort.get(closed), 'closed');
});

const xml = (address: string, type: string): string =>
  `<?xml version="1.0"?><nmaprun scanner="nmap" version="7.93"><host><status state="up"/><address addr="${address}" addrtype="${type}"/>` +
  '<ports><port protocol="tcp" portid="80"><state state="open"/></port></ports></host><runstats><finished exit="success"/></runstats></nmaprun>';

t.test('the XML parser finds an IPv6 host by value, never by an ipv4 record or a MAC', async (t) => {
  t.equal(parseNmapXml(xml('2001:db8::1', 'ipv6'), { target: '2001:DB8:0::1', ports: [80] }).host, 'found', 'another spelling of the same address');
  t.equal(parseNmapXml(xml('2001:db8::2', 'ipv6'), { target: '2001:db8::1', ports: [80] }).host, 'missing', 'another address');
  t.equal(parseNmapXml(xml('::ffff:127.0.0.1', 'ipv6'), { target: '127.0.0.1', ports: [80] }).host, 'missing', 'an ipv6 record is not the IPv4 target');
  t.equal(parseNmapXml(xml('127.0.0.1', 'ipv4'), { target: '::ffff:127.0.0.1', ports: [80] }).host, 'missing');
  t.equal(parseNmapXml(xml('00:11:22:33:44:55', 'mac'), { target: '::1', ports: [80] }).host, 'missing');
  t.equal(parseNmapXml(xml('not an address', 'ipv6'), { target: '::1', ports: [80] }).host, 'missing');
});
