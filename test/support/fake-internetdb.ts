/**
 * A fake Shodan InternetDB: a real HTTP server on loopback (or inside a lab namespace) answering `GET /{ip}` from a
 * table of canned answers, shaped as the documented fields (test/fixtures/internetdb/README.md: from bbot's
 * internetdb.py and the uncover Go struct, not a live recording). It records every path asked, so a test proves
 * what was (or was not) sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status: number;
  /** JSON to serialise, or a raw string (hostile bodies). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer after this long (real time: keep it short, or use `hang` with an aborted or timed-out client). */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or the server closes. */
  hang?: boolean;
  /** Send the body in 64 KiB writes without a Content-Length, so only the client's own count can stop it. */
  chunked?: boolean;
}

export interface FakeInternetDbOptions {
  host?: string;
  port?: number;
  /** By address; "*" answers any address not listed. Unlisted addresses get InternetDB's 404. */
  answers: Readonly<Record<string, FakeAnswer>>;
  /** Called with each request's path as it arrives (a test aborts a scan at that moment). */
  onRequest?: (path: string) => void;
}

export interface FakeInternetDb {
  url: string;
  /** Every request path, in order ("/11.22.33.44"). */
  requests: string[];
  close(): Promise<void>;
}

const NOT_FOUND: FakeAnswer = { status: 404, body: { detail: 'No information available' } };

export async function startFakeInternetDb(options: FakeInternetDbOptions): Promise<FakeInternetDb> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    options.onRequest?.(path);
    const address = decodeURIComponent(path.slice(1));
    const answer = options.answers[address] ?? options.answers['*'] ?? NOT_FOUND;
    if (answer.hang === true) return;
    const send = (): void => {
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      if (answer.chunked === true) {
        response.writeHead(answer.status, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...answer.headers });
        // The client hangs up after its cap: later writes fail quietly, which is the point.
        response.on('error', () => undefined);
        for (let offset = 0; offset < body.length && !response.destroyed; offset += 65_536) response.write(body.slice(offset, offset + 65_536));
        response.end();
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(body);
    };
    if (answer.delayMs !== undefined) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
