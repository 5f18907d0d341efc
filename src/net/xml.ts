import { XMLParser } from 'fast-xml-parser';
import { createError } from '../core/errors.js';

/** Nesting seen in real IGD descriptions is about 10 levels; anything far deeper is an attack, not a router. */
const MAX_DEPTH = 32;

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references, nothing else. Entity expansion in
 * the parser stays off: UPnP never needs a DOCTYPE, and user-defined entities are how XML bombs work.
 */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const codePoint = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

export interface ParseXmlOptions {
  /** Element names (without namespace prefix) that must always be arrays, e.g. `service`, `device`. */
  arrays?: readonly string[];
  what: string;
}

/** Parses untrusted XML into plain objects with namespace prefixes removed and every value kept as a string. */
export function parseXml(text: string, options: ParseXmlOptions): unknown {
  if (/<!DOCTYPE/i.test(text)) {
    throw createError('EXP_ERR_XML_INVALID', `${options.what} contains a DOCTYPE, which UPnP never uses; refusing to parse it`, {
      hint: 'The device may be trying to attack XML parsers; treat it as suspicious.',
    });
  }
  const arrays = new Set(options.arrays ?? []);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: false,
    maxNestedTags: MAX_DEPTH,
    isArray: (name) => arrays.has(name),
    tagValueProcessor: (_name, value) => decodeXmlText(value),
  });
  try {
    return parser.parse(text);
  } catch (error) {
    throw createError('EXP_ERR_XML_INVALID', `${options.what} is not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
}

export type XmlNode = Record<string, unknown>;

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function child(node: unknown, name: string): unknown {
  return isNode(node) ? node[name] : undefined;
}

/** The text of a child element, or undefined when it is missing or is itself structured (never coerced). */
export function childText(node: unknown, name: string): string | undefined {
  const value = child(node, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function childArray(node: unknown, name: string): unknown[] {
  const value = child(node, name);
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
