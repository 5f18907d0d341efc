import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: Received[];
  /** Status to answer with (default 200); 'hang' never answers. */
  respond: number | 'hang';
  /** Resolves when at least n bodies were accepted with a 2xx. */
  waitFor: (n: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 (a given port, to bring one "back up" where it was). Records 2xx deliveries only. */
export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    respond: 200,
    waitFor: async (n, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < n) {
        if (Date.now() > deadline) throw new Error(`webhook receiver: ${receiver.received.length} of ${n} deliveries after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () => new Promise<void>((resolve) => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (receiver.respond === 'hang') {
        hanging.add(response);
        return;
      }
      if (receiver.respond >= 200 && receiver.respond < 300) receiver.received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      response.writeHead(receiver.respond).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook/secret-path`;
  return receiver;
}
