import t from 'tap';
import { readFileSync } from 'node:fs';
import { MAX_NMAP_XML_CHARS, parseNmapXml } from '../../src/net/portscan/nmap-xml.js';
import type { PortResult } from '../../src/net/portscan/types.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/nmap/${name}`, import.meta.url), 'utf8');
const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, index) => first + index);
const byPort = (ports: PortResult[]): Map<number, PortResult> => new Map(ports.map((result) => [result.port, result]));
const target = '127.0.0.1';

/** A minimal nmaprun around a <ports> body, for cases nmap 7.93 on loopback does not produce. */
function document(portsBody: string, hostAttributes = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" version="7.93">` +
    `<host${hostAttributes}><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><ports>${portsBody}</ports></host>` +
    `<runstats><finished exit="success"/></runstats></nmaprun>`;
}

t.test('fills unlisted requested ports from <extraports> (recorded: 96 closed summarised)', async (t) => {
  const scan = parseNmapXml(fixture('connect-extraports.xml'), { target, ports: range(42000, 42099) });
  t.equal(scan.host, 'found');
  t.equal(scan.nmapVersion, '7.93');
  t.equal(scan.ports.length, 100, 'every requested port has a result');
  t.same(scan.ports.map((result) => result.port), range(42000, 42099), 'in the order asked');
  t.same(scan.ports.filter((result) => result.state === 'open').map((result) => result.port), [42021, 42022, 42080, 42099]);
  t.equal(scan.ports.filter((result) => result.state === 'closed').length, 96);
  t.same(scan.warnings, []);
});

t.test('reads ports listed one by one (recorded)', async (t) => {
  const scan = parseNmapXml(fixture('connect-listed.xml'), { target, ports: [42021, 42022, 42023, 42080, 42081] });
  t.same(scan.ports.map((result) => [result.port, result.state]), [[42021, 'open'], [42022, 'open'], [42023, 'closed'], [42080, 'open'], [42081, 'closed']]);
});

t.test('-sV: product and version come from the <service> attributes (recorded)', async (t) => {
  const scan = parseNmapXml(fixture('service-version.xml'), { target, ports: [42021, 42022, 42023, 42080] });
  const ports = byPort(scan.ports);
  t.match(ports.get(42022), { state: 'open', service: 'ssh', product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3' });
  t.match(ports.get(42080), { state: 'open', service: 'http', product: 'nginx', version: '1.22.1' });
  t.same(ports.get(42021), { port: 42021, protocol: 'tcp', state: 'open', service: 'unknown' }, 'unrecognised: no product invented from servicefp');
  t.same(ports.get(42023), { port: 42023, protocol: 'tcp', state: 'closed' });
});

t.test('script output: &#xa; and entities decoded, banner wrap undone, hex escapes kept as text (recorded)', async (t) => {
  const scan = parseNmapXml(fixture('script-banner.xml'), { target, ports: [42021, 42022, 42023] });
  const ports = byPort(scan.ports);
  t.equal(ports.get(42021)?.banner, '220-Welcome to the NAS\\x0D\\x0A220-  <QNAP> & "friends"\\x0D\\x0A220 ready');
  t.equal(ports.get(42022)?.banner, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3');
  t.equal(ports.get(42023)?.banner, undefined);
});

t.test('a host nmap gave up on (--host-timeout) is timed-out, with no ports (recorded)', async (t) => {
  const scan = parseNmapXml(fixture('host-timeout.xml'), { target, ports: [42022, 42098, 42099] });
  t.equal(scan.host, 'timed-out');
  t.same(scan.ports, []);
});

t.test('another target in the document is not read', async (t) => {
  const scan = parseNmapXml(fixture('connect-listed.xml'), { target: '127.0.0.2', ports: [42021] });
  t.equal(scan.host, 'missing');
  t.same(scan.ports, []);
});

t.test('a requested port nmap accounts for nowhere is filtered, with a warning', async (t) => {
  const scan = parseNmapXml(fixture('connect-extraports.xml'), { target, ports: [...range(42000, 42099), 42100] });
  t.equal(scan.ports.length, 101);
  t.same(scan.ports.at(-1), { port: 42100, protocol: 'tcp', state: 'filtered' });
  t.match(scan.warnings, [/did not account for 1 requested port/]);
});

t.test('extraports without a ports list (older nmap): one summary applies, two are ambiguous', async (t) => {
  const withoutLists = fixture('connect-extraports.xml').replace(/ ports="[^"]*"/, '');
  const one = parseNmapXml(withoutLists, { target, ports: range(42000, 42099) });
  t.equal(one.ports.filter((result) => result.state === 'closed').length, 96);
  t.same(one.warnings, []);

  const two = document('<extraports state="closed" count="2"/><extraports state="filtered" count="1"/><port protocol="tcp" portid="3"><state state="open"/></port>');
  const scan = parseNmapXml(two, { target, ports: [1, 2, 3, 4] });
  t.same(scan.ports.map((result) => result.state), ['filtered', 'filtered', 'open', 'filtered'], 'never guessed closed');
  t.match(scan.warnings, [/did not account for 3 requested port.*closed, filtered/]);
});

t.test('states outside -sT are recorded as filtered, with the raw state in a warning', async (t) => {
  const body = ['open|filtered', 'closed|filtered', 'unfiltered', 'weird<b>'].map((state, index) =>
    `<port protocol="tcp" portid="${index + 1}"><state state="${state.replace('<', '&lt;').replace('>', '&gt;')}"/></port>`).join('');
  const scan = parseNmapXml(document(body), { target, ports: [1, 2, 3, 4] });
  t.same(scan.ports.map((result) => result.state), ['filtered', 'filtered', 'filtered', 'filtered']);
  t.equal(scan.warnings.length, 4);
  t.match(scan.warnings[0], /"open\|filtered"/);
  const summary = parseNmapXml(document('<extraports state="open|filtered" count="2"><extrareasons reason="no-response" count="2" ports="1-2"/></extraports>'), { target, ports: [1, 2] });
  t.same(summary.ports.map((result) => result.state), ['filtered', 'filtered']);
  t.match(summary.warnings, [/summarised ports as "open\|filtered"/]);
});

t.test('ports not asked for, UDP ports and duplicates are left out', async (t) => {
  const body = '<port protocol="udp" portid="1"><state state="open"/></port><port protocol="tcp" portid="1"><state state="closed"/></port>' +
    '<port protocol="tcp" portid="1"><state state="open"/></port><port protocol="tcp" portid="9"><state state="open"/></port>';
  const scan = parseNmapXml(document(body), { target, ports: [1] });
  t.same(scan.ports, [{ port: 1, protocol: 'tcp', state: 'closed' }], 'first tcp entry wins');
  t.match(scan.warnings, [/not asked for, ignored: udp\/1, tcp\/1, tcp\/9/]);
});

t.test('an attribute cannot stand in for a child element', async (t) => {
  const body = '<port protocol="tcp" portid="1" state="open" service="x"><state state="closed"/></port>';
  t.same(parseNmapXml(document(body), { target, ports: [1] }).ports, [{ port: 1, protocol: 'tcp', state: 'closed' }]);
});

t.test('runstats errormsg is kept', async (t) => {
  const failed = '<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun version="7.93"><runstats><finished exit="error" errormsg="Failed to open device"/></runstats></nmaprun>';
  t.match(parseNmapXml(failed, { target, ports: [1] }), { host: 'missing', errorMessage: 'Failed to open device' });
});

t.test('hostile XML', async (t) => {
  t.test('an entity bomb in a DOCTYPE is refused', async (t) => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      '<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="1"><state state="open"/><service name="&c;"/></port></ports></host></nmaprun>';
    t.throws(() => parseNmapXml(bomb, { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
    const external = '<?xml version="1.0"?><!DOCTYPE nmaprun SYSTEM "file:///etc/passwd"><nmaprun/>';
    t.throws(() => parseNmapXml(external, { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
    t.throws(() => parseNmapXml(`${document('')}<!DOCTYPE nmaprun>`, { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' }, 'a second DOCTYPE');
  });

  t.test('an undeclared entity stays text; only XML entities and character references decode', async (t) => {
    const body = '<port protocol="tcp" portid="1"><state state="open"/><service name="&c; &nbsp; &#x41;&lt;" product="&amp;lt;"/></port>';
    const [port] = parseNmapXml(document(body), { target, ports: [1] }).ports;
    t.equal(port?.service, '&c; &nbsp; A<');
    t.equal(port?.product, '&lt;', 'decoded once');
  });

  t.test('input larger than the limit is refused before parsing', async (t) => {
    const huge = document('') + ' '.repeat(MAX_NMAP_XML_CHARS);
    const started = Date.now();
    t.throws(() => parseNmapXml(huge, { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID', message: /larger than 64 MiB/ });
    t.ok(Date.now() - started < 1000, 'refused without parsing');
  });

  t.test('deep nesting, reserved names, truncation and garbage are refused', async (t) => {
    const deep = `<nmaprun>${'<a>'.repeat(500)}${'</a>'.repeat(500)}</nmaprun>`;
    t.throws(() => parseNmapXml(deep, { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
    t.throws(() => parseNmapXml('<nmaprun><__proto__><x>1</x></__proto__></nmaprun>', { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
    t.equal(({} as Record<string, unknown>)['x'], undefined);
    t.match(parseNmapXml('<nmaprun><host></nmaprun>', { target, ports: [1] }), { host: 'missing', ports: [] }, 'mismatched tags read as nothing');
    const recorded = fixture('connect-extraports.xml');
    t.throws(() => parseNmapXml(recorded.slice(0, recorded.indexOf('<port ') + 60), { target, ports: [42021] }), { code: 'EXP_ERR_XML_INVALID' }, 'output cut short');
    t.throws(() => parseNmapXml('', { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
    t.throws(() => parseNmapXml('<html>nmap: command not found</html>', { target, ports: [1] }), { code: 'EXP_ERR_XML_INVALID' });
  });

  t.test('a port range in extrareasons cannot make the parser loop over 65,535 ports it was not asked for', async (t) => {
    const scan = parseNmapXml(document('<extraports state="closed" count="1"><extrareasons count="1" ports="1-99999,x,7"/></extraports>'), { target, ports: [7] });
    t.same(scan.ports, [{ port: 7, protocol: 'tcp', state: 'closed' }]);
  });
});
