/**
 * Replays a real router on 127.0.0.1:0: its device description byte for byte (test/fixtures/real-routers/), and
 * SOAP answers for the connection services that description names, at the control URLs it names.
 *
 * The answers are synthesised (no public recording of these routers' SOAP traffic exists): the envelope and fault
 * shapes are those recorded from miniupnpd 2.3.1 (test/fixtures/miniupnpd-2.3.1/), the response namespace echoes
 * the service type as miniupnpd does, and the values come from a scenario file beside the description. What real
 * routers do and this replays: an action is answered only on the control URL of a service that has it, and only
 * when the SOAPAction header and the action element name that service's type exactly; anything else is UPnP
 * error 401 Invalid Action. TR-064 routers can require an HTTP digest login (`requireLogin`).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FakeMapping } from './fake-igd.js';
import { argument, envelope, fault, genericEntry, listedMappings, listingEntry, xmlEscape } from './soap-answers.js';

export const REAL_ROUTERS_DIR = new URL('../fixtures/real-routers/', import.meta.url);

export interface ReplayedConnection {
  connectionStatus: string;
  externalIp: string;
  mappings: FakeMapping[];
  /** Answers GetListOfPortMappings (IGD v2 WANIPConnection:2 only, per the spec). Default false. */
  listing?: boolean;
}

export interface RouterScenario {
  /** The description file in test/fixtures/real-routers/. */
  description: string;
  /** The path the real router serves it on (its SSDP LOCATION). */
  descriptionPath: string;
  /** Keyed by the exact serviceType of the description. */
  connections: Record<string, ReplayedConnection>;
  firewall?: { enabled: boolean; inboundPinholeAllowed: boolean };
  /** HTTP 401 with a digest challenge for every SOAP request, as TR-064 on a FRITZ!Box answers without a login. */
  requireLogin?: boolean;
}

export interface ReplayedRequest {
  path: string;
  soapAction: string;
  /** serviceType and action as the body's action element names them. */
  bodyServiceType: string;
  action: string;
  status: number;
}

export interface FakeRealRouter {
  /** The LOCATION: http://127.0.0.1:PORT + descriptionPath. */
  url: string;
  requests: ReplayedRequest[];
  close: () => Promise<void>;
}

export function loadScenario(name: string): RouterScenario {
  return JSON.parse(readFileSync(new URL(name, REAL_ROUTERS_DIR), 'utf8')) as RouterScenario;
}

export function readDescription(file: string): string {
  return readFileSync(new URL(file, REAL_ROUTERS_DIR), 'utf8');
}

/** (serviceType, controlURL path) of every <service> in the description, read independently of the code under test. */
export function describedServices(description: string): { serviceType: string; controlPath: string }[] {
  const services: { serviceType: string; controlPath: string }[] = [];
  for (const match of description.matchAll(/<service>([\s\S]*?)<\/service>/g)) {
    const body = match[1] ?? '';
    const serviceType = /<serviceType>\s*([^<]*?)\s*<\/serviceType>/.exec(body)?.[1];
    const controlUrl = /<controlURL>\s*([^<]*?)\s*<\/controlURL>/.exec(body)?.[1];
    if (serviceType && controlUrl) services.push({ serviceType, controlPath: new URL(controlUrl, 'http://router.invalid/').pathname });
  }
  return services;
}

function answer(connection: ReplayedConnection, serviceType: string, action: string, body: string): { status: number; text: string } {
  switch (action) {
    case 'GetStatusInfo':
      return { status: 200, text: envelope(action, serviceType, `<NewConnectionStatus>${connection.connectionStatus}</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>${connection.connectionStatus === 'Connected' ? 86400 : 0}</NewUptime>`) };
    case 'GetExternalIPAddress':
      return { status: 200, text: envelope(action, serviceType, `<NewExternalIPAddress>${connection.externalIp}</NewExternalIPAddress>`) };
    case 'GetGenericPortMappingEntry': {
      const entry = connection.mappings[Number(argument(body, 'NewPortMappingIndex'))];
      if (!entry) return { status: 500, text: fault(713, 'SpecifiedArrayIndexInvalid') };
      return {
        status: 200,
        text: envelope(
          action,
          serviceType,
          genericEntry(entry, xmlEscape(entry.description)),
        ),
      };
    }
    case 'GetListOfPortMappings': {
      if (!connection.listing) return { status: 500, text: fault(401, 'Invalid Action') };
      const selected = listedMappings(connection.mappings, body);
      if (selected.length === 0) return { status: 500, text: fault(730, 'PortMappingNotFound') };
      const entries = selected.map((entry) => listingEntry(entry, xmlEscape(entry.description))).join('');
      const listing = `<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection">\n${entries}</p:PortMappingList>`;
      return { status: 200, text: envelope(action, serviceType, `<NewPortListing>${xmlEscape(listing)}</NewPortListing>`) };
    }
    default:
      return { status: 500, text: fault(401, 'Invalid Action') };
  }
}

/** Serves `scenario`; `description` overrides the file's text (a variant built from the real one). */
export async function startFakeRealRouter(scenario: RouterScenario, description = readDescription(scenario.description)): Promise<FakeRealRouter> {
  const services = describedServices(description);
  const requests: ReplayedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://router.invalid/').pathname;
      if (request.method === 'GET' && path === scenario.descriptionPath) {
        response.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' });
        response.end(description);
        return;
      }
      const atPath = services.filter((service) => service.controlPath === path);
      if (request.method !== 'POST' || atPath.length === 0) {
        response.writeHead(404);
        response.end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const soapAction = typeof request.headers.soapaction === 'string' ? request.headers.soapaction : '';
      const element = /<u:(\w+) xmlns:u="([^"]*)"/.exec(body);
      const action = element?.[1] ?? '';
      const bodyServiceType = element?.[2] ?? '';
      const reply = (status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void => {
        requests.push({ path, soapAction, bodyServiceType, action, status });
        response.writeHead(status, { 'content-type': 'text/xml; charset="utf-8"', connection: 'close', ...headers });
        response.end(text);
      };
      if (scenario.requireLogin) {
        reply(401, '', { 'www-authenticate': 'Digest realm="HTTPS Access", nonce="0000000000000000", algorithm=MD5, qop="auth"' });
        return;
      }
      // The exact announced type in both places, as the UPnP Device Architecture asks and routers check.
      const service = atPath.find((candidate) => soapAction.replace(/^"|"$/g, '') === `${candidate.serviceType}#${action}` && bodyServiceType === candidate.serviceType);
      if (!service) {
        reply(500, fault(401, 'Invalid Action'));
        return;
      }
      const connection = scenario.connections[service.serviceType];
      if (service.serviceType === 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1' && action === 'GetFirewallStatus' && scenario.firewall) {
        reply(200, envelope(action, service.serviceType, `<FirewallEnabled>${scenario.firewall.enabled ? 1 : 0}</FirewallEnabled><InboundPinholeAllowed>${scenario.firewall.inboundPinholeAllowed ? 1 : 0}</InboundPinholeAllowed>`));
        return;
      }
      if (!connection) {
        reply(500, fault(401, 'Invalid Action'));
        return;
      }
      const { status, text } = answer(connection, service.serviceType, action, body);
      reply(status, text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${scenario.descriptionPath}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
