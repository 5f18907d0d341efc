// GetFirewallStatus against a loopback IGD that serves a real router's description (FRITZ!Box 7590, miniupnpd)
// and replays miniupnpd 2.3.1's recorded answer (test/ipv6/fixtures/README.md).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { describedGateway, readGateway } from '../../probes/upnp-igd/read-gateway.js';
import { firewallControl, readIpv6Firewall } from '../../src/net/igd-firewall.js';
import { parseDeviceDescription, SERVICE_TYPES } from '../../src/net/igd-description.js';
import { loopbackProbeContext } from '../support/probe-context.js';
import type { Gateway } from '../../src/core/report.generated.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const RECORDED = fixture('miniupnpd-2.3.1-GetFirewallStatus.xml');
const FRITZ = fixture('fritzbox-7590-igddesc.xml');
const MINIUPNPD = readFileSync(new URL('../fixtures/miniupnpd-2.3.1/rootDesc.xml', import.meta.url), 'utf8');
const FAULT_401 = '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>401</errorCode><errorDescription>Invalid Action</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n';

interface Replay {
  url: string;
  calls: string[];
  close(): Promise<void>;
}

/** Serves `description` at /igddesc.xml; answers GetFirewallStatus on the firewall control path with `answer`, everything else 401. */
async function replay(description: string, controlPath: string, answer: { status: number; body: string } | 'hang'): Promise<Replay> {
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/igddesc.xml') {
      response.writeHead(200, { 'content-type': 'text/xml' }).end(description);
      return;
    }
    const action = String(request.headers['soapaction'] ?? '').replace(/"/g, '');
    calls.push(`${request.url ?? ''} ${action}`);
    request.resume();
    if (request.url === controlPath && action === `${SERVICE_TYPES.wanIpv6FirewallControl1}#GetFirewallStatus`) {
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'text/xml; charset="utf-8"' }).end(answer.body);
      return;
    }
    response.writeHead(500, { 'content-type': 'text/xml; charset="utf-8"' }).end(FAULT_401);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/igddesc.xml`,
    calls,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const context = loopbackProbeContext;

/** A gateway as the UPnP probe records one that offers no WAN connection service: the firewall was not asked. */
function describedOnly(description: string, location: string): Gateway {
  return describedGateway(parseDeviceDescription(description, new URL(location)), new URL(location), '127.0.0.1');
}

const signal = new AbortController().signal;

t.test('the recorded descriptions offer WANIPv6FirewallControl:1 on their own origin', async (t) => {
  for (const [name, description, path] of [['FRITZ!Box 7590', FRITZ, '/igd2upnp/control/WANIPv6Firewall1'], ['miniupnpd 2.3.1', MINIUPNPD, '/ctl/IP6FCtl']] as const) {
    const gateway = describedOnly(description, 'http://192.168.178.1:49000/igddesc.xml');
    t.equal(firewallControl(gateway)?.pathname, path, name);
  }
});

t.test('FRITZ!Box description, miniupnpd answer: the UPnP probe reads it, this module reuses it', async (t) => {
  const router = await replay(FRITZ, '/igd2upnp/control/WANIPv6Firewall1', { status: 200, body: RECORDED });
  t.teardown(() => router.close());
  const gateway = await readGateway(new URL(router.url), '127.0.0.1', undefined, context());
  t.same(gateway.firewall, { enabled: true, inboundPinholeAllowed: true });
  const before = router.calls.length;
  const reading = await readIpv6Firewall(gateway, { signal, requestTimeoutMs: 2000 });
  t.match(reading, { offered: true, enabled: true, inboundPinholeAllowed: true, readBy: 'upnp-igd', friendlyName: 'FRITZ!Box 7590' });
  t.equal(router.calls.length, before, 'not asked twice');
});

t.test('a router the UPnP probe could not read (no connection service) is asked here, once', async (t) => {
  const off = RECORDED.replace('<FirewallEnabled>1</FirewallEnabled>', '<FirewallEnabled>0</FirewallEnabled>');
  const router = await replay(FRITZ, '/igd2upnp/control/WANIPv6Firewall1', { status: 200, body: off });
  t.teardown(() => router.close());
  const reading = await readIpv6Firewall(describedOnly(FRITZ, router.url), { signal, requestTimeoutMs: 2000 });
  t.match(reading, { offered: true, enabled: false, inboundPinholeAllowed: true, readBy: 'ipv6-lan' });
  t.same(router.calls, [`/igd2upnp/control/WANIPv6Firewall1 ${SERVICE_TYPES.wanIpv6FirewallControl1}#GetFirewallStatus`]);
});

t.test('a fault, a hang and a foreign control URL cost the reading, never the scan', async (t) => {
  const faulty = await replay(MINIUPNPD, '/nowhere', { status: 200, body: RECORDED });
  t.teardown(() => faulty.close());
  const fault = await readIpv6Firewall(describedOnly(MINIUPNPD, faulty.url), { signal, requestTimeoutMs: 2000 });
  t.match(fault, { offered: true, enabled: null, readBy: 'ipv6-lan', error: { code: 'EXP_ERR_SOAP_FAULT', upnpErrorCode: 401 } });

  const hanging = await replay(MINIUPNPD, '/ctl/IP6FCtl', 'hang');
  t.teardown(() => hanging.close());
  const slow = await readIpv6Firewall(describedOnly(MINIUPNPD, hanging.url), { signal, requestTimeoutMs: 150 });
  t.equal(slow.enabled, null);
  t.ok(slow.error?.code.startsWith('EXP_ERR_'), slow.error?.code ?? 'no error');

  const gateway = describedOnly(MINIUPNPD, faulty.url);
  gateway.services = gateway.services.map((service) => (service.serviceType === SERVICE_TYPES.wanIpv6FirewallControl1 ? { ...service, controlUrl: 'http://127.0.0.2:1/ctl/IP6FCtl' } : service));
  const calls = faulty.calls.length;
  const foreign = await readIpv6Firewall(gateway, { signal, requestTimeoutMs: 2000 });
  t.match(foreign, { enabled: null, readBy: 'none', error: { code: 'EXP_ERR_IGD_UNREADABLE' } });
  t.equal(faulty.calls.length, calls, 'nothing sent anywhere');
});

t.test('a router without the service is "not offered", and no request is made', async (t) => {
  const gateway = describedOnly(MINIUPNPD, 'http://127.0.0.1:9/rootDesc.xml');
  gateway.services = gateway.services.filter((service) => service.serviceType !== SERVICE_TYPES.wanIpv6FirewallControl1);
  t.match(await readIpv6Firewall(gateway, { signal, requestTimeoutMs: 100 }), { offered: false, enabled: null, readBy: 'none' });
});
