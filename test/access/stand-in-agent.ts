/**
 * A stand-in for the vantage agent's side of two contracts, on 127.0.0.1:0: GET /v1/whoami
 * (schemas/agent-whoami-response.schema.json) and POST /v1/scan (schemas/agent-scan-request/response), written from
 * the schemas while the real route is built on branch i16-agent. It records every request, so a test can assert
 * what was (not) asked. `address` and `natPort` play the provider's NAT: on loopback every connection comes from
 * 127.0.0.1 with a kernel-chosen port, so a test names the address and the port translation a MAP-E line would show.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AgentScanRequest, AgentScanResponse } from '../../src/core/agent.generated.js';

export interface StandInOptions {
  token: string;
  /** The caller's address as this agent reports it (default: the real peer address). */
  address?: string;
  /** The NAT's translation of a real source port (default: none). */
  natPort?: (port: number, connection: number) => number;
  /** Answer whoami with this body instead (hostile or broken agents). */
  whoamiBody?: (connection: number) => string;
  whoamiStatus?: number;
  /** Serve https with this certificate (the trust tests). */
  tls?: { cert: Buffer; key: Buffer };
  /** Refuse the first scan requests with these errors, in order (the real agent's shared-address refusals). */
  scanRefusals?: { status: number; code: string; message: string }[];
}

export interface StandIn {
  url: string;
  whoamiCalls: { port: number; connection: number }[];
  scanRequests: AgentScanRequest[];
  close: () => Promise<void>;
}

const expand = (spec: string): number[] =>
  spec.split(',').flatMap((part) => {
    const [from = '0', to = from] = part.split('-');
    return Array.from({ length: Number(to) - Number(from) + 1 }, (_, index) => Number(from) + index);
  });

export async function startStandInAgent(options: StandInOptions): Promise<StandIn> {
  const whoamiCalls: StandIn['whoamiCalls'] = [];
  const scanRequests: AgentScanRequest[] = [];
  const seen: number[] = [];
  let connections = 0;
  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${options.token}`) return send(401, { error: { code: 'EXP_ERR_AGENT_UNAUTHORIZED', message: 'A valid bearer token is required' } });
    const connection = (request.socket as { standInId?: number }).standInId ?? 0;
    const realPort = request.socket.remotePort ?? 0;
    const port = options.natPort ? options.natPort(realPort, connection) : realPort;
    const address = options.address ?? request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    if (request.method === 'GET' && request.url === '/v1/whoami') {
      whoamiCalls.push({ port, connection });
      seen.unshift(port);
      if (options.whoamiBody) return send(options.whoamiStatus ?? 200, options.whoamiBody(connection));
      return send(options.whoamiStatus ?? 200, { address, family: 'IPv4', port, seenPorts: [...new Set(seen)].slice(0, 64) });
    }
    if (request.method === 'POST' && request.url === '/v1/scan') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const asked = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AgentScanRequest;
        scanRequests.push(asked);
        const refusal = options.scanRefusals?.[scanRequests.length - 1];
        if (refusal) return send(refusal.status, { error: { code: refusal.code, message: refusal.message } });
        const spec = asked.ports ?? '';
        const ports = spec === 'all' || spec === '' ? [] : expand(spec);
        const answer: AgentScanResponse = {
          address,
          engine: 'connect',
          startedAt: new Date(0).toISOString(),
          durationMs: 1,
          portSpec: spec,
          ports: ports.map((number) => ({ port: number, protocol: 'TCP', state: 'closed' })),
          warnings: [],
          ...(asked.portSet ? { scope: { portSet: asked.portSet, portsAsked: ports.length, portsInScope: ports.length, observedSourcePorts: [...new Set(seen)].slice(0, 64) } } : {}),
        };
        send(200, answer);
      });
      return undefined;
    }
    return send(404, { error: { code: 'EXP_ERR_AGENT_NOT_FOUND', message: 'no such route' } });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: import('node:net').Socket) => {
    connections += 1;
    (socket as { standInId?: number }).standInId = connections;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    whoamiCalls,
    scanRequests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
