import { createError } from '../../core/errors.js';
import portSets from '../../../probes/wan-scan/port-sets.json' with { type: 'json' };

export type PortSetName = 'qnap' | 'common' | 'top1000' | 'all';
export const PORT_SET_NAMES: readonly PortSetName[] = ['qnap', 'common', 'top1000', 'all'];

/** Longest accepted spec; anything longer is not something a person typed. */
const MAX_SPEC_LENGTH = 4096;

function namedSet(name: PortSetName): number[] {
  if (name === 'all') return Array.from({ length: 65535 }, (_, index) => index + 1);
  return portSets[name];
}

/**
 * Parses `qnap`, `common`, `top1000`, `all`, single ports and ranges, comma separated: `qnap,8000-8100,9443`.
 * Strict: anything else is a usage error (the text may come from an API request, and never reaches nmap as is).
 */
export function parsePortSpec(spec: string): number[] {
  if (spec.length === 0 || spec.length > MAX_SPEC_LENGTH) throw createError('EXP_ERR_USAGE', `A port list must be 1 to ${MAX_SPEC_LENGTH} characters`);
  const ports = new Set<number>();
  for (const part of spec.split(',')) {
    const item = part.trim();
    if ((PORT_SET_NAMES as readonly string[]).includes(item)) {
      for (const port of namedSet(item as PortSetName)) ports.add(port);
      continue;
    }
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!match || first < 1 || last > 65535 || first > last) {
      throw createError('EXP_ERR_USAGE', `"${item.slice(0, 40)}" is not a port, a range (1-65535) or one of ${PORT_SET_NAMES.join(', ')}`, {
        hint: 'Example: --ports qnap,8000-8100',
      });
    }
    for (let port = first; port <= last; port++) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
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
