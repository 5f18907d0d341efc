import net from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { createError } from '../../core/errors.js';
import { decodeXmlText } from '../xml.js';
import { ipv6Value } from './ipv6.js';
import type { PortResult, PortState } from './types.js';

/**
 * A port line is 100 to 400 characters with -sV, so even 65,535 listed ports stay well under this; anything
 * larger is not nmap talking to us.
 */
import { MAX_NMAP_XML_CHARS } from './nmap-limits.js';

export { MAX_NMAP_XML_CHARS };

/** Script tables nest (script > table > table > elem); real output stays far below this. */
const MAX_DEPTH = 64;

/** nmap's banner script cuts at about 63 characters at verbosity 0; this only bounds a forged document. */
const MAX_BANNER_CHARS = 1024;

const ARRAYS = new Set(['host', 'address', 'hostname', 'port', 'script', 'extraports', 'extrareasons']);

const ATTR = '@_';

export interface NmapXmlRequest {
  /** The address that was scanned; only the <host> with this address (IPv4, or IPv6 in any spelling) is read. */
  target: string;
  /** The ports that were asked for: every one of them gets a result, and no other port does. */
  ports: readonly number[];
}

export interface NmapXmlScan {
  /**
   * `found`: `ports` holds one result per requested port, in the order asked. `timed-out`: nmap gave up on the
   * host (--host-timeout) and printed no port at all. `missing`: no <host> for the target (nmap failed early).
   */
  host: 'found' | 'timed-out' | 'missing';
  ports: PortResult[];
  /** Things in the document worth telling the user: unusual states, ports nmap did not account for. */
  warnings: string[];
  nmapVersion?: string;
  /** runstats/finished errormsg, when nmap says the run failed. */
  errorMessage?: string;
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nodes(parent: unknown, name: string): Node[] {
  if (!isNode(parent)) return [];
  const value = parent[name];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter(isNode);
}

function attr(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const value = node[ATTR + name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * nmap's XML carries a bare `<!DOCTYPE nmaprun>`; an internal subset is where entity bombs and external entities
 * live, and nmap never writes one. Refused before the parser sees it rather than trusted to the parser's limits.
 */
function refuseDeclarations(text: string): void {
  const doctypes = text.match(/<!DOCTYPE[^>]*>?/gi) ?? [];
  if (doctypes.length > 1 || doctypes.some((doctype) => doctype !== '<!DOCTYPE nmaprun>') || /<!ENTITY/i.test(text)) {
    throw createError('EXP_ERR_XML_INVALID', 'nmap output declares a DOCTYPE other than nmaprun or an entity; nmap never does, refusing to parse it');
  }
}

/**
 * Where nmap's state and our -sT meaning differ, the port becomes `filtered` ("could not tell"): we never call a
 * port open without an accepted connection, nor closed without a refusal. `open|filtered` (no answer at all, from
 * UDP/FIN/NULL scans) is what `filtered` means here; `closed|filtered` (idle scan could not tell) and
 * `unfiltered` (ACK scan: a RST came back, from an open port as much as a closed one) would hide an exposure if
 * called closed. None of the three occurs with -sT or -sS; each is kept in a warning when it does.
 */
function mapState(raw: string): { state: PortState; exact: boolean } {
  if (raw === 'open' || raw === 'closed' || raw === 'filtered') return { state: raw, exact: true };
  return { state: 'filtered', exact: false };
}

/** Port numbers index these tables: a full-range scan touches 65,535 ports, and Sets and Maps that size cost tens of ms. */
const PORT_TABLE_SIZE = 65536;
const STATE_CODES: readonly PortState[] = ['open', 'closed', 'filtered'];

/**
 * nmap names each port once across all extrareasons lists, so a real document walks at most 65,535 ports. A forged
 * one repeating `1-65535` thousands of times would walk each repeat (a 16 KB document cost 4 s, found by
 * test/fuzz/nmap-xml.test.ts); past this budget the lists are no longer read.
 */
const MAX_LISTED_PORT_VISITS = PORT_TABLE_SIZE * 4;

/**
 * Calls back for each port of an nmap port list ("1-3,80", extrareasons' ports attribute) that was asked for.
 * False when the shared budget of port visits ran out (the rest of the list was not read).
 */
function forEachListedPort(list: string, wanted: Uint8Array, budget: { left: number }, each: (port: number) => void): boolean {
  for (const part of list.split(',')) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    if (!match) continue;
    const first = Math.max(Number(match[1]), 1);
    const last = match[2] === undefined ? Number(match[1]) : Math.min(Number(match[2]), 65535);
    if (last < first) continue;
    budget.left -= last - first + 1;
    if (budget.left < 0) return false;
    for (let port = first; port <= last; port++) if (wanted[port] === 1) each(port);
  }
  return true;
}

/** nmap's banner script hex-escapes every non-printable byte (\x0D) and wraps at 75 columns with real newlines. */
function bannerFrom(scripts: Node[]): string | undefined {
  const output = attr(scripts.find((script) => attr(script, 'id') === 'banner'), 'output');
  return output?.replace(/\n/g, '').slice(0, MAX_BANNER_CHARS);
}

function portResult(port: number, node: Node, warnings: string[]): PortResult {
  const raw = attr(nodes(node, 'state')[0], 'state') ?? 'unknown';
  const { state, exact } = mapState(raw);
  if (!exact) warnings.push(`nmap reported port ${port} as "${raw.slice(0, 40)}"; recorded as filtered (not confirmed open or closed)`);
  const result: PortResult = { port, protocol: 'tcp', state };
  const service = nodes(node, 'service')[0];
  const name = attr(service, 'name');
  const product = attr(service, 'product');
  const version = attr(service, 'version');
  const banner = bannerFrom(nodes(node, 'script'));
  if (name !== undefined) result.service = name;
  if (product !== undefined) result.product = product;
  if (version !== undefined) result.version = version;
  if (banner !== undefined) result.banner = banner;
  return result;
}

function parseDocument(text: string): unknown {
  // The parser accepts unclosed elements, so output cut short (nmap killed, a full pipe) would pass for a complete
  // scan with ports missing. nmap closes the document even when it fails (runstats exit="error").
  if (!text.trimEnd().endsWith('</nmaprun>')) throw createError('EXP_ERR_XML_INVALID', 'nmap output is cut short: no closing </nmaprun>');
  const parser = new XMLParser({
    ignoreAttributes: false,
    // Prefixed so an attribute can never merge with a child element of the same name (port@state vs <state>).
    attributeNamePrefix: ATTR,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    // Script output is full of &#xa;. The parser's own decoder does numeric references only with `htmlEntities`
    // (deprecated in 5.12, and it adds HTML's named entities); nmap writes the five XML entities and numeric
    // references, which is exactly what decodeXmlText reads. Entities a DOCTYPE declares are dropped unread.
    processEntities: true,
    entityDecoder: {
      decode: decodeXmlText,
      addInputEntities: () => undefined,
      setExternalEntities: () => undefined,
      reset: () => undefined,
      setXmlVersion: () => undefined,
    },
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_DEPTH,
    isArray: (name) => ARRAYS.has(name),
  });
  try {
    return parser.parse(text);
  } catch (error) {
    throw createError('EXP_ERR_XML_INVALID', `nmap output is not well-formed XML: ${(error as Error).message.slice(0, 200)}`, { cause: error });
  }
}

/**
 * Whether an <address> record names the target: an ipv4 record by its text, an ipv6 one by value (nmap prints
 * the compressed form; the target may be spelled another way). A MAC record never matches.
 */
function sameAddress(address: Node, target: string): boolean {
  const addr = attr(address, 'addr');
  const type = attr(address, 'addrtype') ?? 'ipv4';
  if (addr === undefined) return false;
  if (type === 'ipv4') return addr === target && net.isIPv4(target);
  if (type !== 'ipv6' || addr.length > 45) return false;
  const seen = ipv6Value(addr);
  return seen !== undefined && seen === ipv6Value(target);
}

/**
 * Reads nmap -oX output for one IPv4 or IPv6 target. Unlisted requested ports take the state of nmap's `<extraports>`
 * summary: by the `ports` list nmap 7.x puts in `<extrareasons>`, else by the only summary there is. A port
 * nmap accounts for nowhere is `filtered` with a warning, never silently left out.
 */
export function parseNmapXml(text: string, request: NmapXmlRequest): NmapXmlScan {
  if (text.length > MAX_NMAP_XML_CHARS) {
    throw createError('EXP_ERR_XML_INVALID', `nmap output is larger than ${MAX_NMAP_XML_CHARS / 1024 / 1024} MiB; refusing to parse it`);
  }
  refuseDeclarations(text);
  const document = parseDocument(text);
  const run = nodes(document, 'nmaprun')[0];
  if (run === undefined) throw createError('EXP_ERR_XML_INVALID', 'nmap output has no <nmaprun> element');

  const warnings: string[] = [];
  const scan: NmapXmlScan = { host: 'missing', ports: [], warnings };
  const nmapVersion = attr(run, 'version');
  if (nmapVersion !== undefined) scan.nmapVersion = nmapVersion;
  const finished = nodes(nodes(run, 'runstats')[0], 'finished')[0];
  const errorMessage = attr(finished, 'errormsg');
  if (errorMessage !== undefined) scan.errorMessage = errorMessage;

  const host = nodes(run, 'host').find((candidate) => nodes(candidate, 'address').some((address) => sameAddress(address, request.target)));
  if (host === undefined) return scan;
  if (attr(host, 'timedout') === 'true') return { ...scan, host: 'timed-out' };

  const wanted = new Uint8Array(PORT_TABLE_SIZE);
  for (const port of request.ports) if (Number.isInteger(port) && port >= 1 && port < PORT_TABLE_SIZE) wanted[port] = 1;
  const listed = new Map<number, PortResult>();
  const ignored: string[] = [];
  const portsNode = nodes(host, 'ports')[0];
  for (const node of nodes(portsNode, 'port')) {
    const port = Number(attr(node, 'portid'));
    if (attr(node, 'protocol') !== 'tcp' || wanted[port] !== 1 || listed.has(port)) {
      ignored.push(`${attr(node, 'protocol') ?? '?'}/${(attr(node, 'portid') ?? '?').slice(0, 12)}`);
      continue;
    }
    listed.set(port, portResult(port, node, warnings));
  }
  if (ignored.length > 0) warnings.push(`nmap listed ports that were not asked for, ignored: ${ignored.slice(0, 10).join(', ')}${ignored.length > 10 ? ', ...' : ''}`);

  // 0: not summarised; otherwise 1 + the index of the state in STATE_CODES.
  const summarised = new Uint8Array(PORT_TABLE_SIZE);
  const blanketStates: { raw: string; state: PortState }[] = [];
  const budget = { left: MAX_LISTED_PORT_VISITS };
  for (const extra of nodes(portsNode, 'extraports')) {
    const raw = attr(extra, 'state') ?? 'unknown';
    const { state, exact } = mapState(raw);
    if (!exact) warnings.push(`nmap summarised ports as "${raw.slice(0, 40)}"; recorded as filtered (not confirmed open or closed)`);
    const reasons = nodes(extra, 'extrareasons');
    const lists = reasons.map((reason) => attr(reason, 'ports')).filter((list) => list !== undefined);
    if (reasons.length > 0 && lists.length === reasons.length) {
      const code = STATE_CODES.indexOf(state) + 1;
      for (const list of lists) {
        const whole = forEachListedPort(list, wanted, budget, (port) => {
          if (!listed.has(port)) summarised[port] = code;
        });
        if (!whole) break;
      }
    } else {
      blanketStates.push({ raw, state });
    }
  }

  let unaccounted = 0;
  scan.ports = request.ports.map((port) => {
    const result = listed.get(port);
    if (result !== undefined) return result;
    const code = summarised[port] ?? 0;
    const state = code > 0 ? STATE_CODES[code - 1] : blanketStates.length === 1 ? blanketStates[0]?.state : undefined;
    if (state !== undefined) return { port, protocol: 'tcp', state };
    unaccounted++;
    return { port, protocol: 'tcp', state: 'filtered' };
  });
  if (unaccounted > 0) {
    warnings.push(`nmap did not account for ${unaccounted} requested port(s)${blanketStates.length > 1 ? ` (summaries: ${blanketStates.map((entry) => entry.raw).join(', ')})` : ''}; recorded as filtered`);
  }
  scan.host = 'found';
  return scan;
}
