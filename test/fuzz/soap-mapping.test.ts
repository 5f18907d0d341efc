/**
 * Property tests of the SOAP answer readers (src/net/soap.ts) and the port-mapping parsers (src/net/igd-mapping.ts).
 * Any LAN device writes mapping descriptions, and a hostile router writes whole answers of up to 1 MiB (the HTTP
 * read limit): they must never throw outside their documented types, never cost more than linear time, and never
 * let the hostile field decide another field.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { extractArguments, hostileSpan, parseFault } from '../../src/net/soap.js';
import { finishDescriptions, MalformedMappingError, parseGenericEntry, parsePortListing, type RawMapping } from '../../src/net/igd-mapping.js';
import { FUZZ, mutated, nastyString, onlyOwnErrors, pathological, within, xmlSoup } from '../support/fuzz.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/miniupnpd-2.3.1/${name}`, import.meta.url), 'utf8');
const GENERIC = fixture('GetGenericPortMappingEntry-0.xml');
const LISTING = fixture('GetListOfPortMappings.xml');
const FAULT = fixture('GetGenericPortMappingEntry-past-end.xml');

const FIELDS = ['NewRemoteHost', 'NewExternalPort', 'NewProtocol', 'NewInternalPort', 'NewInternalClient', 'NewEnabled', 'NewPortMappingDescription', 'NewLeaseDuration', 'NewPortListing', 'PortMappingList', 'PortMappingEntry', 'NewDescription', 'NewLeaseTime', 'Envelope', 'Body', 'Fault', 'detail', 'UPnPError', 'errorCode', 'errorDescription'];
const soup = xmlSoup(FIELDS);

/** Small random inputs: each call well under 50 ms. */
const SMALL_BUDGET_MS = 50;
/** 1 MiB pathological inputs: linear work is a few ms to a few hundred; quadratic work is tens of seconds. */
const LARGE_BUDGET_MS = 1500;

const isMalformed = (error: unknown): boolean => error instanceof MalformedMappingError;

function checkMapping(mapping: Omit<RawMapping, 'rawDescription'>): void {
  const port = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= 65535;
  if (!['TCP', 'UDP'].includes(mapping.protocol)) throw new Error(`protocol ${mapping.protocol}`);
  if (!port(mapping.externalPort) || !port(mapping.internalPort)) throw new Error('port out of range');
  if (!Number.isInteger(mapping.leaseDuration) || mapping.leaseDuration < 0 || mapping.leaseDuration > 0xffffffff) throw new Error('lease out of range');
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(mapping.internalClient)) throw new Error(`internal client ${JSON.stringify(mapping.internalClient)}`);
  if (/[\s<>&]/.test(mapping.remoteHost)) throw new Error(`remote host ${JSON.stringify(mapping.remoteHost)}`);
}

t.test('parseGenericEntry: a mapping or MalformedMappingError, fields in range, fast, on soup and on damaged answers', async () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated(GENERIC, soup)), (body) => {
      within(SMALL_BUDGET_MS, 'parseGenericEntry', () => {
        const mapping = onlyOwnErrors(() => parseGenericEntry(body), [], isMalformed);
        if (mapping) checkMapping(mapping);
      });
    }),
    FUZZ(400),
  );
});

t.test('parseGenericEntry: whatever the description holds, every other field is the router\'s', async () => {
  const hostileDescription = fc.oneof(
    nastyString(80),
    soup,
    fc.constantFrom(
      'x</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient><NewPortMappingDescription>y',
      '</NewPortMappingDescription><NewLeaseDuration>1</NewLeaseDuration><NewExternalPort>3389</NewExternalPort>',
      '<![CDATA[</NewPortMappingDescription><NewProtocol>UDP</NewProtocol>]]>',
      '<!--</NewPortMappingDescription>--><NewEnabled>0</NewEnabled>',
      '<NewPortMappingDescription>nested</NewPortMappingDescription>',
    ),
  );
  const entry = fc.record({
    externalPort: fc.integer({ min: 0, max: 65535 }),
    internalPort: fc.integer({ min: 0, max: 65535 }),
    protocol: fc.constantFrom('TCP', 'UDP'),
    client: fc.ipV4(),
    enabled: fc.boolean(),
    lease: fc.integer({ min: 0, max: 0xffffffff }),
    remoteHost: fc.oneof(fc.constant(''), fc.ipV4()),
    description: hostileDescription,
  });
  fc.assert(
    fc.property(entry, (e) => {
      // miniupnpd 2.3.1 order and (lack of) escaping: the description is written raw, between router fields.
      const body = `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetGenericPortMappingEntryResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"><NewRemoteHost>${e.remoteHost}</NewRemoteHost><NewExternalPort>${e.externalPort}</NewExternalPort><NewProtocol>${e.protocol}</NewProtocol><NewInternalPort>${e.internalPort}</NewInternalPort><NewInternalClient>${e.client}</NewInternalClient><NewEnabled>${e.enabled ? 1 : 0}</NewEnabled><NewPortMappingDescription>${e.description}</NewPortMappingDescription><NewLeaseDuration>${e.lease}</NewLeaseDuration></u:GetGenericPortMappingEntryResponse></s:Body></s:Envelope>\r\n`;
      const mapping = parseGenericEntry(body);
      const expected = { protocol: e.protocol, externalPort: e.externalPort, internalClient: e.client, internalPort: e.internalPort, enabled: e.enabled, leaseDuration: e.lease, remoteHost: e.remoteHost };
      const { rawDescription, ...rest } = mapping;
      if (JSON.stringify(rest) !== JSON.stringify(expected)) throw new Error(`router fields changed: ${JSON.stringify(rest)} != ${JSON.stringify(expected)}`);
      if (rawDescription !== e.description) throw new Error('description not kept whole');
    }),
    FUZZ(400),
  );
});

t.test('parsePortListing: never throws; entries well formed and no more than the text can hold', async () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated(LISTING, soup)), (body) => {
      within(SMALL_BUDGET_MS, 'parsePortListing', () => {
        const { entries, problems } = parsePortListing(body);
        for (const entry of entries) checkMapping(entry);
        // The shortest entry is well over 100 characters of markup.
        if (entries.length > body.length / 100) throw new Error(`${entries.length} entries from ${body.length} characters`);
        if (problems.length > entries.length + 2) throw new Error(`${problems.length} problems`);
      });
    }),
    FUZZ(400),
  );
});

t.test('finishDescriptions: never throws, descriptions capped at 1024 characters', async () => {
  const raw = fc.record({
    protocol: fc.constant('TCP' as const),
    externalPort: fc.constant(1),
    internalClient: fc.constant('10.0.0.2'),
    internalPort: fc.constant(1),
    enabled: fc.constant(true),
    leaseDuration: fc.constant(0),
    remoteHost: fc.constant(''),
    rawDescription: fc.oneof(nastyString(100), soup, fc.nat({ max: 5000 }).map((n) => '&amp;'.repeat(n)), fc.nat({ max: 3000 }).map((n) => `<![CDATA[${'x'.repeat(n)}]]>`)),
  });
  fc.assert(
    fc.property(fc.array(raw, { maxLength: 8 }), (raws) => {
      const finished = finishDescriptions(raws);
      if (finished.length !== raws.length) throw new Error('lost or invented mappings');
      for (const mapping of finished) if (mapping.description.length > 1024) throw new Error(`description of ${mapping.description.length}`);
    }),
    FUZZ(300),
  );
});

t.test('SOAP readers: parseFault and extractArguments never throw, fault text capped, fast', async () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutated(FAULT, soup), mutated(GENERIC, soup)), fc.constantFrom(...FIELDS), (body, name) => {
      within(SMALL_BUDGET_MS, 'SOAP readers', () => {
        const fault = parseFault(body);
        if (fault && (!Number.isInteger(fault.code) || fault.description.length > 200)) throw new Error(`fault ${JSON.stringify(fault)}`);
        const { values, hostileRaw } = extractArguments(body, FIELDS, name);
        for (const value of values.values()) if (value.length > body.length) throw new Error('a value longer than the answer');
        if (hostileRaw !== undefined && hostileRaw.length > body.length) throw new Error('a span longer than the answer');
        const span = hostileSpan(body, name);
        if (span && (span.outerStart < 0 || span.outerEnd > body.length || span.outerStart > span.outerEnd)) throw new Error(`span ${JSON.stringify(span)}`);
      });
    }),
    FUZZ(400),
  );
});

// parseFault reads through parseXml, whose pathological shapes are in xml-description.test.ts.
t.test('1 MiB pathological answers: every reader stays linear', async (t) => {
  for (const [shape, body] of pathological(['NewPortMappingDescription', 'NewPortListing', 'PortMappingList'])) {
    within(LARGE_BUDGET_MS, `${shape}: parseGenericEntry`, () => onlyOwnErrors(() => parseGenericEntry(body), [], isMalformed));
    within(LARGE_BUDGET_MS, `${shape}: parsePortListing`, () => parsePortListing(body));
    within(LARGE_BUDGET_MS, `${shape}: finishDescriptions`, () => finishDescriptions([{ protocol: 'TCP', externalPort: 1, internalClient: '10.0.0.2', internalPort: 1, enabled: true, leaseDuration: 0, remoteHost: '', rawDescription: body }]));
    t.pass(shape);
  }
  // A listing of many valid entries, the largest a real router could send inside the limit.
  const entry = LISTING.slice(LISTING.indexOf('<p:PortMappingEntry>'), LISTING.indexOf('</p:PortMappingEntry>') + '</p:PortMappingEntry>'.length);
  const many = LISTING.replace(entry, entry.repeat(Math.floor((1024 * 1024) / entry.length)));
  within(LARGE_BUDGET_MS, 'a 1 MiB listing', () => {
    const { entries } = parsePortListing(many);
    t.ok(entries.length > 2500, `${entries.length} entries read`);
  });
});
