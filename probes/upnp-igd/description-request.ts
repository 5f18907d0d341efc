import http from 'node:http';
import { httpRequest, type HttpResponse } from '../../src/net/http.js';
import type { ProbeContext } from '../../src/core/probe.js';

/** One keep-alive agent per gateway: reuses connections where the router allows, and caps requests in flight. */
export function gatewayAgent(maxInFlight: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight, keepAliveMsecs: 1000 });
}

/** A gateway's description asked for, with the agent its later SOAP calls reuse. */
export interface DescriptionRequest {
  agent: http.Agent;
  response: Promise<HttpResponse>;
}

/**
 * Sends the description request. It needs only the HTTP client, so the probe sends it before the XML, SOAP and
 * listing code has loaded (about 60 ms on the test machine), which then loads while the router answers.
 */
export function requestDescription(location: URL, context: ProbeContext): DescriptionRequest {
  const agent = gatewayAgent(context.options.maxInFlight);
  const response = httpRequest(location, { signal: context.signal, timeoutMs: context.options.requestTimeoutMs, agent });
  // Awaited by readGateway; a failure that comes before it is read must not count as unhandled.
  response.catch(() => undefined);
  return { agent, response };
}
