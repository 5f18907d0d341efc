import { UNSAFE_CHARS } from '../../src/core/unsafe-chars.js';
import type { InternetDbView } from '../../src/core/passive-view.js';

/**
 * Caps on what one InternetDB answer may put into a report. A real answer for a home address lists a handful of
 * ports and at most a few dozen CVEs; the caps leave room for a busy shared (MAP-E) address and stop a hostile or
 * runaway one. `ports` can never hold more than the 65,535 TCP ports; the byte cap (64 KiB) stops a long list
 * before it is parsed anyway.
 */
export const INTERNETDB_LIMITS = {
  maxBytes: 64 * 1024,
  ports: 65_535,
  vulns: 256,
  cpes: 64,
  tags: 32,
  hostnames: 32,
  /** A DNS name is at most 253 characters; a CPE 2.2 URI or a tag has no reason to be longer. */
  stringLength: 253,
} as const;

const CVE = /^CVE-\d{4}-\d{4,7}$/;

export type ParsedAnswer = Pick<InternetDbView, 'ports' | 'cpes' | 'vulns' | 'tags' | 'hostnames' | 'truncated'>;

function clean(value: string): string {
  return value.replace(UNSAFE_CHARS, '').trim().slice(0, INTERNETDB_LIMITS.stringLength);
}

/** A list of strings from the answer: non-strings dropped, each cleaned, duplicates once, at most `cap`. */
function strings(value: unknown, cap: number, keep: (text: string) => boolean = (text) => text !== ''): { items: string[]; cut: boolean } {
  if (!Array.isArray(value)) return { items: [], cut: false };
  const items = new Set<string>();
  let cut = false;
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string') continue;
    const text = clean(entry);
    if (!keep(text) || items.has(text)) continue;
    if (items.size >= cap) {
      cut = true;
      break;
    }
    items.add(text);
  }
  return { items: [...items], cut };
}

function ports(value: unknown): { items: number[]; cut: boolean } {
  if (!Array.isArray(value)) return { items: [], cut: false };
  const items = new Set<number>();
  let cut = false;
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'number' || !Number.isInteger(entry) || entry < 1 || entry > 65_535) continue;
    if (items.size >= INTERNETDB_LIMITS.ports && !items.has(entry)) {
      cut = true;
      break;
    }
    items.add(entry);
  }
  return { items: [...items].sort((a, b) => a - b), cut };
}

/**
 * The five documented fields of a 200 answer (research sheet 3.1: cpes, hostnames, ports, tags, vulns; `ip` is
 * ignored, the address asked about is the one recorded), each checked for its type and bounded; anything else in the
 * body is ignored. Undefined when the body is not a JSON object at all.
 */
export function parseInternetDbAnswer(body: string): ParsedAnswer | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const parts = {
    ports: ports(record['ports']),
    cpes: strings(record['cpes'], INTERNETDB_LIMITS.cpes),
    vulns: strings(record['vulns'], INTERNETDB_LIMITS.vulns, (text) => CVE.test(text)),
    tags: strings(record['tags'], INTERNETDB_LIMITS.tags),
    hostnames: strings(record['hostnames'], INTERNETDB_LIMITS.hostnames),
  };
  const truncated = Object.entries(parts).filter(([, part]) => part.cut).map(([name]) => name);
  return {
    ports: parts.ports.items,
    cpes: parts.cpes.items,
    vulns: parts.vulns.items,
    tags: parts.tags.items,
    hostnames: parts.hostnames.items,
    ...(truncated.length > 0 ? { truncated } : {}),
  };
}
