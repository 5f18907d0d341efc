import { NEIGHBOUR_LIMITS, type IpRunner } from '../../src/net/neighbours.js';
import { classifyIpv6 } from './address.js';

/**
 * This host's temporary (privacy) addresses, from `ip -j -6 addr show`: os.networkInterfaces() lists them without
 * saying which they are. Read only; an unreadable answer means "not known", never a failed scan.
 */
export async function temporaryAddresses(run: IpRunner, signal: AbortSignal): Promise<Set<string>> {
  const text = await run(['-j', '-6', 'addr', 'show'], { signal, timeoutMs: NEIGHBOUR_LIMITS.timeoutMs, maxBytes: NEIGHBOUR_LIMITS.maxBytes });
  const found = new Set<string>();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return found;
  }
  if (!Array.isArray(document)) return found;
  for (const link of document.slice(0, 256)) {
    const info = (link as { addr_info?: unknown } | null)?.addr_info;
    if (!Array.isArray(info)) continue;
    for (const entry of info.slice(0, 256)) {
      const row = entry as { local?: unknown; temporary?: unknown } | null;
      if (row?.temporary !== true || typeof row.local !== 'string') continue;
      const canonical = classifyIpv6(row.local, true).canonical;
      if (canonical) found.add(canonical);
    }
  }
  return found;
}
