import { createError } from '../../core/errors.js';
import { terminalSafe } from '../../report/sanitize.js';
import portSets from '../../../probes/wan-scan/port-sets.json' with { type: 'json' };

export type PortSetName = 'qnap' | 'common' | 'top1000' | 'all';
export const PORT_SET_NAMES: readonly PortSetName[] = ['qnap', 'common', 'top1000', 'all'];

/** Longest accepted spec; anything longer is not something a person typed (nmap's top 1000 as ranges is 3,813). */
export const MAX_SPEC_LENGTH = 4096;
/** Most comma-separated items in one spec (nmap's top 1000 as ranges is 610 items). */
export const MAX_SPEC_ITEMS = 1024;

const MAX_PORT = 65535;
/** One item: a set name or a port or a range, with spaces or tabs around it and nothing else. */
const ITEM = /^[ \t]*(?:(qnap|common|top1000|all)|(\d{1,5})(?:-(\d{1,5}))?)[ \t]*$/;

type Item = { set: PortSetName } | { first: number; last: number };

function usage(message: string): Error {
  return createError('EXP_ERR_USAGE', message, { hint: `Example: --ports qnap,8000-8100 (at most ${MAX_SPEC_ITEMS} items, ${MAX_SPEC_LENGTH} characters)` });
}

/** A bounded, escaped excerpt of refused input for an error message: no control character, no page of text. */
function excerpt(text: string): string {
  return `"${terminalSafe(text.slice(0, 40))}${text.length > 40 ? '...' : ''}"`;
}

/** Size and shape first, every item read, nothing expanded: a refused spec costs its length and no more. */
function readItems(spec: unknown): Item[] {
  if (typeof spec !== 'string' || spec.length === 0 || spec.length > MAX_SPEC_LENGTH) {
    throw usage(`A port list must be 1 to ${MAX_SPEC_LENGTH} characters${typeof spec === 'string' && spec.length > 0 ? `, not ${spec.length}` : ''}`);
  }
  // The split stops one past the cap, so a spec of commas does not build a long array just to be refused.
  const parts = spec.split(',', MAX_SPEC_ITEMS + 1);
  if (parts.length > MAX_SPEC_ITEMS) throw usage(`A port list has at most ${MAX_SPEC_ITEMS} comma-separated items`);
  return parts.map((part) => {
    const match = ITEM.exec(part);
    if (match?.[1] !== undefined) return { set: match[1] as PortSetName };
    const first = Number(match?.[2]);
    const last = match?.[3] === undefined ? first : Number(match[3]);
    if (!match || first < 1 || last > MAX_PORT || first > last) {
      throw usage(`${excerpt(part.trim())} is not a port, a range (1-${MAX_PORT}) or one of ${PORT_SET_NAMES.join(', ')}`);
    }
    return { first, last };
  });
}

/**
 * Parses `qnap`, `common`, `top1000`, `all`, single ports and ranges, comma separated: `qnap,8000-8100,9443`.
 * Strict: anything else is a usage error (the text may come from an API or agent request, and never reaches nmap
 * as is). The work is linear in the spec's length and capped, whatever it holds: each range is two marks in a
 * difference array, each set is expanded once however often it is named, and the result is read off in one pass.
 */
export function parsePortSpec(spec: string): number[] {
  const items = readItems(spec);
  // delta[p] counts ranges opening at p minus those closed before p; a running sum > 0 means "p is asked for".
  const delta = new Int32Array(MAX_PORT + 2);
  const mark = (first: number, last: number): void => {
    delta[first] = (delta[first] ?? 0) + 1;
    delta[last + 1] = (delta[last + 1] ?? 0) - 1;
  };
  const setsSeen = new Set<PortSetName>();
  for (const item of items) {
    if ('first' in item) {
      mark(item.first, item.last);
    } else if (!setsSeen.has(item.set)) {
      setsSeen.add(item.set);
      if (item.set === 'all') mark(1, MAX_PORT);
      else for (const port of portSets[item.set]) mark(port, port);
    }
  }
  // Two passes over the marks: count, then fill an array of the right size (growing one by push is the slow part).
  let count = 0;
  let open = 0;
  for (let port = 1; port <= MAX_PORT; port++) {
    open += delta[port] ?? 0;
    if (open > 0) count++;
  }
  const ports = new Array<number>(count);
  let next = 0;
  open = 0;
  for (let port = 1; port <= MAX_PORT; port++) {
    open += delta[port] ?? 0;
    if (open > 0) ports[next++] = port;
  }
  return ports;
}

/** Compact form for command lines and reports: 1-3,8080 */
export function formatPortList(ports: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const port of ports) {
    if (start !== undefined && previous !== undefined && port === previous + 1) {
      previous = port;
      continue;
    }
    if (start !== undefined && previous !== undefined) parts.push(start === previous ? String(start) : `${start}-${previous}`);
    start = port;
    previous = port;
  }
  if (start !== undefined && previous !== undefined) parts.push(start === previous ? String(start) : `${start}-${previous}`);
  return parts.join(',');
}
