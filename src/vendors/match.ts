import { decodeXmlText } from '../net/xml.js';
import type { Condition, Extraction, Fingerprint, Indicator } from './load.js';
import { UNSAFE_CHARS } from '../core/unsafe-chars.js';

/** What one request got back, as the matcher sees it. Everything in it is attacker-controlled. */
export interface HttpAnswer {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
  title: string | undefined;
}

export interface CertAnswer {
  subject: Readonly<Record<string, string>>;
  issuer: Readonly<Record<string, string>>;
  selfSigned: boolean;
}

export type ExtractedField = Exclude<Extraction['field'], 'flags' | 'versionPart'>;

export interface Extracted {
  fields: Partial<Record<ExtractedField, string>>;
  /** versionPart extractions, by part name (QNAP's number and build). */
  parts: Record<string, string>;
  flags: Record<string, string>;
}

/** A matcher: a fingerprint or an indicator of compromise (both have a match block). */
export type Matcher = Pick<Fingerprint, 'match'> | Pick<Indicator, 'match'>;

/** Longest text kept from any extracted value: model names and versions are short; anything longer is noise. */
const MAX_VALUE = 100;
/** Element contents further than this from the opening tag are not looked at. */
const MAX_ELEMENT = 1000;
/** A title is looked for in the head of the page only. */
const TITLE_WINDOW = 64 * 1024;
/** JSON nested deeper than this is not looked into (a pointer has at most 8 steps anyway). */
const MAX_JSON_DEPTH = 64;


/** Control and bidi characters out, whitespace collapsed, length capped: what goes into the report. */
export function cleanValue(text: string, max = MAX_VALUE): string {
  return text.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

export function titleOf(body: string): string | undefined {
  const match = /<title[^>]{0,100}>([^<]{0,500})<\/title>/i.exec(body.slice(0, TITLE_WINDOW));
  if (!match?.[1]) return undefined;
  const title = cleanValue(decodeXmlText(match[1]), 200);
  return title === '' ? undefined : title;
}

/**
 * The text of the first <tag>...</tag> (CDATA unwrapped, the five XML entities decoded), or undefined when the
 * element is missing, not closed nearby, or holds markup. A string search, not a parser: QNAP's answers are
 * flat, and a look-up that never builds a tree cannot be made to explode by a hostile document.
 */
export function xmlTagText(body: string, tag: string): string | undefined {
  const open = `<${tag}>`;
  const start = body.indexOf(open);
  if (start < 0) return undefined;
  const from = start + open.length;
  const end = body.indexOf(`</${tag}>`, from);
  if (end < 0 || end - from > MAX_ELEMENT) return undefined;
  let inner = body.slice(from, end).trim();
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(inner);
  if (cdata) inner = cdata[1] ?? '';
  else if (inner.includes('<')) return undefined;
  else inner = decodeXmlText(inner);
  return cleanValue(inner);
}

function headerText(headers: HttpAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const parsedJson = new WeakMap<HttpAnswer, unknown>();

/** The body as JSON, parsed once per answer; undefined when it is not JSON or nests too deep. */
function jsonOf(answer: HttpAnswer): unknown {
  if (parsedJson.has(answer)) return parsedJson.get(answer);
  let value: unknown;
  const text = answer.body.trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    // Depth is counted on the text first: JSON.parse itself recurses, and a hostile body could nest it to a stack overflow.
    let depth = 0;
    let deepest = 0;
    for (const char of text) {
      if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
      else if (char === '}' || char === ']') depth--;
    }
    if (deepest <= MAX_JSON_DEPTH) {
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        value = undefined;
      }
    }
  }
  parsedJson.set(answer, value);
  return value;
}

/** The value at an RFC 6901 pointer, as text when it is a string, number or boolean. */
export function jsonPointerText(document: unknown, pointer: string): string | undefined {
  let current: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^\d{1,6}$/.test(key)) current = current[Number(key)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, key)) current = (current as Record<string, unknown>)[key];
    else return undefined;
  }
  return typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean' ? cleanValue(String(current)) : undefined;
}

function sourceText(condition: Condition | Extraction, answer: { http?: HttpAnswer; cert?: CertAnswer }): string | number | boolean | undefined {
  const http = answer.http;
  const cert = answer.cert;
  switch (condition.source ?? 'body') {
    case 'json':
      return http && 'pointer' in condition && condition.pointer !== undefined ? jsonPointerText(jsonOf(http), condition.pointer) : undefined;
    case 'xml':
      return http && condition.xmlTag !== undefined ? xmlTagText(http.body, condition.xmlTag) : undefined;
    case 'status':
      return http?.status;
    case 'body':
      return http?.body;
    case 'title':
      return http?.title;
    case 'header':
      return http && condition.header !== undefined ? headerText(http.headers, condition.header) : undefined;
    case 'cert.subject':
      return cert && 'attribute' in condition && condition.attribute !== undefined ? cert.subject[condition.attribute] : undefined;
    case 'cert.issuer':
      return cert && 'attribute' in condition && condition.attribute !== undefined ? cert.issuer[condition.attribute] : undefined;
    case 'cert.selfSigned':
      return cert?.selfSigned;
  }
}

const compiled = new Map<string, RegExp>();

function regex(pattern: string, ignoreCase = false): RegExp {
  const key = `${ignoreCase ? 'i' : ''}/${pattern}`;
  let expression = compiled.get(key);
  if (!expression) {
    expression = new RegExp(pattern, ignoreCase ? 'i' : '');
    compiled.set(key, expression);
  }
  return expression;
}

/** The text that satisfied the condition (for the evidence), or undefined when it does not hold. */
export function conditionMatch(condition: Condition, answer: { http?: HttpAnswer; cert?: CertAnswer }): string | undefined {
  const value = sourceText(condition, answer);
  if (value === undefined) return undefined;
  const label = condition.source === 'header' ? `${condition.header ?? ''}: ` : condition.attribute !== undefined ? `${condition.attribute}=` : condition.pointer !== undefined ? `${condition.pointer}=` : condition.xmlTag !== undefined ? `<${condition.xmlTag}>` : '';
  if (condition.equals !== undefined) {
    const holds = typeof value === 'string' && typeof condition.equals === 'string' && condition.ignoreCase ? value.toLowerCase() === condition.equals.toLowerCase() : value === condition.equals;
    return holds ? `${condition.source} ${label}${String(value)}` : undefined;
  }
  if (condition.in !== undefined) return typeof value === 'number' && condition.in.includes(value) ? `${condition.source} ${value}` : undefined;
  if (typeof value !== 'string') return undefined;
  if (condition.contains !== undefined) {
    const holds = condition.ignoreCase ? value.toLowerCase().includes(condition.contains.toLowerCase()) : value.includes(condition.contains);
    return holds ? `${label}${condition.contains}` : undefined;
  }
  if (condition.regex !== undefined) {
    const match = regex(condition.regex, condition.ignoreCase).exec(value);
    return match ? `${label}${match[0]}` : undefined;
  }
  return undefined;
}

/** Whether the answer satisfies the fingerprint (or indicator), and the quoted text that did (for the report's evidence). */
export function matchFingerprint(fingerprint: Matcher, answer: { http?: HttpAnswer; cert?: CertAnswer }): string | undefined {
  const quotes: string[] = [];
  for (const condition of fingerprint.match.all ?? []) {
    const quote = conditionMatch(condition, answer);
    if (quote === undefined) return undefined;
    quotes.push(quote);
  }
  const any = fingerprint.match.any;
  if (any) {
    const quote = any.map((condition) => conditionMatch(condition, answer)).find((candidate) => candidate !== undefined);
    if (quote === undefined) return undefined;
    quotes.push(quote);
  }
  return cleanValue(quotes.map((quote) => quote.slice(0, 120)).join('; '), 500);
}

/** Named values out of a matched answer. The first extraction of a field that yields something wins. */
export function extract(fingerprint: Pick<Fingerprint, 'extract'>, answer: { http?: HttpAnswer }): Extracted {
  const result: Extracted = { fields: {}, parts: {}, flags: {} };
  for (const extraction of fingerprint.extract ?? []) {
    if (extraction.pointer !== undefined) {
      const value = answer.http ? jsonPointerText(jsonOf(answer.http), extraction.pointer) : undefined;
      if (value !== undefined && value !== '') store(result, extraction, value);
      continue;
    }
    const source = sourceText(extraction, answer);
    if (typeof source !== 'string') continue;
    if (extraction.field === 'flags') {
      for (const tag of extraction.xmlTags ?? []) {
        const value = xmlTagText(source, tag);
        if (value !== undefined && value !== '') result.flags[tag] = value;
      }
      continue;
    }
    if (extraction.field === 'versionPart' ? result.parts[extraction.part ?? ''] !== undefined : result.fields[extraction.field] !== undefined) continue;
    let value: string | undefined;
    if (extraction.xmlTag !== undefined) value = xmlTagText(source, extraction.xmlTag);
    else if (extraction.regex !== undefined) {
      const captured = regex(extraction.regex).exec(source)?.[1];
      value = captured === undefined ? undefined : cleanValue(captured);
    }
    if (value !== undefined && value !== '') store(result, extraction, value);
  }
  return result;
}

/** The row of a lookup table holding a number: a value told only as a number (a build) becomes what it stands for. */
export function mapValue(map: NonNullable<Extraction['map']>, text: string): string | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const number = Number(text);
  return map.find((row) => (row.from === undefined || number >= row.from) && (row.below === undefined || number < row.below))?.value;
}

/** The first value of a field wins. */
function store(result: Extracted, extraction: Extraction, read: string): void {
  if (extraction.field === 'flags') return;
  const value = extraction.map ? mapValue(extraction.map, read) : read;
  if (value === undefined) return;
  if (extraction.field === 'versionPart') {
    const part = extraction.part ?? '';
    if (result.parts[part] === undefined) result.parts[part] = value;
    return;
  }
  result.fields[extraction.field] ??= value;
}
