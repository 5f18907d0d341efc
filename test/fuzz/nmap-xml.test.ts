/**
 * Property tests of the nmap XML reader (src/net/portscan/nmap-xml.ts). nmap writes the document, but what it
 * quotes (banners, service strings) comes from the scanned host, and the reader must not trust the shape either:
 * only EXP_ERR_XML_INVALID escapes, every requested port gets exactly one state, banners are capped.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseNmapXml, type NmapXmlRequest } from '../../src/net/portscan/nmap-xml.js';
import { FUZZ, mutated, nastyString, onlyOwnErrors, pathological, within, xmlSoup } from '../support/fuzz.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/nmap/${name}`, import.meta.url), 'utf8');
const FIXTURES = ['connect-extraports.xml', 'connect-listed.xml', 'host-timeout.xml', 'script-banner.xml', 'service-version.xml'].map(fixture);
const TARGET = '127.0.0.1';
const BUDGET_MS = 50;
const LARGE_BUDGET_MS = 1500;

const attribute = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function check(text: string, request: NmapXmlRequest): void {
  const scan = onlyOwnErrors(() => parseNmapXml(text, request), ['EXP_ERR_XML_INVALID']);
  if (!scan) return;
  if (scan.host === 'found') {
    if (scan.ports.length !== request.ports.length) throw new Error(`${scan.ports.length} results for ${request.ports.length} ports`);
    scan.ports.forEach((result, index) => {
      if (result.port !== request.ports[index]) throw new Error(`result ${index} is port ${result.port}, asked ${request.ports[index]}`);
      if (!['open', 'closed', 'filtered'].includes(result.state)) throw new Error(`state ${result.state}`);
      if (result.banner !== undefined && result.banner.length > 1024) throw new Error(`banner of ${result.banner.length}`);
    });
  } else if (scan.ports.length !== 0) {
    throw new Error(`host ${scan.host} with ports`);
  }
  const elements = (text.match(/<(?:port|extraports)\b/g) ?? []).length;
  if (scan.warnings.length > elements + 3) throw new Error(`${scan.warnings.length} warnings from ${elements} elements`);
}

const requestPorts = fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 40 });

const document = fc
  .record({
    address: fc.constantFrom(TARGET, '127.0.0.2', ''),
    timedOut: fc.boolean(),
    ports: fc.array(
      fc.record({
        protocol: fc.constantFrom('tcp', 'udp', 'sctp', ''),
        portid: fc.oneof(fc.integer({ min: -1, max: 70000 }).map(String), fc.constantFrom('', 'x', '80.5', '0x50', '1e3')),
        state: fc.constantFrom('open', 'closed', 'filtered', 'open|filtered', 'unfiltered', '', 'x'),
        service: fc.option(nastyString(300), { nil: undefined }),
        banner: fc.option(nastyString(1500), { nil: undefined }),
      }),
      { maxLength: 12 },
    ),
    extra: fc.array(
      fc.record({
        state: fc.constantFrom('closed', 'filtered', 'open', 'x'),
        lists: fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 70000 }).map(String), fc.tuple(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 70000 })).map(([a, b]) => `${a}-${b}`), fc.constantFrom('', '-', 'a', '1--2')), { maxLength: 6 }).map((parts) => parts.join(',')), { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
  })
  .map(({ address, timedOut, ports, extra }) => {
    const portXml = ports
      .map((port) => `<port protocol="${port.protocol}" portid="${port.portid}"><state state="${attribute(port.state)}"/>${port.service === undefined ? '' : `<service name="${attribute(port.service)}" product="${attribute(port.service)}"/>`}${port.banner === undefined ? '' : `<script id="banner" output="${attribute(port.banner)}"/>`}</port>`)
      .join('');
    const extraXml = extra.map((e) => `<extraports state="${e.state}" count="1">${e.lists.map((list) => `<extrareasons reason="x" count="1" ports="${list}"/>`).join('')}</extraports>`).join('');
    return `<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun version="7.93"><host${timedOut ? ' timedout="true"' : ''}><address addr="${address}" addrtype="ipv4"/><ports>${extraXml}${portXml}</ports></host><runstats><finished errormsg="x"/></runstats></nmaprun>\n`;
  });

t.test('parseNmapXml: generated documents give one state per requested port, in order', async () => {
  fc.assert(fc.property(document, requestPorts, (text, ports) => within(BUDGET_MS, 'parseNmapXml', () => check(text, { target: TARGET, ports }))), FUZZ(400));
});

t.test('parseNmapXml: damaged recorded output and markup soup', async () => {
  const soup = xmlSoup(['nmaprun', 'host', 'address', 'ports', 'port', 'state', 'extraports', 'extrareasons', 'script', 'service']);
  const text = fc.oneof(fc.constantFrom(...FIXTURES).chain((fixtureText) => mutated(fixtureText, soup)), soup.map((inner) => `<nmaprun>${inner}</nmaprun>`));
  const ports = fc.oneof(requestPorts, fc.constant([42021, 42022, 42023, 22, 80, 443, 8080]));
  fc.assert(fc.property(text, ports, (xml, asked) => within(BUDGET_MS, 'parseNmapXml', () => check(xml, { target: TARGET, ports: asked }))), FUZZ(400));
});

t.test('parseNmapXml: entity declarations and pathological shapes', async (t) => {
  for (const text of ['<!DOCTYPE nmaprun [<!ENTITY a "b">]><nmaprun>&a;</nmaprun>', '<!DOCTYPE nmaprun><!DOCTYPE x><nmaprun/></nmaprun>', '<nmaprun><!ENTITY a "b"></nmaprun>']) {
    t.throws(() => parseNmapXml(text, { target: TARGET, ports: [80] }), { code: 'EXP_ERR_XML_INVALID' });
  }
  // 256 KiB, not the 64 MiB limit: the XML parser reads attributes at about 1 s per MiB, which is linear but would
  // make this suite slow; the shapes are the ones that break parsers at any size.
  for (const [shape, body] of pathological(['nmaprun', 'port', 'extraports'], 256 * 1024)) {
    within(LARGE_BUDGET_MS, shape, () => check(`${body}</nmaprun>`, { target: TARGET, ports: [80, 443] }));
    t.pass(shape);
  }
  const everyPort = Array.from({ length: 65535 }, (_, index) => index + 1);
  const listed = `<?xml version="1.0"?><nmaprun><host><address addr="${TARGET}" addrtype="ipv4"/><ports><extraports state="closed" count="65535"><extrareasons reason="conn-refused" count="65535" ports="${'1-65535,'.repeat(2000)}"/></extraports>${'<port protocol="tcp" portid="80"><state state="x"/></port>'.repeat(10000)}</ports></host></nmaprun>`;
  within(LARGE_BUDGET_MS * 2, 'all ports, repeated lists and duplicate ports', () => check(listed, { target: TARGET, ports: everyPort }));
});
