import { execFile } from 'node:child_process';
import net from 'node:net';

/** One row of the kernel's neighbour table: an address a device on the link used, and that device's MAC. */
export interface Neighbour {
  address: string;
  mac: string;
  interface: string;
  /** The device announced itself as a router (IPv6 NDP R flag). */
  router: boolean;
  state: string[];
}

export interface NeighbourTable {
  neighbours: Neighbour[];
  /** Entries beyond `maxEntries`, not read. */
  truncated: boolean;
  /** Entries dropped because a field was missing or malformed (any LAN device fills this table). */
  rejected: number;
}

/**
 * Bounds on the table. The kernel keeps at most net.ipv6.neigh.default.gc_thresh3 entries (1,024 by default), so a
 * real table is far below these; a larger one is a flood from some device, and is cut, not trusted.
 */
export const NEIGHBOUR_LIMITS = { maxBytes: 2 * 1024 * 1024, maxEntries: 4096, timeoutMs: 3000 } as const;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const INTERFACE = /^[A-Za-z0-9_.@-]{1,32}$/;
/** States whose entry has no usable MAC (the device did not answer), or one no longer in use. */
const UNUSABLE = new Set(['FAILED', 'INCOMPLETE', 'NOARP', 'NONE']);

function entry(value: unknown, family: 4 | 6): Neighbour | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const row = value as Record<string, unknown>;
  const { dst, lladdr, dev } = row;
  if (typeof dst !== 'string' || typeof lladdr !== 'string' || typeof dev !== 'string') return undefined;
  // ip prints no zone id (fe80::1%eth0): one in the table is not ip's output.
  if (dst.length > 45 || dst.includes('%') || net.isIP(dst) !== family || !INTERFACE.test(dev)) return undefined;
  const mac = lladdr.toLowerCase();
  if (!MAC.test(mac) || mac === '00:00:00:00:00:00' || mac === 'ff:ff:ff:ff:ff:ff') return undefined;
  const state = Array.isArray(row['state']) ? row['state'].filter((item): item is string => typeof item === 'string' && item.length <= 16).slice(0, 8) : [];
  if (state.some((item) => UNUSABLE.has(item))) return undefined;
  return { address: dst.toLowerCase(), mac, interface: dev, router: row['router'] !== undefined && row['router'] !== false, state };
}

/**
 * Reads `ip -j neigh show` output. Defensive on purpose: the table holds whatever the devices on the link said, so
 * size is checked before parsing, the document must be a JSON array, and each row is checked field by field.
 */
export function parseNeighbourJson(text: string, family: 4 | 6, limits: { maxBytes?: number; maxEntries?: number } = {}): NeighbourTable {
  const maxBytes = limits.maxBytes ?? NEIGHBOUR_LIMITS.maxBytes;
  const maxEntries = limits.maxEntries ?? NEIGHBOUR_LIMITS.maxEntries;
  if (Buffer.byteLength(text) > maxBytes) throw new Error(`the neighbour table is larger than ${maxBytes} bytes`);
  const trimmed = text.trim();
  if (trimmed === '') return { neighbours: [], truncated: false, rejected: 0 };
  let document: unknown;
  try {
    document = JSON.parse(trimmed);
  } catch {
    throw new Error('the neighbour table is not JSON (ip -j)');
  }
  if (!Array.isArray(document)) throw new Error('the neighbour table is not a JSON array');
  const neighbours: Neighbour[] = [];
  const seen = new Set<string>();
  let rejected = 0;
  for (const value of document.slice(0, maxEntries)) {
    const row = entry(value, family);
    if (!row) {
      rejected++;
      continue;
    }
    const key = `${row.address} ${row.interface}`;
    if (seen.has(key)) continue;
    seen.add(key);
    neighbours.push(row);
  }
  return { neighbours, truncated: document.length > maxEntries, rejected };
}

/** Runs `ip` with arguments and returns its standard output: injectable, so tests feed recorded or hostile tables. */
export type IpRunner = (args: readonly string[], options: { signal: AbortSignal; timeoutMs: number; maxBytes: number }) => Promise<string>;

export const runIp: IpRunner = (args, options) =>
  new Promise((resolve, reject) => {
    execFile('ip', [...args], { signal: options.signal, timeout: options.timeoutMs, maxBuffer: options.maxBytes, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error: Error | null, stdout: string) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });

/**
 * The kernel's neighbour table for one family (`ip -j -6 neigh show`), optionally of one interface. Reading it
 * sends nothing on the network. Throws when `ip` is missing, slow, or says something unreadable.
 */
export async function readNeighbours(family: 4 | 6, options: { signal: AbortSignal; interface?: string; run?: IpRunner; timeoutMs?: number }): Promise<NeighbourTable> {
  if (options.interface !== undefined && !INTERFACE.test(options.interface)) throw new Error(`interface name ${JSON.stringify(options.interface.slice(0, 40))} is not one ip accepts`);
  const args = ['-j', `-${family}`, 'neigh', 'show', ...(options.interface !== undefined ? ['dev', options.interface] : [])];
  const text = await (options.run ?? runIp)(args, { signal: options.signal, timeoutMs: options.timeoutMs ?? NEIGHBOUR_LIMITS.timeoutMs, maxBytes: NEIGHBOUR_LIMITS.maxBytes });
  return parseNeighbourJson(text, family);
}
