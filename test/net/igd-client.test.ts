import t from 'tap';
import { enumerateMappings, getExternalIpAddress, getStatusInfo } from '../../src/net/igd-client.js';
import { startFakeIgd, type FakeMapping } from '../support/fake-igd.js';

function mappings(count: number, protocol: 'TCP' | 'UDP' = 'TCP', from = 10000): FakeMapping[] {
  return Array.from({ length: count }, (_, index) => ({
    protocol,
    externalPort: from + index,
    internalClient: `10.0.0.${2 + (index % 200)}`,
    internalPort: 20000 + index,
    description: `app ${index}`,
    leaseDuration: index % 2 === 0 ? 0 : 3600,
  }));
}

const target = (url: string, version = 2) => ({ controlUrl: new URL('/ctl/IPConn', url), serviceType: `urn:schemas-upnp-org:service:WANIPConnection:${version}` });
const base = { maxMappings: 4096, maxInFlight: 4, requestTimeoutMs: 2000 };
const deadline = () => Date.now() + 20_000;

t.test('IGDv2: GetListOfPortMappings pages both protocols and is verified against the generic index', async (t) => {
  const table = [...mappings(7, 'TCP'), ...mappings(3, 'UDP', 500)];
  const igd = await startFakeIgd({ mappings: table });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url), { ...base, method: 'auto', deadline: deadline(), pageSize: 3 });
  t.equal(result.enumeration.method, 'GetListOfPortMappings');
  t.equal(result.mappings.length, 10);
  t.same(
    result.mappings.map((m) => `${m.protocol}/${m.externalPort}`).sort(),
    table.map((m) => `${m.protocol}/${m.externalPort}`).sort(),
  );
  t.equal(igd.actions.filter((a) => a === 'GetListOfPortMappings').length, 3 + 2, 'TCP: 3 pages (3+3+1), UDP: 1 full page + 1 that finds nothing');
  t.same(igd.actions.filter((a) => a === 'GetGenericPortMappingEntry').length, 2, 'two verification requests');
  const first = result.mappings.find((m) => m.externalPort === 10000);
  t.same(first, { protocol: 'TCP', externalPort: 10000, internalClient: '10.0.0.2', internalPort: 20000, description: 'app 0', enabled: true, leaseDuration: 0, remoteHost: '', descriptionHasMarkup: false });
});

t.test('IGDv2: the TCP and UDP listings are asked side by side; IGDv1 is asked once, TCP first', async (t) => {
  const table = [...mappings(4, 'TCP'), ...mappings(4, 'UDP', 500)];
  const v2 = await startFakeIgd({ mappings: table, delayMs: 5000, releaseWhenInFlight: 2 });
  t.teardown(v2.close);
  const listed = await enumerateMappings(target(v2.url), { ...base, method: 'auto', deadline: deadline() });
  t.same(listed.mappings.map((m) => m.protocol), ['TCP', 'TCP', 'TCP', 'TCP', 'UDP', 'UDP', 'UDP', 'UDP'], 'TCP entries first, as when read in turn');
  // The fake answers a listing only once two requests are in flight (else after 5 s, past the 2 s request timeout):
  // read by listing at all means TCP and UDP were asked side by side.
  t.equal(listed.enumeration.method, 'GetListOfPortMappings', 'both listings were in flight at once');
  t.same(v2.actions.slice(0, 2), ['GetListOfPortMappings', 'GetListOfPortMappings']);
  const cut = await enumerateMappings(target(v2.url), { ...base, maxMappings: 6, method: 'auto', deadline: deadline() });
  t.same(cut.mappings.map((m) => `${m.protocol}/${m.externalPort}`), ['TCP/10000', 'TCP/10001', 'TCP/10002', 'TCP/10003', 'UDP/500', 'UDP/501']);
  t.equal(cut.truncated, true);
  const v1 = await startFakeIgd({ igdVersion: 1, mappings: table });
  t.teardown(v1.close);
  await enumerateMappings(target(v1.url, 1), { ...base, method: 'auto', deadline: deadline() });
  t.equal(v1.actions.filter((a) => a === 'GetListOfPortMappings').length, 1, 'a v1 service that refuses the listing is asked once');
});

t.test('IGDv2 with a forged listing entry falls back to the generic walk, which is unambiguous', async (t) => {
  const forged =
    'innocent</p:NewDescription><p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry><p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost><p:NewExternalPort>3389</p:NewExternalPort><p:NewProtocol>TCP</p:NewProtocol><p:NewInternalPort>3389</p:NewInternalPort><p:NewInternalClient>6.6.6.6</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled><p:NewDescription>ghost';
  const table: FakeMapping[] = [
    { protocol: 'TCP', externalPort: 80, internalClient: '10.0.0.9', internalPort: 80, description: forged },
    { protocol: 'TCP', externalPort: 8080, internalClient: '10.0.0.5', internalPort: 8080, description: 'QNAP' },
  ];
  const igd = await startFakeIgd({ mappings: table });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url), { ...base, method: 'auto', deadline: deadline() });
  t.equal(result.enumeration.method, 'GetGenericPortMappingEntry');
  t.match(result.enumeration.fallbackReason, /generic index disagrees/);
  t.equal(result.mappings.length, 2, 'no ghost entry');
  t.notOk(result.mappings.some((m) => m.internalClient === '6.6.6.6'));
  const hostile = result.mappings.find((m) => m.externalPort === 80);
  t.equal(hostile?.description, forged, 'the forged text is the description, faithfully');
  t.equal(hostile?.descriptionHasMarkup, true);
});

t.test('IGDv1 that refuses GetListOfPortMappings: auto falls back to the walk after one request', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, mappings: mappings(5) });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, method: 'auto', deadline: deadline() });
  t.equal(result.enumeration.method, 'GetGenericPortMappingEntry');
  t.match(result.enumeration.fallbackReason, /GetListOfPortMappings failed/);
  t.equal(result.mappings.length, 5);
  t.equal(igd.actions.filter((a) => a === 'GetListOfPortMappings').length, 1);
  const forced = await enumerateMappings(target(igd.url, 1), { ...base, method: 'list', deadline: deadline() });
  t.equal(forced.enumeration.stopReason, 'error', '--enumeration list does not fall back');
  t.equal(forced.mappings.length, 0);
});

t.test('IGDv1: generic walk with at most maxInFlight requests in flight', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, mappings: mappings(40), delayMs: 5 });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, method: 'index', deadline: deadline() });
  t.equal(result.enumeration.method, 'GetGenericPortMappingEntry');
  t.equal(result.enumeration.stopReason, 'end-of-table');
  t.equal(result.mappings.length, 40);
  t.same(result.mappings.map((m) => m.externalPort), mappings(40).map((m) => m.externalPort), 'in index order');
  t.ok(igd.maxInFlight <= 4, `max in flight ${igd.maxInFlight}`);
  t.ok(igd.maxInFlight >= 2, 'requests do overlap');
  t.ok(result.enumeration.requests <= 40 + 4, `${result.enumeration.requests} requests: at most one speculative request per worker past the end`);
});

t.test('tables that start at index 1', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, mappings: mappings(5), firstIndex: 1 });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, method: 'index', deadline: deadline() });
  t.equal(result.enumeration.firstIndex, 1);
  t.equal(result.mappings.length, 5);
});

t.test('firmware that repeats the last entry forever stops at the repeat', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, mappings: mappings(6), repeatLastForever: true });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, method: 'index', deadline: deadline() });
  t.equal(result.enumeration.stopReason, 'repeated-entry');
  t.equal(result.mappings.length, 6);
  t.ok(result.enumeration.requests < 20, `${result.enumeration.requests} requests`);
});

t.test('an endless table is cut at maxMappings', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, endless: true });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, maxMappings: 300, method: 'index', deadline: deadline() });
  t.equal(result.enumeration.stopReason, 'max-mappings');
  t.equal(result.mappings.length, 300);
  t.equal(result.truncated, true);
  t.ok(result.enumeration.requests <= 300 + 4);
});

t.test('an endless table is cut at the deadline', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, endless: true, delayMs: 2 });
  t.teardown(igd.close);
  const started = Date.now();
  const result = await enumerateMappings(target(igd.url, 1), { ...base, maxMappings: 1_000_000, method: 'index', deadline: Date.now() + 300 });
  t.equal(result.enumeration.stopReason, 'deadline');
  t.ok(Date.now() - started < 2000, 'stops soon after the deadline');
  t.equal(result.truncated, true);
});

for (const code of [714, 402]) {
  t.test(`end of table signalled with ${code}`, async (t) => {
    const igd = await startFakeIgd({ igdVersion: 1, mappings: mappings(3), endErrorCode: code });
    t.teardown(igd.close);
    const result = await enumerateMappings(target(igd.url, 1), { ...base, method: 'index', deadline: deadline() });
    t.equal(result.mappings.length, 3);
    t.equal(result.enumeration.stopReason, 'end-of-table');
  });
}

t.test('an empty table', async (t) => {
  for (const version of [1, 2] as const) {
    const igd = await startFakeIgd({ igdVersion: version });
    const result = await enumerateMappings(target(igd.url, version), { ...base, method: 'auto', deadline: deadline() });
    t.equal(result.mappings.length, 0, `v${version}`);
    t.equal(result.enumeration.stopReason, 'end-of-table');
    await igd.close();
  }
});

t.test('a router that never answers: typed timeout, walk stops with a warning', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, hang: true });
  t.teardown(igd.close);
  const result = await enumerateMappings(target(igd.url, 1), { ...base, requestTimeoutMs: 200, method: 'index', deadline: deadline() });
  t.equal(result.enumeration.stopReason, 'error');
  t.equal(result.warnings[0]?.code, 'EXP_ERR_HTTP_TIMEOUT');
});

t.test('external IP and status', async (t) => {
  const igd = await startFakeIgd({ externalIp: '100.64.1.2', connectionStatus: 'Connected' });
  t.teardown(igd.close);
  t.equal(await getExternalIpAddress(target(igd.url), {}), '100.64.1.2');
  t.same(await getStatusInfo(target(igd.url), {}), { connectionStatus: 'Connected', uptimeSeconds: 3725 });
});

t.test('an AbortSignal cancels the walk', async (t) => {
  const igd = await startFakeIgd({ igdVersion: 1, endless: true, delayMs: 5 });
  t.teardown(igd.close);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await t.rejects(enumerateMappings(target(igd.url, 1), { ...base, maxMappings: 1_000_000, method: 'index', deadline: deadline(), signal: controller.signal }), { code: 'EXP_ERR_ABORTED' });
});
