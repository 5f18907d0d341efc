import net from 'node:net';
import { extractArguments, hostileSpan } from './soap.js';
import { decodeXmlText } from './xml.js';
import type { Mapping } from '../core/report.generated.js';

/** Descriptions are capped: a router may store kilobytes, a report needs no more than this. */
const MAX_DESCRIPTION_CHARS = 1024;

export type ParsedMapping = Omit<Mapping, 'internalClientOnLan' | 'service'>;

/** A mapping as read, with its description still as the router sent it (see `finishDescriptions`). */
export type RawMapping = Omit<ParsedMapping, 'description' | 'descriptionHasMarkup'> & { rawDescription: string };

export class MalformedMappingError extends Error {
  constructor(readonly field: string, readonly value: string | undefined) {
    super(`mapping field ${field} is not valid: ${JSON.stringify(value?.slice(0, 64))}`);
  }
}

function port(field: string, value: string | undefined, allowZero: boolean): number {
  const number = Number(value);
  if (value === undefined || !/^\d{1,5}$/.test(value) || number > 65535 || (!allowZero && number === 0)) throw new MalformedMappingError(field, value);
  return number;
}

function protocol(value: string | undefined): 'TCP' | 'UDP' {
  const upper = value?.toUpperCase();
  if (upper === 'TCP' || upper === 'UDP') return upper;
  throw new MalformedMappingError('protocol', value);
}

function uint32(field: string, value: string | undefined): number {
  if (value === undefined || !/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) throw new MalformedMappingError(field, value);
  return Number(value);
}

function enabled(value: string | undefined): boolean {
  if (value === '1' || value?.toLowerCase() === 'true') return true;
  if (value === '0' || value?.toLowerCase() === 'false') return false;
  throw new MalformedMappingError('enabled', value);
}

function internalClient(value: string | undefined): string {
  // IGD allows a hostname here in theory; every router seen sends an IPv4 address, and a hostname would be untrusted.
  if (value === undefined || (!net.isIPv4(value) && !/^[A-Za-z0-9.-]{1,253}$/.test(value))) throw new MalformedMappingError('internalClient', value);
  return value;
}

function remoteHost(value: string | undefined): string {
  const text = value ?? '';
  if (text === '' || text === '*' || net.isIP(text) !== 0) return text === '*' ? '' : text;
  throw new MalformedMappingError('remoteHost', value);
}

const MARKUP = /<[A-Za-z/!?]/;
/** A raw `<` or `>`, or an `&` that starts no entity: text a correctly escaping router could never send. */
const UNESCAPED = /[<>]|&(?!(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos);)/;

/**
 * Turns raw descriptions into text, once per table. A correctly escaping router sends `&lt;b&gt;`; miniupnpd
 * 2.3.1 sends `<b>` raw, and a literal `&lt;` as `&lt;`. One answer alone cannot tell which kind of router it
 * is, but a table can: if any description is visibly unescaped, the router does not escape, and every
 * description is taken literally (decoding would corrupt a literal `&amp;`); otherwise entities are decoded.
 * Markup is flagged, raw or entity-encoded (a careless admin page decodes it): any LAN device writes these.
 */
export function finishDescriptions(raws: readonly RawMapping[]): ParsedMapping[] {
  const routerEscapes = !raws.some((raw) => UNESCAPED.test(unwrapCdata(raw.rawDescription) ?? raw.rawDescription));
  return raws.map(({ rawDescription, ...rest }) => {
    const cdata = unwrapCdata(rawDescription);
    const text = cdata ?? (routerEscapes ? decodeXmlText(rawDescription) : rawDescription);
    return { ...rest, description: text.slice(0, MAX_DESCRIPTION_CHARS), descriptionHasMarkup: MARKUP.test(rawDescription) || MARKUP.test(decodeXmlText(text)) };
  });
}

function unwrapCdata(raw: string): string | undefined {
  return /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw)?.[1];
}

const GENERIC_FIELDS = ['NewRemoteHost', 'NewExternalPort', 'NewProtocol', 'NewInternalPort', 'NewInternalClient', 'NewEnabled', 'NewLeaseDuration'] as const;

/** One GetGenericPortMappingEntry / GetSpecificPortMappingEntry answer. */
export function parseGenericEntry(body: string): RawMapping {
  const { values, hostileRaw } = extractArguments(body, GENERIC_FIELDS, 'NewPortMappingDescription');
  return {
    protocol: protocol(values.get('NewProtocol')),
    externalPort: port('externalPort', values.get('NewExternalPort'), true),
    internalClient: internalClient(values.get('NewInternalClient')),
    internalPort: port('internalPort', values.get('NewInternalPort'), true),
    rawDescription: hostileRaw ?? '',
    enabled: enabled(values.get('NewEnabled')),
    leaseDuration: uint32('leaseDuration', values.get('NewLeaseDuration')),
    remoteHost: remoteHost(values.get('NewRemoteHost')),
  };
}

export interface ListingParse {
  entries: RawMapping[];
  /** Text that did not parse as entries (damage or tampering); the caller falls back to the generic walk. */
  problems: string[];
}

const tag = (name: string): string => `<(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`;
const close = (name: string): string => `</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`;
const field = (name: string): string => `\\s*${tag(name)}([^<]*)${close(name)}`;
/** Everything up to the description is router-written and strictly shaped; the description is free text. */
const ENTRY_HEAD = new RegExp(
  `\\s*${tag('PortMappingEntry')}${field('NewRemoteHost')}${field('NewExternalPort')}${field('NewProtocol')}${field('NewInternalPort')}${field('NewInternalClient')}${field('NewEnabled')}\\s*${tag('NewDescription')}`,
  'y',
);
const ENTRY_TAIL = new RegExp(`${close('NewDescription')}${field('NewLeaseTime')}\\s*${close('PortMappingEntry')}(?=\\s*(?:${tag('PortMappingEntry')}|${close('PortMappingList')}))`, 'g');

/**
 * Parses the NewPortListing of GetListOfPortMappings (IGD v2). miniupnpd wraps the listing in CDATA and does
 * not escape descriptions inside it, so a description can contain text shaped like the end of an entry and the
 * start of another. That cannot be told apart in-band; this parser takes the first valid entry end after each
 * description, and `enumerate` cross-checks the total against the generic index before trusting the list.
 */
export function parsePortListing(responseBody: string): ListingParse {
  const span = hostileSpan(responseBody, 'NewPortListing');
  if (!span) return { entries: [], problems: ['NewPortListing missing from the answer'] };
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(span.inner);
  const listing = cdata ? (cdata[1] ?? '') : decodeXmlText(span.inner);
  const entries: RawMapping[] = [];
  const problems: string[] = [];
  const listStart = new RegExp(`${tag('PortMappingList')}|<(?:[A-Za-z_][\\w.-]*:)?PortMappingList\\s[^<>]*>`).exec(listing);
  if (!listStart) {
    if (listing.trim() !== '') problems.push('no PortMappingList element');
    return { entries, problems };
  }
  let position = listStart.index + listStart[0].length;
  for (;;) {
    ENTRY_HEAD.lastIndex = position;
    const head = ENTRY_HEAD.exec(listing);
    if (!head) break;
    ENTRY_TAIL.lastIndex = ENTRY_HEAD.lastIndex;
    const tail = ENTRY_TAIL.exec(listing);
    if (!tail) {
      problems.push(`entry at offset ${head.index} has no valid end`);
      break;
    }
    try {
      entries.push({
        protocol: protocol(decodeXmlText(head[3] ?? '').trim()),
        externalPort: port('externalPort', head[2]?.trim(), true),
        internalClient: internalClient(head[5]?.trim()),
        internalPort: port('internalPort', head[4]?.trim(), true),
        rawDescription: listing.slice(ENTRY_HEAD.lastIndex, tail.index),
        enabled: enabled(head[6]?.trim()),
        leaseDuration: uint32('leaseDuration', tail[1]?.trim()),
        remoteHost: remoteHost(head[1]?.trim()),
      });
    } catch (error) {
      problems.push((error as Error).message);
    }
    position = tail.index + tail[0].length;
  }
  if (!new RegExp(`^\\s*${close('PortMappingList')}`).test(listing.slice(position))) problems.push(`unparsed text at offset ${position}`);
  return { entries, problems };
}

export function mappingKey(mapping: Pick<ParsedMapping, 'protocol' | 'externalPort' | 'remoteHost'>): string {
  return `${mapping.protocol}/${mapping.externalPort}/${mapping.remoteHost}`;
}
