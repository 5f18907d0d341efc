import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

/**
 * What the agent tests of issue 16 share: requests over a real socket from a chosen source address and port (the
 * agent records source ports, so a test picks them), and loopback listeners that count the connections they get
 * (what proves a port was, or was not, scanned).
 */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // The agent's answers, read loosely: each test checks the fields it needs.
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export interface RequestOptions {
  token: string;
  method?: 'GET' | 'POST';
  path?: string;
  body?: unknown;
  host?: string;
  localAddress?: string;
  localPort?: number;
}

export function request(port: number, options: RequestOptions): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        path: options.path ?? (payload === undefined ? '/v1/whoami' : '/v1/scan'),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.localPort ? { localPort: options.localPort } : {}),
        headers: { authorization: `Bearer ${options.token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Answer['body'] }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

export interface Counter {
  port: number;
  connections: () => number;
}

/** A listener on exactly `port` (undefined when that port is taken) that counts the connections it accepts. */
export async function countingListener(t: Test, host: string, port: number): Promise<Counter | undefined> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.on('error', () => undefined).end();
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (!bound) return undefined;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => count };
}
