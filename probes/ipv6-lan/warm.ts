import { execFile } from 'node:child_process';
import net from 'node:net';
import type { ObservationKinds } from '../../src/core/observation.js';

type Ipv6Inventory = ObservationKinds['ipv6-inventory'];
type Ipv6LanAddress = ObservationKinds['ipv6-address'];

/** Runs `ping` with these arguments; resolves with its exit code and output (cut at maxBytes). */
export type PingRunner = (args: readonly string[], options: { signal: AbortSignal; timeoutMs: number; maxBytes: number }) => Promise<{ code: number; stdout: string }>;

export const WARM_LIMITS = { timeoutMs: 3000, maxBytes: 64 * 1024, maxInterfaces: 4, maxReplyLines: 1024 } as const;

const INTERFACE = /^[A-Za-z0-9_.@-]{1,32}$/;

export const runPing: PingRunner = (args, options) =>
  new Promise((resolve, reject) => {
    execFile('ping', [...args], { signal: options.signal, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: options.maxBytes, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error: Error | null, stdout: string) => {
      // ping exits 1 when no reply came before the deadline: sent all the same.
      const code: unknown = error ? (error as { code?: unknown }).code : 0;
      if (error && typeof code !== 'number') reject(error);
      else resolve({ code: typeof code === 'number' ? code : 0, stdout });
    });
  });

export interface Warmed {
  status: Ipv6Inventory['warm'];
  /** Distinct addresses that answered the echo (the devices whose solicitations now fill the table). */
  replies: number;
  error?: string;
}

/**
 * One ICMPv6 echo to ff02::1 (all nodes) per interface with a global address of this host's own, from that
 * address, before the neighbour table is read (the scan6 method, research sheet §2.3): every node answers to our
 * global address from its own global address, and to do so first solicits ours, which puts its address in our table.
 * From the link-local address (ping's default for ff02::1) the table would learn only link-local addresses.
 * `ping -6 -n -c 2 -w 1`: two echoes, at most one second, its output bounded; a missing `ping` is `no-ping`.
 */
export async function warmNeighbours(own: readonly Ipv6LanAddress[], signal: AbortSignal, run: PingRunner): Promise<Warmed> {
  const sources = new Map<string, string>();
  for (const address of own) {
    if (address.interface === undefined || !INTERFACE.test(address.interface) || !net.isIPv6(address.address)) continue;
    // A stable address as the source: a temporary one answers too, but the stable one is the host's for the day.
    if (!sources.has(address.interface) || address.temporary === false) sources.set(address.interface, address.address);
  }
  const pairs = [...sources].slice(0, WARM_LIMITS.maxInterfaces);
  if (pairs.length === 0) return { status: 'not-sent', replies: 0 };
  const runs = await Promise.allSettled(pairs.map(([name, source]) => run(['-6', '-n', '-c', '2', '-w', '1', '-I', source, `ff02::1%${name}`], { signal, timeoutMs: WARM_LIMITS.timeoutMs, maxBytes: WARM_LIMITS.maxBytes })));
  signal.throwIfAborted();
  const responders = new Set<string>();
  const mine = new Set(own.map((address) => address.address));
  const errors: string[] = [];
  for (const result of runs) {
    if (result.status === 'rejected') {
      const error = result.reason as NodeJS.ErrnoException;
      errors.push(error.code === 'ENOENT' ? 'ENOENT' : (error.code ?? error.message).slice(0, 200));
      continue;
    }
    if (result.value.code > 1) errors.push(`ping exited ${result.value.code}`);
    for (const line of result.value.stdout.split('\n').slice(0, WARM_LIMITS.maxReplyLines)) {
      const from = /^\d+ bytes from ([0-9a-fA-F:.]{2,45})(?:%[^:\s]*)?:/.exec(line)?.[1];
      // This host answers its own echo: only the others count.
      if (from !== undefined && net.isIPv6(from) && !mine.has(from.toLowerCase())) responders.add(from.toLowerCase());
    }
  }
  if (errors.length === runs.length) return { status: errors.every((error) => error === 'ENOENT') ? 'no-ping' : 'failed', replies: 0, error: errors.join('; ').slice(0, 500) };
  return { status: 'sent', replies: responders.size, ...(errors.length > 0 ? { error: errors.join('; ').slice(0, 500) } : {}) };
}
