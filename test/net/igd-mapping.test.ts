import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { finishDescriptions, parseGenericEntry, parsePortListing, type RawMapping } from '../../src/net/igd-mapping.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/miniupnpd-2.3.1/${name}`, import.meta.url), 'utf8');
const raw = (rawDescription: string): RawMapping => ({ protocol: 'TCP', externalPort: 1, internalClient: '10.0.0.2', internalPort: 1, rawDescription, enabled: true, leaseDuration: 0, remoteHost: '' });

/** The lease file the fixtures were recorded from: what each description really is. */
const leases = fixture('leases.txt')
  .trim()
  .split('\n')
  .map((line) => {
    const [protocol, externalPort, internalClient, internalPort, , ...description] = line.split(':');
    return { protocol, externalPort: Number(externalPort), internalClient, internalPort: Number(internalPort), description: description.join(':') };
  });

t.test('descriptions: a non-escaping router is detected from its table and read literally', async (t) => {
  const literal = finishDescriptions([raw('<b>x</b>'), raw('&lt;i&gt; &amp;'), raw('a&b')]);
  t.same(literal.map((m) => m.description), ['<b>x</b>', '&lt;i&gt; &amp;', 'a&b']);
  t.same(literal.map((m) => m.descriptionHasMarkup), [true, true, false], 'entity-encoded markup is flagged too');
  const escaping = finishDescriptions([raw('&lt;b&gt;x&lt;/b&gt;'), raw('a&amp;b'), raw('plain')]);
  t.same(escaping.map((m) => m.description), ['<b>x</b>', 'a&b', 'plain']);
  t.same(escaping.map((m) => m.descriptionHasMarkup), [true, false, false]);
  t.same(finishDescriptions([raw('<![CDATA[a<b]]>')]).map((m) => m.description), ['a<b']);
  t.equal(finishDescriptions([raw('x'.repeat(5000))])[0]?.description.length, 1024, 'capped');
});

t.test('recorded miniupnpd 2.3.1 GetGenericPortMappingEntry answers: every field right, even under injection', async (t) => {
  const files = readdirSync(new URL('../fixtures/miniupnpd-2.3.1/', import.meta.url)).filter((name) => /^GetGenericPortMappingEntry-\d+\.xml$/.test(name));
  t.ok(files.length >= 10);
  const byIndex = files.map((name) => parseGenericEntry(fixture(name)));
  const mappings = finishDescriptions(byIndex);
  for (const mapping of mappings) {
    const lease = leases.find((l) => l.protocol === mapping.protocol && l.externalPort === mapping.externalPort);
    t.ok(lease, `${mapping.protocol}/${mapping.externalPort} is in the lease file`);
    t.equal(mapping.internalClient, lease?.internalClient, `${mapping.externalPort}: internal client from the router, not from the description`);
    t.equal(mapping.internalPort, lease?.internalPort);
    // miniupnpd keeps at most 64 bytes of a description, and (a router bug) may append stray memory after one of exactly 64.
    const expected = Buffer.from(lease?.description ?? '').subarray(0, 64).toString('utf8');
    t.ok(mapping.description.startsWith(expected.replace(/\uFFFD$/, '')), `${mapping.externalPort}: ${JSON.stringify(mapping.description)} starts with ${JSON.stringify(expected)}`);
  }
  const injected = mappings.find((m) => m.externalPort === 83);
  t.equal(injected?.internalClient, '10.1.2.20', 'upnpc -l prints 6.6.6.6 here; we do not');
  t.equal(injected?.descriptionHasMarkup, true);
});

t.test('recorded GetListOfPortMappings: all entries, injections stay inside their description', async (t) => {
  const { entries, problems } = parsePortListing(fixture('GetListOfPortMappings.xml'));
  t.same(problems, []);
  const mappings = finishDescriptions(entries);
  const tcpLeases = leases.filter((l) => l.protocol === 'TCP');
  t.equal(mappings.length, tcpLeases.length);
  for (const lease of tcpLeases) {
    const mapping = mappings.find((m) => m.externalPort === lease.externalPort);
    t.equal(mapping?.internalClient, lease.internalClient, `${lease.externalPort} internal client`);
    t.equal(mapping?.description, Buffer.from(lease.description).subarray(0, 64).toString('utf8'), `${lease.externalPort} description`);
  }
  t.equal(mappings.find((m) => m.externalPort === 87)?.description, '&lt;i&gt; &amp;', 'literal entity text stays literal on a non-escaping router');
  t.equal(mappings.find((m) => m.externalPort === 32400)?.description, 'Plex Média Server ☕');
  t.same(parsePortListing(fixture('GetListOfPortMappings-UDP.xml')).entries.map((m) => m.rawDescription), ['has:colons:in it']);
});

t.test('malformed fields are typed errors, never silently wrong', async (t) => {
  const body = fixture('GetGenericPortMappingEntry-0.xml');
  t.throws(() => parseGenericEntry(body.replace('<NewExternalPort>8080<', '<NewExternalPort>99999<')), { message: /externalPort/ });
  t.throws(() => parseGenericEntry(body.replace('<NewProtocol>TCP<', '<NewProtocol>SCTP<')), { message: /protocol/ });
  t.throws(() => parseGenericEntry(body.replace('<NewInternalClient>10.1.2.20<', '<NewInternalClient>10.1.2.20; rm -rf /<')), { message: /internalClient/ });
  t.throws(() => parseGenericEntry(body.replace('<NewEnabled>1<', '<NewEnabled>maybe<')), { message: /enabled/ });
});
