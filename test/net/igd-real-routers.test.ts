// Issue 12 item 5, "routers as they are in the field": recorded descriptions of real routers (origins in
// test/fixtures/real-routers/README.md), replayed on loopback with answers consistent with them.
import t from 'tap';
import { readGateway } from '../../probes/upnp-igd/read-gateway.js';
import { chooseLocations, SEARCH_TARGETS } from '../../probes/upnp-igd/index.js';
import { parseDeviceDescription, CONNECTION_SERVICE_TYPES } from '../../src/net/igd-description.js';
import { loopbackProbeContext } from '../support/probe-context.js';
import type { SsdpAnswer } from '../../src/net/ssdp.js';
import { loadScenario, readDescription, startFakeRealRouter, type RouterScenario } from '../support/fake-real-router.js';

const context = loopbackProbeContext;

async function read(t: { teardown: (fn: () => Promise<void>) => void }, scenario: RouterScenario, description?: string) {
  const router = await startFakeRealRouter(scenario, description);
  t.teardown(router.close);
  const gateway = await readGateway(new URL(router.url), '127.0.0.1', undefined, context());
  return { router, gateway };
}

const ports = (gateway: { mappings: { protocol: string; externalPort: number }[] }): string[] => gateway.mappings.map((m) => `${m.protocol}/${m.externalPort}`).sort();

t.test('Orange Livebox (Sagemcom, IGD:2 announcing WANPPPConnection:2): its mappings are read', async (t) => {
  const scenario = loadScenario('livebox-sagemcom-igd2-ppp2.scenario.json');
  const { router, gateway } = await read(t, scenario);
  t.equal(gateway.igdVersion, 2);
  t.equal(gateway.friendlyName, 'Orange Livebox');
  t.equal(gateway.connectionService, 'urn:schemas-upnp-org:service:WANPPPConnection:2');
  t.equal(gateway.connectionStatus, 'Connected');
  t.equal(gateway.externalIp, '203.0.113.58');
  t.same(ports(gateway), ['TCP/443', 'TCP/8080', 'UDP/3074']);
  t.ok(gateway.mappings.every((m) => m.service === 'urn:schemas-upnp-org:service:WANPPPConnection:2'));
  t.same(gateway.mappings.find((m) => m.externalPort === 8080), {
    protocol: 'TCP', externalPort: 8080, internalClient: '192.168.1.20', internalPort: 8080, description: 'libminiupnpc',
    enabled: true, leaseDuration: 0, remoteHost: '', descriptionHasMarkup: false, internalClientOnLan: false,
    service: 'urn:schemas-upnp-org:service:WANPPPConnection:2',
  });
  t.equal(gateway.enumeration.method, 'GetGenericPortMappingEntry', 'no GetListOfPortMappings on a PPP service: the walk');
  t.same(gateway.firewall, { enabled: true, inboundPinholeAllowed: false });
  t.same(gateway.errors, []);
  // Every request names the announced type exactly, in the header and in the body.
  const connectionRequests = router.requests.filter((r) => r.path === '/87895a19/upnp/control/WANIPConn1');
  t.ok(connectionRequests.length >= 5);
  t.ok(connectionRequests.every((r) => r.soapAction === `"urn:schemas-upnp-org:service:WANPPPConnection:2#${r.action}"` && r.bodyServiceType === 'urn:schemas-upnp-org:service:WANPPPConnection:2'));
});

t.test('AVM FRITZ!Box 7590, TR-064 only (urn:dslforum-org:): its mappings are read, from the connection that is up', async (t) => {
  const scenario = loadScenario('fritzbox-7590-tr64.scenario.json');
  const { router, gateway } = await read(t, scenario);
  t.equal(gateway.deviceType, 'urn:dslforum-org:device:InternetGatewayDevice:1');
  t.equal(gateway.igdVersion, 1);
  t.equal(gateway.friendlyName, 'FRITZ!Box 7590', 'values padded with whitespace and newlines are trimmed');
  // The IP connection comes first in the tie-break order, but it is down: the PPP one carries the line.
  t.equal(gateway.connectionService, 'urn:dslforum-org:service:WANPPPConnection:1');
  t.equal(gateway.connectionStatus, 'Connected');
  t.equal(gateway.externalIp, '203.0.113.77');
  t.same(ports(gateway), ['TCP/5001', 'TCP/8080']);
  t.ok(gateway.mappings.every((m) => m.service === 'urn:dslforum-org:service:WANPPPConnection:1'));
  t.equal(gateway.enumeration.stopReason, 'end-of-table');
  t.same(gateway.errors, []);
  const paths = new Set(router.requests.map((r) => r.path));
  t.ok(paths.has('/upnp/control/wanipconnection1') && paths.has('/upnp/control/wanpppconn1'), 'both connections are asked and both tables read');
  t.ok(router.requests.every((r) => r.status !== 500 || r.action === 'GetListOfPortMappings' || r.action === 'GetGenericPortMappingEntry'), 'no action was refused for a wrong service type');
  t.notOk(router.requests.some((r) => r.path === '/upnp/control/wanipconnection1' && r.action === 'GetExternalIPAddress'), 'the external address comes from the connection that is up');
});

t.test('the same router with the IP connection up and PPP down prefers IP', async (t) => {
  const scenario = loadScenario('fritzbox-7590-tr64.scenario.json');
  const ip = scenario.connections['urn:dslforum-org:service:WANIPConnection:1']!;
  const ppp = scenario.connections['urn:dslforum-org:service:WANPPPConnection:1']!;
  const flipped: RouterScenario = {
    ...scenario,
    connections: {
      'urn:dslforum-org:service:WANIPConnection:1': { ...ip, connectionStatus: 'Connected', externalIp: '203.0.113.99' },
      'urn:dslforum-org:service:WANPPPConnection:1': { ...ppp, connectionStatus: 'Disconnected' },
    },
  };
  const { gateway } = await read(t, flipped);
  t.equal(gateway.connectionService, 'urn:dslforum-org:service:WANIPConnection:1');
  t.equal(gateway.externalIp, '203.0.113.99');
  t.same(ports(gateway), ['TCP/5001', 'TCP/8080'], 'the PPP table is still read');
});

t.test('a TR-064 router that wants a login says so instead of reporting an empty table', async (t) => {
  const scenario: RouterScenario = { ...loadScenario('fritzbox-7590-tr64.scenario.json'), requireLogin: true };
  const { gateway } = await read(t, scenario);
  t.same(gateway.mappings, []);
  t.equal(gateway.enumeration.stopReason, 'error');
  t.ok(gateway.errors.length > 0);
  t.ok(gateway.errors.every((error) => error.code === 'EXP_ERR_HTTP_STATUS'));
  t.match(gateway.errors.find((error) => error.message.startsWith('GetGenericPortMappingEntry'))?.message, /HTTP 401 \(the router wants a login/);
});

t.test('a router with no connection service it can use: EXP_ERR_IGD_NO_CONNECTION_SERVICE names what it saw', async (t) => {
  // The FRITZ!Box's own description with its WANDevice taken out, as a FRITZ!Box in IP-client mode or a
  // FRITZ!Repeater has it: plenty of TR-064 services, none that maps ports.
  const real = readDescription('fritzbox-7590-tr64desc.xml');
  const start = real.indexOf('\t\t\t<device>\n\t\t\t\t<deviceType>\n\t\t\t\t\turn:dslforum-org:device:WANDevice:1');
  const end = real.indexOf('\t\t</deviceList>\n\t\t<presentationURL>');
  t.ok(start > 0 && end > start, 'the WANDevice subtree was found');
  const withoutWan = real.slice(0, start) + real.slice(end);
  const { router, gateway } = await read(t, loadScenario('fritzbox-7590-tr64.scenario.json'), withoutWan);
  t.equal(gateway.connectionService, null);
  t.same(gateway.mappings, []);
  t.equal(gateway.errors.length, 1);
  const error = gateway.errors[0]!;
  t.equal(error.code, 'EXP_ERR_IGD_NO_CONNECTION_SERVICE');
  t.match(error.message, /urn:dslforum-org:device:InternetGatewayDevice:1/);
  for (const seen of ['urn:dslforum-org:service:DeviceInfo:1', 'urn:dslforum-org:service:Layer3Forwarding:1', 'urn:dslforum-org:service:WLANConfiguration:3', 'urn:dslforum-org:service:X_AVM-DE_USPController:1']) {
    t.match(error.message, seen);
  }
  t.same(router.requests, [], 'nothing is called');
});

t.test('a connection service whose control URL points elsewhere is named as refused', async (t) => {
  const real = readDescription('livebox-sagemcom-igd2-ppp2.xml');
  const foreign = real.replace('<controlURL>/87895a19/upnp/control/WANIPConn1</controlURL>', '<controlURL>http://192.0.2.1:49152/87895a19/upnp/control/WANIPConn1</controlURL>');
  t.not(foreign, real);
  const { gateway } = await read(t, loadScenario('livebox-sagemcom-igd2-ppp2.scenario.json'), foreign);
  t.equal(gateway.errors[0]?.code, 'EXP_ERR_IGD_NO_CONNECTION_SERVICE');
  t.match(gateway.errors[0]?.message, /service types seen: urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1, urn:schemas-upnp-org:service:WANIPv6FirewallControl:1; refused \(control URL not on the device\): urn:schemas-upnp-org:service:WANPPPConnection:2 at http:\/\/192\.0\.2\.1:49152/);
});

t.test('the descriptions parse into the services miniupnpc finds in them (testdesc/*.values)', async (t) => {
  const livebox = parseDeviceDescription(readDescription('livebox-sagemcom-igd2-ppp2.xml'), new URL('http://192.168.1.1:49152/87895a19/gatedesc.xml'));
  t.same(
    livebox.services.map((s) => [s.serviceType, s.controlUrl.pathname]),
    [
      ['urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1', '/87895a19/upnp/control/WANCommonIFC1'],
      ['urn:schemas-upnp-org:service:WANPPPConnection:2', '/87895a19/upnp/control/WANIPConn1'],
      ['urn:schemas-upnp-org:service:WANIPv6FirewallControl:1', '/87895a19/upnp/control/WANIPv6FwCtrl1'],
    ],
  );
  t.equal(livebox.services[1]?.deviceType, 'urn:schemas-upnp-org:device:WANConnectionDevice:2');
  const fritz = parseDeviceDescription(readDescription('fritzbox-7590-tr64desc.xml'), new URL('http://192.168.178.1:49000/tr64desc.xml'));
  const connections = fritz.services.filter((s) => CONNECTION_SERVICE_TYPES.includes(s.serviceType));
  t.same(connections.map((s) => [s.serviceType, s.controlUrl.href, s.deviceType]), [
    ['urn:dslforum-org:service:WANPPPConnection:1', 'http://192.168.178.1:49000/upnp/control/wanpppconn1', 'urn:dslforum-org:device:WANConnectionDevice:1'],
    ['urn:dslforum-org:service:WANIPConnection:1', 'http://192.168.178.1:49000/upnp/control/wanipconnection1', 'urn:dslforum-org:device:WANConnectionDevice:1'],
  ]);
});

t.test('discovery asks for WANPPPConnection:2 and TR-064, and reads a FRITZ!Box once, through its IGD face', async (t) => {
  for (const target of ['urn:schemas-upnp-org:service:WANPPPConnection:2', 'urn:dslforum-org:device:InternetGatewayDevice:1', 'urn:dslforum-org:service:WANPPPConnection:1']) t.ok(SEARCH_TARGETS.includes(target), target);
  const answer = (from: string, location: string, st: string): SsdpAnswer => ({ from, location, st, usn: `uuid:x::${st}`, server: 'FRITZ!Box 7590 UPnP/1.0 AVM FRITZ!Box 7590 154.08.02' });
  const allowed = (): undefined => undefined;
  const both = chooseLocations(
    [
      answer('192.168.178.1', 'http://192.168.178.1:49000/tr64desc.xml', 'urn:dslforum-org:device:InternetGatewayDevice:1'),
      answer('192.168.178.1', 'http://192.168.178.1:49000/igddesc.xml', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1'),
    ],
    allowed,
  );
  t.same(both.targets.map((target) => target.location.href), ['http://192.168.178.1:49000/igddesc.xml']);
  t.same(both.responses.map((r) => [r.fetched, r.refusedReason]), [[false, 'TR-064 description of a device that also answers as a UPnP IGD, which is read instead'], [true, undefined]]);
  const tr064Only = chooseLocations([answer('192.168.178.1', 'http://192.168.178.1:49000/tr64desc.xml', 'urn:dslforum-org:service:WANPPPConnection:1')], allowed);
  t.same(tr064Only.targets.map((target) => target.location.href), ['http://192.168.178.1:49000/tr64desc.xml'], 'a TR-064-only router is read');
  const otherHost = chooseLocations(
    [answer('192.168.178.1', 'http://192.168.178.1:49000/tr64desc.xml', 'urn:dslforum-org:device:InternetGatewayDevice:1'), answer('192.168.178.2', 'http://192.168.178.2:5000/rootDesc.xml', 'upnp:rootdevice')],
    allowed,
  );
  t.equal(otherHost.targets.length, 2, 'an IGD on another host does not hide a TR-064 router');
});
