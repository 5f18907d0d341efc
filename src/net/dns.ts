import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { abortError, createError, type ExposureError } from '../core/errors.js';

const MAX_ADDRESSES = 32;

export interface LookupResult {
  addresses: string[];
  error?: ExposureError;
}

/**
 * The A records of one name, through the given resolver (host:port) or, without one, the system's. One try,
 * bounded in time, cancellable; "no such name" is a result (no addresses), not a failure of the scan.
 */
export async function resolveA(name: string, options: { server?: string; timeoutMs: number; signal?: AbortSignal }): Promise<LookupResult> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, `DNS ${name}`);
  const resolver = new Resolver({ timeout: Math.max(100, options.timeoutMs), tries: 1 });
  if (options.server !== undefined) resolver.setServers([options.server]);
  const onAbort = (): void => resolver.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const records = await resolver.resolve4(name);
    return { addresses: [...new Set(records.filter((address) => net.isIPv4(address)))].slice(0, MAX_ADDRESSES) };
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, `DNS ${name}`);
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    const why =
      code === 'ENOTFOUND' || code === 'ENODATA'
        ? 'no such name (or no address record)'
        : code === 'ETIMEOUT' || code === 'ECONNREFUSED'
          ? `the resolver${options.server ? ` ${options.server}` : ''} did not answer`
          : `lookup failed (${code})`;
    return { addresses: [], error: createError('EXP_ERR_DNS', `${name}: ${why}`, { cause: error }) };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
