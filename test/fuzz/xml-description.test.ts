/**
 * Property tests of the safe XML reader (src/net/xml.ts) and the device description parser
 * (src/net/igd-description.ts): whatever a device serves, only EXP_ERR_XML_INVALID escapes, the work is bounded,
 * the tree walk is capped, and no control URL ever leaves the host that served the description.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { child, childArray, childText, decodeXmlText, parseXml } from '../../src/net/xml.js';
import { parseDeviceDescription } from '../../src/net/igd-description.js';
import { FUZZ, mutated, nastyString, onlyOwnErrors, pathological, within, xmlSoup } from '../support/fuzz.js';

const ROOT_DESC = readFileSync(new URL('../fixtures/miniupnpd-2.3.1/rootDesc.xml', import.meta.url), 'utf8');
const NAMES = ['root', 'device', 'deviceList', 'serviceList', 'service', 'serviceType', 'controlURL', 'URLBase', 'deviceType', 'friendlyName', 'UDN'];
const soup = xmlSoup(NAMES);
const LOCATION = new URL('http://192.168.1.1:5000/rootDesc.xml');
const SMALL_BUDGET_MS = 50;
const LARGE_BUDGET_MS = 1500;

t.test('decodeXmlText: never throws, never grows the text, decodes what it promises', async () => {
  fc.assert(
    fc.property(fc.oneof(nastyString(200), soup), (text) => {
      const decoded = decodeXmlText(text);
      if (decoded.length > text.length) throw new Error(`grew: ${JSON.stringify(text)}`);
      if (!text.includes('&') && decoded !== text) throw new Error('changed text without entities');
    }),
    FUZZ(1000),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x10ffff }), (codePoint) => {
      if (decodeXmlText(`&#${codePoint};`) !== String.fromCodePoint(codePoint) || decodeXmlText(`&#x${codePoint.toString(16)};`) !== String.fromCodePoint(codePoint)) throw new Error(`U+${codePoint.toString(16)}`);
    }),
    FUZZ(500),
  );
});

t.test('parseXml: a tree or EXP_ERR_XML_INVALID, fast; the accessors never throw on what comes out', async () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated(ROOT_DESC, soup)), fc.constantFrom(...NAMES), (text, name) => {
      within(SMALL_BUDGET_MS, 'parseXml', () => {
        const document = onlyOwnErrors(() => parseXml(text, { what: 'fuzz', arrays: ['device', 'service'] }), ['EXP_ERR_XML_INVALID']);
        childText(document, name);
        childArray(document, name);
        child(child(document, 'root'), name);
      });
    }),
    FUZZ(500),
  );
});

t.test('parseXml: DOCTYPEs and nesting past the cap are refused', async (t) => {
  for (const text of ['<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', '<!doctype x><x/>', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`]) {
    t.throws(() => parseXml(text, { what: 'fuzz' }), { code: 'EXP_ERR_XML_INVALID' }, text.slice(0, 40));
  }
});

t.test('parseDeviceDescription: EXP_ERR_XML_INVALID or a description whose every control URL is on the serving host', async () => {
  const controlUrl = fc.oneof(
    fc.constantFrom('/ctl/IPConn', 'ctl', '', 'http://192.168.1.1:5000/ctl', 'http://192.168.1.2:5000/ctl', '//198.51.100.7/ctl', 'https://192.168.1.1:5000/ctl', 'http://192.168.1.1:5001/ctl', 'http://[::ffff:c0a8:101]:5000/', 'http://3232235777:5000/x', 'javascript:alert(1)', 'http://[zz]/', '\\\\198.51.100.7\\x', '/\\198.51.100.7/x', 'http:\\\\198.51.100.7\\x'),
    nastyString(30),
  );
  const urlBase = fc.option(fc.constantFrom('http://192.168.1.1:5000/', 'http://198.51.100.7/', 'https://192.168.1.1:5000/', 'not a url', '//198.51.100.7:5000/', 'http://192.168.1.1:5000/sub/'), { nil: undefined });
  const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const service = fc.tuple(fc.string({ maxLength: 20 }), controlUrl).map(([type, url]) => `<service><serviceType>${escape(type)}</serviceType><controlURL>${escape(url)}</controlURL></service>`);
  const device: fc.Arbitrary<string> = fc.letrec<{ device: string }>((tie) => ({
    device: fc
      .tuple(fc.array(service, { maxLength: 4 }), fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant([] as string[]), fc.array(tie('device'), { maxLength: 3 })))
      .map(([services, children]) => `<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType><serviceList>${services.join('')}</serviceList>${children.length > 0 ? `<deviceList>${children.join('')}</deviceList>` : ''}</device>`),
  })).device;
  const document = fc.oneof(
    fc.tuple(urlBase, device).map(([base, root]) => `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">${base === undefined ? '' : `<URLBase>${escape(base)}</URLBase>`}${root}</root>`),
    mutated(ROOT_DESC, soup),
    soup,
  );
  fc.assert(
    fc.property(document, (xml) => {
      within(SMALL_BUDGET_MS, 'parseDeviceDescription', () => {
        const description = onlyOwnErrors(() => parseDeviceDescription(xml, LOCATION), ['EXP_ERR_XML_INVALID']);
        if (!description) return;
        if (description.services.length + description.rejectedUrls.length > 256) throw new Error('more services than the cap');
        for (const { controlUrl } of description.services) {
          if (controlUrl.protocol !== 'http:' || controlUrl.host !== LOCATION.host) throw new Error(`control URL ${controlUrl.href} accepted`);
        }
      });
    }),
    FUZZ(500),
  );
});

t.test('parseDeviceDescription: thousands of devices and services are capped, not walked', async (t) => {
  const services = '<service><serviceType>t</serviceType><controlURL>/c</controlURL></service>'.repeat(2000);
  const devices = `<device><serviceList>${services}</serviceList></device>`.repeat(2);
  within(LARGE_BUDGET_MS, 'many services', () => {
    const description = parseDeviceDescription(`<root><device><serviceList>${services}</serviceList><deviceList>${devices}</deviceList></device></root>`, LOCATION);
    t.equal(description.services.length, 256);
    t.equal(description.truncated, true);
  });
  const wide = `<root><device><deviceList>${'<device><deviceType>x</deviceType></device>'.repeat(20000)}</deviceList></device></root>`;
  within(LARGE_BUDGET_MS, 'many devices', () => t.equal(parseDeviceDescription(wide, LOCATION).truncated, true));
  // 116,000 sibling devices in 1 MiB: the walk queues them without spreading them onto the stack.
  const widest = `<root><device><deviceList>${'<device/>'.repeat(116_000)}</deviceList></device></root>`;
  within(LARGE_BUDGET_MS, 'widest device list', () => t.equal(parseDeviceDescription(widest, LOCATION).truncated, true));
});

t.test('1 MiB pathological documents: parseDeviceDescription (parseXml underneath) stays linear', async (t) => {
  for (const [shape, text] of pathological(['device'])) {
    within(LARGE_BUDGET_MS, `${shape}: parseDeviceDescription`, () => onlyOwnErrors(() => parseDeviceDescription(text, LOCATION), ['EXP_ERR_XML_INVALID']));
    within(LARGE_BUDGET_MS, `${shape}: decodeXmlText`, () => decodeXmlText(text));
    t.pass(shape);
  }
});
