import type http from 'node:http';
import { httpRequest } from './http.js';
import { child, childText, decodeXmlText, parseXml } from './xml.js';
import { createError } from '../core/errors.js';

export interface SoapTarget {
  controlUrl: URL;
  serviceType: string;
}

export interface SoapCallOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  agent?: http.Agent;
}

/** UPnP error codes that the enumeration logic reacts to (UPnP IGD WANIPConnection:2 spec, table 2-4). */
export const UPNP_ERROR = {
  invalidArgs: 402,
  noSuchEntryInArray: 714,
  specifiedArrayIndexInvalid: 713,
} as const;

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Calls one UPnP action and returns the raw response body. Parsing is left to the caller because one field of
 * some answers (a port-mapping description) is written by any LAN device and may arrive as unescaped markup;
 * see `extractArguments`.
 */
export async function soapCall(target: SoapTarget, action: string, args: ReadonlyArray<readonly [string, string | number]>, options: SoapCallOptions = {}): Promise<string> {
  const argumentXml = args.map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`).join('');
  const body =
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(target.serviceType)}">${argumentXml}</u:${action}></s:Body></s:Envelope>\r\n`;
  const response = await httpRequest(target.controlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset="utf-8"',
      soapaction: `"${target.serviceType}#${action}"`,
    },
    body,
    ...options,
  });
  const text = response.body.toString('utf8');
  if (response.status === 200) return text;
  const fault = parseFault(text);
  if (fault) {
    throw createError('EXP_ERR_SOAP_FAULT', `${action} failed on ${target.controlUrl.host}: UPnP error ${fault.code}${fault.description ? ` (${fault.description})` : ''}`, {
      upnpErrorCode: fault.code,
      httpStatus: response.status,
    });
  }
  // TR-064 routers (FRITZ!Box on port 49000, many Huawei) answer most actions only after an HTTP digest login,
  // which this scanner never performs: say so, so the gap is not mistaken for a missing action.
  const loginWanted = response.status === 401 || response.status === 403;
  throw createError(
    'EXP_ERR_HTTP_STATUS',
    `${action} on ${target.controlUrl.host} answered HTTP ${response.status}${loginWanted ? ' (the router wants a login for this action; the scanner does not log in)' : ''}`,
    {
      httpStatus: response.status,
      hint: loginWanted
        ? 'TR-064 routers answer port-mapping actions only after a login. Enable UPnP port sharing (the UPnP forum IGD service), or read the table in the router\'s own interface.'
        : 'The router may not implement this action, or refused it.',
    },
  );
}

export function parseFault(text: string): { code: number; description: string } | undefined {
  let document: unknown;
  try {
    document = parseXml(text, { what: 'SOAP fault' });
  } catch {
    return undefined;
  }
  const upnpError = child(child(child(child(child(document, 'Envelope'), 'Body'), 'Fault'), 'detail'), 'UPnPError');
  const code = Number(childText(upnpError, 'errorCode'));
  if (!Number.isInteger(code)) return undefined;
  return { code, description: (childText(upnpError, 'errorDescription') ?? '').slice(0, 200) };
}

export interface ExtractedArguments {
  values: Map<string, string>;
  /** The hostile field exactly as sent (not decoded); undefined when absent. */
  hostileRaw: string | undefined;
}

/**
 * Pulls named out-arguments from a SOAP answer without letting one attacker-written field change another.
 *
 * The hostile field's content is taken from its FIRST opening tag to its LAST closing tag. Everything outside
 * that span was written by the router, so even a description like
 * `x</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient><NewPortMappingDescription>y`
 * stays inside the description, and the other fields are read only from the router's own text. (upnpc 2.2.4
 * reports 6.6.6.6 as the internal client for exactly this answer from miniupnpd 2.3.1.)
 */
export function extractArguments(body: string, names: readonly string[], hostileName?: string): ExtractedArguments {
  let routerText = body;
  let hostileRaw: string | undefined;
  if (hostileName) {
    const span = hostileSpan(body, hostileName);
    if (span) {
      routerText = body.slice(0, span.outerStart) + body.slice(span.outerEnd);
      hostileRaw = span.inner;
    }
  }
  const values = new Map<string, string>();
  for (const name of names) {
    const value = simpleElement(routerText, name);
    if (value !== undefined) values.set(name, value);
  }
  return { values, hostileRaw };
}

interface Span {
  outerStart: number;
  outerEnd: number;
  inner: string;
}

/**
 * Attributes of an opening tag: never `<` (not well-formed XML), which also keeps every search linear. With
 * `[^>]*`, each of thousands of `<Name ` candidates before one `>` (or none) was scanned to that `>` again: a
 * 1 MiB answer of `<NewPortMappingDescription ` cost 20 s of CPU (found by test/fuzz/soap-mapping.test.ts).
 */
const ATTRIBUTES = '(?:\\s[^<>]*)?';

export function hostileSpan(body: string, name: string): Span | undefined {
  const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}${ATTRIBUTES}(/?)>`).exec(body);
  if (!open) return undefined;
  if (open[1] === '/') return { outerStart: open.index, outerEnd: open.index + open[0].length, inner: '' };
  const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`, 'g');
  let last: RegExpExecArray | undefined;
  for (let match = close.exec(body); match; match = close.exec(body)) last = match;
  const innerStart = open.index + open[0].length;
  if (!last || last.index < innerStart) return undefined;
  return { outerStart: open.index, outerEnd: last.index + last[0].length, inner: body.slice(innerStart, last.index) };
}

function simpleElement(text: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}${ATTRIBUTES}(?:/>|>([^<]*)</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>)`).exec(text);
  if (!match) return undefined;
  return decodeXmlText(match[1] ?? '').trim();
}
