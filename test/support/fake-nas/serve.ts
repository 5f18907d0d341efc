/**
 * The loopback server behind every fake NAS: answers from a route function, HTTP or HTTPS, records each request,
 * closes every socket on close. Fixtures are read from test/fixtures/vendors/ and their {{NAME}} placeholders
 * filled, so one recorded page serves every version a test asks for.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';

export const VENDOR_FIXTURES = new URL('../../fixtures/vendors/', import.meta.url);

export type CertName = 'synology-default' | 'generic';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** Gets the method, the full request path (with its query) and the headers; undefined is a 404. */
export type Route = (method: string, path: string, headers: http.IncomingHttpHeaders) => Answer | undefined;

export interface ServeOptions {
  /** Sent on every answer unless the route sets its own. */
  headers?: Record<string, string>;
  tls?: CertName;
  host?: string;
  port?: number;
}

export interface FakeDevice {
  url: string;
  host: string;
  port: number;
  scheme: 'http' | 'https';
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A fixture file's text, {{NAME}} replaced from values; a placeholder left unfilled is a bug in the fake. */
export function fixture(path: string, values: Record<string, string> = {}): string {
  const text = readFileSync(new URL(path, VENDOR_FIXTURES), 'utf8');
  const filled = text.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  const left = /\{\{([A-Z_]+)\}\}/.exec(filled);
  if (left) throw new Error(`fixture ${path}: no value for {{${left[1]}}}`);
  return filled;
}

export function certificate(name: CertName): { key: Buffer; cert: Buffer } {
  const base = new URL(`tls/${name}`, VENDOR_FIXTURES);
  return { key: readFileSync(`${base.pathname}.key`), cert: readFileSync(`${base.pathname}.crt`) };
}

export const html = (body: string, status = 200): Answer => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, body });
export const text = (body: string, type = 'text/plain'): Answer => ({ status: 200, headers: { 'content-type': type }, body });
export const NOT_FOUND: Answer = html('<html><head><title>404 Not Found</title></head><body>Not Found</body></html>', 404);

export async function serve(route: Route, options: ServeOptions = {}): Promise<FakeDevice> {
  const requests: RecordedRequest[] = [];
  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    // The body is never read by a fake: drain it so keep-alive and close behave.
    request.resume();
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      requests.push({ method, path, headers: request.headers });
      const answer = route(method, path, request.headers) ?? NOT_FOUND;
      response.writeHead(answer.status, { connection: 'close', ...options.headers, ...answer.headers }).end(method === 'HEAD' ? undefined : answer.body);
    });
  };
  const server = options.tls ? https.createServer(certificate(options.tls), handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A certificate read opens and drops a TLS connection without a request: not an error worth a log line.
  server.on('tlsClientError', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${host}:${port}`,
    host,
    port,
    scheme,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The path without its query string. */
export function pathname(path: string): string {
  return path.split('?')[0] ?? path;
}
