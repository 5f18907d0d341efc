/**
 * A small IGD on 127.0.0.1:0 that answers like miniupnpd 2.3.1 (formats copied from the bodies recorded in
 * test/fixtures/miniupnpd-2.3.1/), plus the misbehaviours other firmware shows: tables that start at index 1,
 * answering every index past the end with the last entry, endless tables, foreign control URLs, slow answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { argument, envelope, fault, genericEntry, listedMappings, listingEntry, xmlEscape } from './soap-answers.js';

export interface FakeMapping {
  protocol: 'TCP' | 'UDP';
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  enabled?: boolean;
  leaseDuration?: number;
  remoteHost?: string;
}

export interface FakeIgdOptions {
  igdVersion?: 1 | 2;
  mappings?: FakeMapping[];
  firstIndex?: 0 | 1;
  /** miniupnpd 2.3.1 does not escape descriptions; a correct router does. */
  escapeDescriptions?: boolean;
  /** Buggy firmware: every index past the end answers the last entry again. */
  repeatLastForever?: boolean;
  /** Hostile or broken: an endless table of distinct entries. */
  endless?: boolean;
  externalIp?: string;
  connectionStatus?: string;
  /** Makes the description name control URLs on this host instead of itself. */
  foreignControlHost?: string;
  /** Per-request delay, to make concurrency observable. */
  delayMs?: number;
  /**
   * Held answers go out as soon as this many requests are in flight at once, else after `delayMs`: a client that
   * asks side by side is answered at once, whatever the machine's load, and one that asks in turn waits the delay.
   */
  releaseWhenInFlight?: number;
  /** Extra bytes appended to every SOAP answer (body-size limits). */
  padBytes?: number;
  /** Never answer SOAP requests (timeouts). */
  hang?: boolean;
  /** Error code for an index past the end (713 per spec; some firmware uses 714 or 402). */
  endErrorCode?: number;
}

export interface FakeIgd {
  url: string;
  host: string;
  port: number;
  actions: string[];
  maxInFlight: number;
  close: () => Promise<void>;
}

function rootDescription(version: 1 | 2, controlBase: string): string {
  const wanIp = `urn:schemas-upnp-org:service:WANIPConnection:${version}`;
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:${version}</deviceType><friendlyName>Fake Router</friendlyName><manufacturer>Test &amp; Co</manufacturer><manufacturerURL>http://example.invalid/</manufacturerURL><modelDescription>fake</modelDescription><modelName>FakeIGD</modelName><modelNumber>7</modelNumber><UDN>uuid:00000000-0000-0000-0000-000000000001</UDN><serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId><SCPDURL>/L3F.xml</SCPDURL><controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL></service></serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:${version}</deviceType><friendlyName>WANDevice</friendlyName><UDN>uuid:00000000-0000-0000-0000-000000000002</UDN><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><SCPDURL>/WANCfg.xml</SCPDURL><controlURL>${controlBase}/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/CmnIfCfg</eventSubURL></service></serviceList><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:${version}</deviceType><friendlyName>WANConnectionDevice</friendlyName><UDN>uuid:00000000-0000-0000-0000-000000000003</UDN><serviceList><service><serviceType>${wanIp}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>${controlBase}/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service>${version === 2 ? `<service><serviceType>urn:schemas-upnp-org:service:WANIPv6FirewallControl:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId><SCPDURL>/WANIP6FC.xml</SCPDURL><controlURL>${controlBase}/ctl/IP6FCtl</controlURL><eventSubURL>/evt/IP6FCtl</eventSubURL></service>` : ''}</serviceList></device></deviceList></device></deviceList><presentationURL>http://127.0.0.1/</presentationURL></device></root>`;
}

export async function startFakeIgd(options: FakeIgdOptions = {}): Promise<FakeIgd> {
  const version = options.igdVersion ?? 2;
  const mappings = options.mappings ?? [];
  const firstIndex = options.firstIndex ?? 0;
  const describe = (text: string): string => (options.escapeDescriptions ? xmlEscape(text) : text);
  const state = { inFlight: 0, maxInFlight: 0 };
  const actions: string[] = [];
  const held: (() => void)[] = [];
  const serviceType = `urn:schemas-upnp-org:service:WANIPConnection:${version}`;

  const entryAt = (index: number): FakeMapping | undefined => {
    if (options.endless) return { protocol: 'TCP', externalPort: 1 + (index % 65535), internalClient: '127.0.0.2', internalPort: 1 + (index % 65535), description: `endless ${index}` };
    const position = index - firstIndex;
    if (position < 0) return undefined;
    if (position >= mappings.length) return options.repeatLastForever ? mappings.at(-1) : undefined;
    return mappings[position];
  };

  const soap = (action: string, body: string): { status: number; text: string } => {
    switch (action) {
      case 'GetExternalIPAddress':
        return { status: 200, text: envelope(action, serviceType, `<NewExternalIPAddress>${options.externalIp ?? '11.22.33.44'}</NewExternalIPAddress>`) };
      case 'GetStatusInfo':
        return { status: 200, text: envelope(action, serviceType, `<NewConnectionStatus>${options.connectionStatus ?? 'Connected'}</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>3725</NewUptime>`) };
      case 'GetFirewallStatus':
        return { status: 200, text: envelope(action, 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1', '<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>') };
      case 'GetGenericPortMappingEntry': {
        const entry = entryAt(Number(argument(body, 'NewPortMappingIndex')));
        if (!entry) return { status: 500, text: fault(options.endErrorCode ?? 713, 'SpecifiedArrayIndexInvalid') };
        return {
          status: 200,
          text: envelope(
            action,
            serviceType,
            genericEntry(entry, describe(entry.description)),
          ),
        };
      }
      case 'GetListOfPortMappings': {
        if (version < 2) return { status: 500, text: fault(401, 'Invalid Action') };
        const selected = listedMappings(mappings, body);
        if (selected.length === 0) return { status: 500, text: fault(730, 'PortMappingNotFound') };
        const entries = selected.map((entry) => listingEntry(entry, describe(entry.description))).join('');
        const listing = `<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection"\nxmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\nxsi:schemaLocation="urn:schemas-upnp-org:gw:WANIPConnection http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd">\n${entries}</p:PortMappingList>`;
        return { status: 200, text: envelope(action, serviceType, `<NewPortListing><![CDATA[${listing}]]></NewPortListing>`) };
      }
      default:
        return { status: 500, text: fault(401, 'Invalid Action') };
    }
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const address = server.address() as AddressInfo;
      if (request.method === 'GET' && request.url === '/rootDesc.xml') {
        const controlBase = options.foreignControlHost ? `http://${options.foreignControlHost}:${address.port}` : '';
        response.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' });
        response.end(rootDescription(version, controlBase));
        return;
      }
      if (request.method !== 'POST' || !request.url?.startsWith('/ctl/')) {
        response.writeHead(404);
        response.end();
        return;
      }
      const soapAction = request.headers.soapaction;
      const action = /#(\w+)"?$/.exec(typeof soapAction === 'string' ? soapAction : '')?.[1] ?? '';
      actions.push(action);
      if (options.hang) return;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      let answered = false;
      const answer = (): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        state.inFlight--;
        const { status, text } = soap(action, Buffer.concat(chunks).toString('utf8'));
        response.writeHead(status, { 'content-type': 'text/xml; charset="utf-8"', connection: 'close' });
        response.end(text + ' '.repeat(options.padBytes ?? 0));
      };
      const timer = setTimeout(answer, options.delayMs ?? 0);
      held.push(answer);
      if (options.releaseWhenInFlight !== undefined && state.inFlight >= options.releaseWhenInFlight) for (const release of held.splice(0)) release();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rootDesc.xml`,
    host: '127.0.0.1',
    port,
    actions,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
