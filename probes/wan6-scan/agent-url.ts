import dns from 'node:dns/promises';
import net from 'node:net';

/** Resolves a name's IPv6 addresses; injectable so tests do not depend on this machine's resolver. */
export type Lookup6 = (name: string, signal: AbortSignal) => Promise<string[]>;

export const lookup6: Lookup6 = async (name, signal) => {
  signal.throwIfAborted();
  const found = await dns.lookup(name, { family: 6, all: true });
  return found.map((entry) => entry.address);
};

/**
 * The URL to reach the agent over IPv6: --vantage6, else the --vantage URL when its host is an IPv6 literal or a
 * name with an IPv6 address (the connection may then still go over IPv4; the agent says so, and the view fails
 * with that reason). undefined: no agent can be asked over IPv6.
 */
export async function ipv6AgentUrl(options: { vantageUrl?: string | undefined; vantage6Url?: string | undefined }, lookup: Lookup6, signal: AbortSignal): Promise<string | undefined> {
  if (options.vantage6Url !== undefined) return options.vantage6Url;
  if (options.vantageUrl === undefined) return undefined;
  let host: string;
  try {
    host = new URL(options.vantageUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
  if (net.isIPv6(host)) return options.vantageUrl;
  if (net.isIPv4(host)) return undefined;
  try {
    return (await lookup(host, signal)).length > 0 ? options.vantageUrl : undefined;
  } catch {
    signal.throwIfAborted();
    return undefined;
  }
}
