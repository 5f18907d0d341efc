/**
 * Scope refusals without root and without a network: a Scope is built from synthetic local networks (it takes
 * them as an argument, so nothing here reads this machine's interfaces), and every check is a pure function of
 * its input. No test here opens a socket; test/core/scope-cli.test.ts runs the same refusals through the CLI.
 */
import t from 'tap';
import fc from 'fast-check';
import { Scope } from '../../src/core/scope.js';
import { isExposureError } from '../../src/core/errors.js';
import { parseDeviceDescription } from '../../src/net/igd-description.js';
import { myQnapCloudName, QNAP_DDNS_DOMAINS } from '../../src/qnap/myqnapcloud-name.js';
import { FUZZ } from '../support/fuzz.js';

const LAN = { interface: 'eth0', address: '192.168.1.10', cidr: '192.168.1.0/24' };
const scope = new Scope([LAN]);
/** TEST-NET-2: never a LAN here, and never contacted (nothing in this file opens a socket). */
const FOREIGN = '198.51.100.7';

function refusal(run: () => unknown): { code: string; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!isExposureError(error)) throw error;
    return { code: error.code, message: error.message };
  }
}

t.test('--gateway: LAN and loopback literals are accepted, and the URL returned names the host that was checked', async (t) => {
  for (const [raw, host] of [
    ['http://192.168.1.1:5000/rootDesc.xml', '192.168.1.1'],
    ['http://127.0.0.1:1/rootDesc.xml', '127.0.0.1'],
    // WHATWG URL turns these into dotted quads; the scope checks (and the probe then connects to) that form.
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://017700000001/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://3232235777:5000/rootDesc.xml', '192.168.1.1'],
    ['http://0xc0.0xa8.0x01.0x01/', '192.168.1.1'],
    ['http://192.168.1.1./', '192.168.1.1'],
  ] as const) {
    t.equal(scope.checkGatewayUrl(raw).hostname, host, raw);
  }
});

t.test('--gateway: every host off the local networks is refused with EXP_ERR_URL_NOT_ALLOWED, named as normalised', async (t) => {
  const cases: Array<[raw: string, checkedHost: string]> = [
    [`http://${FOREIGN}:5000/rootDesc.xml`, FOREIGN],
    ['http://192.168.2.1:5000/rootDesc.xml', '192.168.2.1'],
    ['http://10.0.0.1/', '10.0.0.1'],
    // DNS names: they could resolve anywhere.
    ['http://localhost:5000/rootDesc.xml', 'localhost'],
    ['http://router.lan/rootDesc.xml', 'router.lan'],
    ['http://192.168.1.1.nip.io/', '192.168.1.1.nip.io'],
    // Unspecified, broadcast and multicast addresses.
    ['http://0.0.0.0:5000/', '0.0.0.0'],
    ['http://0/', '0.0.0.0'],
    ['http://255.255.255.255/', '255.255.255.255'],
    ['http://224.0.0.1/', '224.0.0.1'],
    ['http://239.255.255.250:1900/', '239.255.255.250'],
    // IPv6 literals, IPv4-mapped ones included: the scope speaks IPv4 only.
    ['http://[::ffff:127.0.0.1]:5000/', '[::ffff:7f00:1]'],
    ['http://[::ffff:192.168.1.1]:5000/', '[::ffff:c0a8:101]'],
    ['http://[::1]:5000/', '[::1]'],
    ['http://[fe80::1]/', '[fe80::1]'],
    // Other spellings of a foreign IPv4 address: refused under the name URL parsing gives them.
    ['http://3325256711:5000/', FOREIGN],
    ['http://0xc6.0x33.0x64.0x07/', FOREIGN],
    ['http://0306.063.0144.07/', FOREIGN],
    ['http://198.51.100.7./', FOREIGN],
    // Userinfo tricks: the host is what follows the last @.
    [`http://127.0.0.1%2f@${FOREIGN}/`, FOREIGN],
    [`http://192.168.1.1:5000@${FOREIGN}/`, FOREIGN],
  ];
  for (const [raw, checkedHost] of cases) {
    const refused = refusal(() => scope.checkGatewayUrl(raw));
    t.equal(refused?.code, 'EXP_ERR_URL_NOT_ALLOWED', raw);
    t.match(refused?.message, `host ${checkedHost} is not on a network`, `${raw}: the message names the host as checked`);
  }
});

t.test('--gateway: other schemes and non-URLs are usage errors, refused before anything is sent', async (t) => {
  for (const raw of ['https://192.168.1.1/rootDesc.xml', 'ftp://192.168.1.1/', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://127.0.0.1/', 'gopher://127.0.0.1:5000/_', '192.168.1.1:5000/rootDesc.xml', 'not a url', '']) {
    t.equal(refusal(() => scope.checkGatewayUrl(raw))?.code, 'EXP_ERR_USAGE', JSON.stringify(raw));
  }
});

t.test('--gateway: credentials in the URL are refused', async (t) => {
  t.ok(refusal(() => scope.checkGatewayUrl('http://admin:secret@192.168.1.1:5000/rootDesc.xml')), 'refused');
});

t.test('--gateway: the broadcast and network addresses of a local subnet are refused', async (t) => {
  t.ok(refusal(() => scope.checkGatewayUrl('http://192.168.1.255/')), 'subnet broadcast');
  t.ok(refusal(() => scope.checkGatewayUrl('http://192.168.1.0/')), 'network address');
});

t.test('--gateway, property: any 32-bit number as a host is accepted exactly when its dotted quad is local', async () => {
  const dotted = (value: number): string => [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xc0a80100, max: 0xc0a801ff }), fc.integer({ min: 0x7f000000, max: 0x7fffffff })), fc.constantFrom('dec', 'hex', 'dotted'), (value, form) => {
      const host = form === 'dec' ? String(value) : form === 'hex' ? `0x${value.toString(16)}` : dotted(value);
      const refused = refusal(() => scope.checkGatewayUrl(`http://${host}:5000/rootDesc.xml`));
      if (scope.isLocal(dotted(value))) {
        if (refused) throw new Error(`${host} refused: ${refused.message}`);
        if (scope.checkGatewayUrl(`http://${host}:5000/rootDesc.xml`).hostname !== dotted(value)) throw new Error(`${host} not normalised`);
      } else if (refused?.code !== 'EXP_ERR_URL_NOT_ALLOWED' || !refused.message.includes(dotted(value))) {
        throw new Error(`${host} (${dotted(value)}) not refused as itself: ${JSON.stringify(refused)}`);
      }
    }),
    FUZZ(500),
  );
});

t.test('--nas: only IPv4 literals on a local network; everything else is EXP_ERR_NAS_NOT_ALLOWED', async (t) => {
  t.equal(scope.checkNasAddress('192.168.1.20'), '192.168.1.20');
  t.equal(scope.checkNasAddress('127.0.0.1'), '127.0.0.1');
  for (const bad of [FOREIGN, '192.168.2.20', '8.8.8.8', '0.0.0.0', '255.255.255.255', '224.0.0.1', 'nas.local', 'localhost', '::ffff:192.168.1.20', '::1', '3232235796', '0xc0.0xa8.1.20', '192.168.001.020', '192.168.1.20/24', ' 192.168.1.20', 'http://192.168.1.20/', '']) {
    t.equal(refusal(() => scope.checkNasAddress(bad))?.code, 'EXP_ERR_NAS_NOT_ALLOWED', JSON.stringify(bad));
  }
  const noNetworks = new Scope([]);
  t.equal(refusal(() => noNetworks.checkNasAddress('192.168.1.20'))?.code, 'EXP_ERR_NAS_NOT_ALLOWED', 'no local network: only loopback is local');
});

t.test('SSDP LOCATION: fetched only over http from the very address that answered, without credentials', async (t) => {
  const from = '192.168.1.1';
  t.equal(scope.descriptionUrlRefusal('http://192.168.1.1:5000/rootDesc.xml', from), undefined);
  // The rule is about the host: a description on another port of the same device is that device's to serve.
  t.equal(scope.descriptionUrlRefusal('http://192.168.1.1:49152/desc.xml', from), undefined, 'another port of the same host');
  t.equal(scope.descriptionUrlRefusal('http://3232235777:5000/rootDesc.xml', from), undefined, 'the same host, spelled as a number');
  const refused: Array<[string, RegExp]> = [
    ['http://192.168.1.2:5000/rootDesc.xml', /names 192\.168\.1\.2, but the answer came from 192\.168\.1\.1/],
    [`http://${FOREIGN}:5000/rootDesc.xml`, /names 198\.51\.100\.7/],
    ['http://127.0.0.1:5000/rootDesc.xml', /names 127\.0\.0\.1/],
    ['http://localhost:5000/rootDesc.xml', /names localhost/],
    ['http://0.0.0.0:5000/rootDesc.xml', /names 0\.0\.0\.0/],
    ['http://[::ffff:192.168.1.1]:5000/rootDesc.xml', /names \[::ffff:c0a8:101\]/],
    ['http://192.168.1.1.nip.io:5000/', /names 192\.168\.1\.1\.nip\.io/],
    [`http://192.168.1.1@${FOREIGN}/`, /names 198\.51\.100\.7/],
    ['https://192.168.1.1:5000/rootDesc.xml', /uses https:/],
    ['file:///etc/passwd', /uses file:/],
    ['http://admin:pw@192.168.1.1:5000/rootDesc.xml', /credentials/],
    ['http://admin@192.168.1.1:5000/rootDesc.xml', /credentials/],
    ['rootDesc.xml', /not a valid URL/],
    ['http://[zz]/', /not a valid URL/],
  ];
  for (const [location, why] of refused) t.match(scope.descriptionUrlRefusal(location, from), why, location);
});

t.test('SSDP LOCATION, property: whatever is accepted is http, credential-free and names exactly the answering address', async () => {
  const hosts = ['192.168.1.1', '192.168.1.2', '127.0.0.1', FOREIGN, '3232235777', '0xc0a80101', '[::ffff:192.168.1.1]', 'localhost', 'a@192.168.1.1', '192.168.1.1@b', '192.168.1.1%2f@c'];
  fc.assert(
    fc.property(
      fc.constantFrom('http://', 'https://', 'HTTP://', 'http:', 'http:/', 'ftp://', '//', ''),
      fc.constantFrom('', 'u@', 'u:p@', ':@'),
      fc.constantFrom(...hosts),
      fc.constantFrom('', ':5000', ':0', ':65536', ':x'),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('192.168.1.1', '127.0.0.1'),
      (scheme, userinfo, host, port, path, from) => {
        const location = `${scheme}${userinfo}${host}${port}/${path}`;
        if (scope.descriptionUrlRefusal(location, from) !== undefined) return;
        const url = new URL(location);
        if (url.protocol !== 'http:' || url.username !== '' || url.password !== '' || url.hostname !== from) throw new Error(`accepted ${location} from ${from}`);
      },
    ),
    FUZZ(1000),
  );
});

t.test('SSDP LOCATION: an answer from an address off the local networks is not followed', async (t) => {
  t.not(scope.descriptionUrlRefusal(`http://${FOREIGN}:5000/rootDesc.xml`, FOREIGN), undefined);
});

t.test('control URLs: only the host and scheme that served the description; others are recorded in rejectedUrls', async (t) => {
  const location = new URL('http://192.168.1.1:5000/rootDesc.xml');
  const controls = [
    '/ctl/IPConn',
    'ctl/relative',
    'http://192.168.1.1:5000/ctl/absolute',
    `http://${FOREIGN}:5000/ctl/IPConn`,
    `//${FOREIGN}/ctl`,
    'http://127.0.0.1:5000/ctl',
    'http://192.168.1.1:5001/ctl',
    'http://192.168.1.1/ctl',
    'https://192.168.1.1:5000/ctl',
    'http://[::ffff:192.168.1.1]:5000/ctl',
    `http://192.168.1.1:5000@${FOREIGN}/ctl`,
    'http://[zz]/',
  ];
  const services = controls.map((url, index) => `<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:${index}</serviceType><serviceId>s${index}</serviceId><controlURL>${url.replace(/&/g, '&amp;')}</controlURL></service>`).join('');
  const xml = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType><serviceList>${services}</serviceList></device></root>`;
  const description = parseDeviceDescription(xml, location);
  t.same(description.services.map((service) => service.controlUrl.href), ['http://192.168.1.1:5000/ctl/IPConn', 'http://192.168.1.1:5000/ctl/relative', 'http://192.168.1.1:5000/ctl/absolute']);
  t.equal(description.rejectedUrls.length, controls.length - 3);
  t.match(description.rejectedUrls.find((rejected) => rejected.url.includes(FOREIGN))?.reason, /points to 198\.51\.100\.7:5000, not to the device that answered \(192\.168\.1\.1:5000\)/);
  t.match(description.rejectedUrls.at(-1), { url: 'http://[zz]/', reason: 'not a valid URL' });

  const elsewhere = parseDeviceDescription(xml.replace('<device>', `<URLBase>http://${FOREIGN}:5000/</URLBase><device>`), location);
  t.same(elsewhere.services.map((service) => service.controlUrl.href), ['http://192.168.1.1:5000/ctl/absolute'], 'a URLBase on another host takes every relative control URL with it');
});

t.test('control URLs: credentials from the description are never used', async (t) => {
  const location = new URL('http://192.168.1.1:5000/rootDesc.xml');
  const xml = '<root><URLBase>http://u:p@192.168.1.1:5000/</URLBase><device><serviceList><service><serviceType>x</serviceType><controlURL>/ctl</controlURL></service></serviceList></device></root>';
  const description = parseDeviceDescription(xml, location);
  t.ok(description.services.every((service) => service.controlUrl.username === '' && service.controlUrl.password === ''));
});

t.test('mapping clients: fingerprinted only on a local subnet, and loopback only for a loopback router', async (t) => {
  t.equal(scope.mappingClientAllowed('192.168.1.20', '192.168.1.1'), true);
  for (const [client, gateway] of [
    [FOREIGN, '192.168.1.1'],
    ['192.168.2.20', '192.168.1.1'],
    ['127.0.0.1', '192.168.1.1'],
    ['192.168.1.20', '127.0.0.1'],
    ['nas.lan', '192.168.1.1'],
    ['::ffff:192.168.1.20', '192.168.1.1'],
    ['', '192.168.1.1'],
  ]) {
    t.equal(scope.mappingClientAllowed(client!, gateway!), false, `${client} via ${gateway}`);
  }
  t.equal(scope.mappingClientAllowed('127.0.0.2', '127.0.0.1'), true, 'a loopback rig visits only loopback');
});

t.test('hairpin target: only the external address reported by the named or default gateway', async (t) => {
  const reported = { address: '192.168.1.1', externalIp: '203.0.113.7' };
  t.equal(scope.localVantageTarget(reported, ['192.168.1.1'], undefined), '203.0.113.7');
  t.equal(scope.localVantageTarget(reported, ['192.168.1.254'], undefined), undefined, 'a LAN device posing as an IGD');
  t.equal(scope.localVantageTarget(reported, ['192.168.1.1'], '192.168.1.254'), undefined, 'not the gateway the user named');
  t.equal(scope.localVantageTarget({ address: '192.168.1.1', externalIp: 'example.com' }, ['192.168.1.1'], undefined), undefined);
  t.equal(scope.localVantageTarget({ address: '192.168.1.1', externalIp: '::ffff:203.0.113.7' }, ['192.168.1.1'], undefined), undefined);
  t.equal(scope.localVantageTarget({ address: '192.168.1.1', externalIp: null }, ['192.168.1.1'], undefined), undefined);
});

t.test('--myqnapcloud: names outside QNAP DDNS domains are refused', async (t) => {
  for (const bad of ['example.com', 'nas.example.com', 'myqnapcloud.com', 'myqnapcloud.com.evil.example', 'nas.myqnapcloud.com.evil.example', 'nas.myqnapcloud.io', 'nasmyqnapcloud.com', 'nas.notmyqnapcloud.com', 'nas.myqnapcloud.com:53', 'nas.myqnapcloud.com/x', '192.168.1.20', '198.51.100.7', '::1', 'nаs', 'nas\u202e.myqnapcloud.com', 'nas..myqnapcloud.com', '*.myqnapcloud.com', 'a'.repeat(254)]) {
    t.equal(refusal(() => myQnapCloudName(bad))?.code, 'EXP_ERR_MYQNAPCLOUD_NAME', JSON.stringify(bad));
  }
});

t.test('--myqnapcloud, property: a name is refused or becomes a DNS name under one QNAP DDNS domain', async () => {
  const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/);
  const candidate = fc.oneof(
    fc.string({ maxLength: 40 }),
    label,
    fc.tuple(fc.array(label, { maxLength: 3 }), fc.constantFrom(...QNAP_DDNS_DOMAINS, 'example.com', 'myqnapcloud.io', 'myqnapcloud.com.evil', '')).map(([labels, domain]) => [...labels, domain].join('.')),
  );
  fc.assert(
    fc.property(candidate, (raw) => {
      let name: string;
      try {
        name = myQnapCloudName(raw);
      } catch (error) {
        if (isExposureError(error, 'EXP_ERR_MYQNAPCLOUD_NAME')) return;
        throw error;
      }
      if (!QNAP_DDNS_DOMAINS.some((domain) => name.endsWith(`.${domain}`)) || name.length > 253 || !/^[a-z0-9.-]+$/.test(name)) throw new Error(`${JSON.stringify(raw)} became ${name}`);
    }),
    FUZZ(1000),
  );
});
