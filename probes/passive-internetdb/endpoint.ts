import net from 'node:net';

export const DEFAULT_INTERNETDB_ENDPOINT = 'https://internetdb.shodan.io';

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return (net.isIPv4(bare) && bare.startsWith('127.')) || bare === '::1';
}

/**
 * What is wrong with a --passive-endpoint URL, or undefined when it may be used. https anywhere (the certificate is
 * verified); plain http only to a loopback address, for tests and a local fake: the address we send is the home's,
 * and it must not cross a network in clear text. No path, query, fragment or credentials: the probe appends the
 * address itself.
 */
export function passiveEndpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `"${endpoint}" is not a URL`;
  }
  if (url.username !== '' || url.password !== '') return 'it must not carry credentials';
  if (url.search !== '' || url.hash !== '') return 'it must not carry a query or a fragment';
  if (url.pathname !== '/' && url.pathname !== '') return 'it must be an origin (scheme, host and port), without a path';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') return isLoopback(url.hostname) ? undefined : 'plain http is allowed only to a loopback address (127.0.0.0/8, ::1); use https';
  return `${url.protocol} is not http or https`;
}

/** The endpoint's origin, the one thing the probe keeps of it. */
export function endpointOrigin(endpoint: string): string {
  return new URL(endpoint).origin;
}
