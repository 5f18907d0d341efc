/**
 * test/lab/second-igd.ts — a second UPnP IGD on the lab's LAN (a mesh node, a second router, a NAS playing
 * router): it answers SSDP searches and serves an IGDv1 description and WANIPConnection:1 actions from its own
 * address, with a port-mapping table of its own. Run it inside a lab host's namespace:
 *
 *   lab.spawn(lab.other, process.execPath, [...TS_LOADER_ARGS, SECOND_IGD_SCRIPT, '--address', A, '--port', P,
 *     '--udn', 'uuid:...', '--external-ip', IP, '--mapping', 'TCP:8080:10.1.2.30:8080:desc', ...])
 *
 * Answers (formats as miniupnpd 2.3.1 writes them, see test/support/fake-igd.ts): GetExternalIPAddress,
 * GetStatusInfo, GetGenericPortMappingEntry (713 past the end); anything else, GetListOfPortMappings included,
 * is 401 Invalid Action, as an IGDv1 router answers.
 * Output: JSON lines like test/lab/rogue-ssdp.ts ({"event":"ready"}, {"event":"msearch",...}, {"event":"http",...}),
 * so RogueWatcher reads them. Exits 0 on SIGTERM/SIGINT.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const SECOND_IGD_SCRIPT = fileURLToPath(import.meta.url);

const IGD1 = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
const WANIP1 = 'urn:schemas-upnp-org:service:WANIPConnection:1';

interface Entry {
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function values(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, index) => (arg === `--${name}` && args[index + 1] !== undefined ? [args[index + 1]!] : []));
}

function description(udn: string): string {
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device><deviceType>${IGD1}</deviceType><friendlyName>Second router</friendlyName><manufacturer>Lab</manufacturer><modelName>SecondIGD</modelName><modelNumber>1</modelNumber><UDN>${udn}</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><friendlyName>WANDevice</friendlyName><UDN>${udn}-wan</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><friendlyName>WANConnectionDevice</friendlyName><UDN>${udn}-conn</UDN><serviceList><service><serviceType>${WANIP1}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service></serviceList></device></deviceList></device></deviceList></device></root>`;
}

function envelope(action: string, inner: string): string {
  return `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:${action}Response xmlns:u="${WANIP1}">${inner}</u:${action}Response></s:Body></s:Envelope>\r\n`;
}

function fault(code: number, text: string): string {
  return `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${text}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n`;
}

function soap(action: string, body: string, entries: readonly Entry[], externalIp: string): { status: number; text: string } {
  switch (action) {
    case 'GetExternalIPAddress':
      return { status: 200, text: envelope(action, `<NewExternalIPAddress>${externalIp}</NewExternalIPAddress>`) };
    case 'GetStatusInfo':
      return { status: 200, text: envelope(action, '<NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>600</NewUptime>') };
    case 'GetGenericPortMappingEntry': {
      const entry = entries[Number(/<NewPortMappingIndex>(\d+)<\/NewPortMappingIndex>/.exec(body)?.[1] ?? -1)];
      if (!entry) return { status: 500, text: fault(713, 'SpecifiedArrayIndexInvalid') };
      return {
        status: 200,
        text: envelope(
          action,
          `<NewRemoteHost></NewRemoteHost><NewExternalPort>${entry.externalPort}</NewExternalPort><NewProtocol>${entry.protocol}</NewProtocol><NewInternalPort>${entry.internalPort}</NewInternalPort><NewInternalClient>${entry.internalClient}</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>${entry.description}</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration>`,
        ),
      };
    }
    default:
      return { status: 500, text: fault(401, 'Invalid Action') };
  }
}

function main(args: readonly string[]): void {
  const address = values(args, 'address')[0];
  const port = Number(values(args, 'port')[0] ?? '49152');
  const udn = values(args, 'udn')[0] ?? 'uuid:2d2d2d2d-0000-4000-8000-000000000002';
  const externalIp = values(args, 'external-ip')[0] ?? '192.168.178.2';
  if (address === undefined) throw new Error('--address is required');
  const entries: Entry[] = values(args, 'mapping').map((spec) => {
    const [protocol = 'TCP', externalPort = '0', internalClient = '', internalPort = '0', ...rest] = spec.split(':');
    return { protocol, externalPort: Number(externalPort), internalClient, internalPort: Number(internalPort), description: rest.join(':') };
  });
  const location = `http://${address}:${port}/rootDesc.xml`;
  let ready = 0;
  const isReady = (): void => {
    if (++ready === 2) emit({ event: 'ready', address, port, location });
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      emit({ event: 'http', from: request.socket.remoteAddress ?? '', method: request.method ?? '', url: request.url ?? '' });
      if (request.method === 'GET' && request.url === '/rootDesc.xml') {
        response.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"', connection: 'close' });
        response.end(description(udn));
        return;
      }
      if (request.method !== 'POST' || request.url !== '/ctl/IPConn') {
        response.writeHead(404, { connection: 'close' });
        response.end();
        return;
      }
      const header = request.headers.soapaction;
      const action = /#(\w+)"?$/.exec(typeof header === 'string' ? header : '')?.[1] ?? '';
      const { status, text } = soap(action, Buffer.concat(chunks).toString('utf8'), entries, externalIp);
      response.writeHead(status, { 'content-type': 'text/xml; charset="utf-8"', connection: 'close' });
      response.end(text);
    });
  });
  server.listen(port, address, isReady);

  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (message, remote) => {
    const raw = message.toString('latin1');
    if (!/^M-SEARCH \* HTTP\/1\.1\r\n/i.test(raw)) return;
    emit({ event: 'msearch', from: remote.address, port: remote.port });
    const reply = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${IGD1}\r\nUSN: ${udn}::${IGD1}\r\nEXT:\r\nSERVER: Linux/6.1 UPnP/1.0 SecondIGD/1.0\r\nLOCATION: ${location}\r\n\r\n`;
    socket.send(reply, remote.port, remote.address);
  });
  socket.bind(1900, () => {
    socket.addMembership('239.255.255.250', address);
    isReady();
  });

  const stop = (): void => {
    socket.close();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.length > 2) main(process.argv.slice(2));
  // Without arguments (a test runner pointed at test/lab/ loads this file): a helper, not a test.
  else process.stdout.write('# second-igd.ts: helper, not a test. usage: second-igd.ts --address A [--port P] [--udn U] [--external-ip IP] [--mapping PROTO:EXT:CLIENT:INT:DESC]...\n');
}
