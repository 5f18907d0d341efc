import t from 'tap';
import net, { type AddressInfo } from 'node:net';
import type { TapTest } from '../lab/lab.js';
import { fingerprintHost, type FingerprintHostOptions } from '../../src/vendors/fingerprint-host.js';
import { verdictsFor } from '../../src/vendors/verdicts.js';
import { startFakeQnap, startLookalike, type FakeQnap, type LookalikeKind } from '../support/fake-qnap.js';
import { closedPort } from '../support/ports.js';

function options(ports: number[], extra: Partial<FingerprintHostOptions> = {}): FingerprintHostOptions {
  return { address: '127.0.0.1', ports, requestTimeoutMs: 2000, deadline: Date.now() + 20_000, signal: AbortSignal.timeout(30_000), ...extra };
}

async function started(t: TapTest, server: Promise<FakeQnap>): Promise<FakeQnap> {
  const fake = await server;
  t.teardown(() => fake.close());
  return fake;
}

function noCredentials(t: TapTest, fake: FakeQnap): void {
  for (const request of fake.requests) {
    t.notOk(request.headers.authorization, `${request.method} ${request.path}: no Authorization`);
    t.notOk(request.headers.cookie, `${request.method} ${request.path}: no Cookie`);
    t.ok(['GET', 'POST'].includes(request.method));
    if (request.method === 'POST') t.equal(request.body, '&r=0', 'the only body ever sent is the empty form');
  }
}

t.test('QTS over http, and the HTTPS port the device names (stunnelPort) is probed too', async (t) => {
  const secure = await started(t, startFakeQnap({ tls: 'qnap-default' }));
  const fake = await started(t, startFakeQnap({ flags: { stunnelPort: String(secure.port) } }));
  const result = await fingerprintHost(options([fake.port]));
  const device = result.device!;
  t.ok(device);
  t.equal(device.vendor, 'QNAP');
  t.equal(device.os, 'QTS');
  t.equal(device.confidence, 'high');
  t.same(device.firmware, { version: '5.1.1', number: '2491', build: '20230815', full: '5.1.1.2491 build 20230815' });
  t.equal(device.model, 'TS-X53D');
  t.equal(device.displayModel, 'TS-453D');
  t.equal(device.hostname, 'NAS-Home');
  t.same(device.adminPorts, [fake.port, secure.port].sort((a, b) => a - b));
  t.equal(device.flags?.['forceSSL'], '0');
  t.same(result.services.map((service) => [service.port, service.scheme]), [[fake.port, 'http'], [secure.port, 'https']].sort((a, b) => Number(a[0]) - Number(b[0])));
  const https = result.services.find((service) => service.scheme === 'https')!;
  t.equal(https.tls?.selfSigned, true);
  t.match(https.tls?.subject, /CN=QNAP NAS/);
  t.ok(https.fingerprints.some((match) => match.id === 'qts-default-certificate'));
  const http = result.services.find((service) => service.scheme === 'http')!;
  t.equal(http.server, 'http server 1.0');
  const ids = http.fingerprints.map((match) => match.id);
  t.ok(ids.includes('qts-authlogin-get'));
  t.notOk(ids.includes('qts-authlogin-post'), 'the POST is only tried when the GET did not tell');
  t.ok(ids.includes('qts-login-page'));
  t.ok(ids.includes('qnap-server-header'));
  t.equal(http.fingerprints.find((match) => match.id === 'qts-authlogin-get')?.version, '5.1.1.2491 build 20230815');
  t.equal(http.fingerprints.find((match) => match.id === 'qnap-server-header')?.confidence, 'low');
  const verdicts = verdictsFor(device);
  t.equal(verdicts.find((verdict) => verdict.advisory === 'QSA-24-09')?.status, 'vulnerable', '5.1.1.2491 < 5.1.3.2578');
  t.equal(verdicts.find((verdict) => verdict.advisory === 'QSA-21-05')?.status, 'fixed');
  noCredentials(t, fake);
  noCredentials(t, secure);
});

t.test('QuTS hero: authLogin answers only the POST form, the login page sits behind a same-origin redirect', async (t) => {
  const fake = await started(t, startFakeQnap({ firmware: { version: 'h5.0.0', number: '1800', build: '20211101' }, authLogin: 'post', loginPage: 'redirect', flags: { stunnelPort: String(await closedPort()) } }));
  const result = await fingerprintHost(options([fake.port]));
  t.equal(result.device?.os, 'QuTS hero');
  t.equal(result.device?.firmware?.full, 'h5.0.0.1800 build 20211101');
  const ids = result.services[0]!.fingerprints.map((match) => match.id);
  t.ok(ids.includes('qts-authlogin-post'));
  t.ok(ids.includes('qts-login-page'), 'followed /cgi-bin/ -> /cgi-bin/html/login.html on the same origin');
  t.ok(fake.requests.some((request) => request.method === 'POST' && request.headers['content-type'] === 'application/x-www-form-urlencoded'));
  t.equal(verdictsFor(result.device).find((verdict) => verdict.advisory === 'QSA-21-57')?.fixedVersion, 'h5.0.0.1892 build 20211222');
  t.equal(verdictsFor(result.device).find((verdict) => verdict.advisory === 'QSA-21-57')?.status, 'vulnerable');
  noCredentials(t, fake);
});

t.test('QuTScloud and Photo Station with its version', async (t) => {
  const cloud = await started(t, startFakeQnap({ firmware: { version: 'c5.0.0', number: '1919', build: '20220119' }, displayModelName: 'QuTScloud', modelName: 'QuTScloud', flags: { stunnelPort: '0' } }));
  const cloudResult = await fingerprintHost(options([cloud.port]));
  t.equal(cloudResult.device?.os, 'QuTScloud');
  t.equal(verdictsFor(cloudResult.device).find((verdict) => verdict.advisory === 'QSA-21-57')?.status, 'fixed');

  const photo = await started(t, startFakeQnap({ firmware: { version: '5.0.0', number: '1986', build: '20220324' }, photoStation: { version: '6.0.21', builtinFirmware: '5.0.0' }, flags: { stunnelPort: '0' } }));
  const result = await fingerprintHost(options([photo.port]));
  t.same(result.device?.apps, [{ name: 'Photo Station', version: '6.0.21', port: photo.port }]);
  const verdict = verdictsFor(result.device).find((candidate) => candidate.advisory === 'QSA-22-24');
  t.equal(verdict?.status, 'vulnerable');
  t.equal(verdict?.foundVersion, 'Photo Station 6.0.21');
  t.equal(verdict?.fixedVersion, '6.0.22');
});

t.test('the default certificate alone: QNAP with medium confidence, version unknown, nothing vulnerable', async (t) => {
  const fake = await started(t, startFakeQnap({ tls: 'qnap-default', authLogin: 'none', loginPage: 'none' }));
  const result = await fingerprintHost(options([fake.port]));
  t.equal(result.device?.confidence, 'medium');
  t.equal(result.device?.firmware, null);
  const verdicts = verdictsFor(result.device);
  t.notOk(verdicts.some((verdict) => verdict.status === 'vulnerable'));
  t.match(verdicts.find((verdict) => verdict.advisory === 'QSA-21-05')?.reason, /QNAP detected, version unknown/);
});

t.test('legacy firmware: <version> only', async (t) => {
  const fake = await started(t, startFakeQnap({ firmware: { version: '4.3.3', legacy: true }, flags: { stunnelPort: '0' } }));
  const result = await fingerprintHost(options([fake.port]));
  t.equal(result.device?.firmware?.full, '4.3.3');
  t.equal(verdictsFor(result.device).find((verdict) => verdict.advisory === 'QSA-21-05')?.status, 'unknown');
});

t.test('look-alikes are not QNAP', async (t) => {
  const kinds: LookalikeKind[] = ['server-header-only', 'qdocroot-without-structure', 'title-only', 'synology-photo-station', 'qnap-fan-blog', 'cert-lookalike', 'cert-ca-signed', 'markers-without-qnap'];
  for (const kind of kinds) {
    const fake = await started(t, startLookalike(kind));
    const result = await fingerprintHost(options([fake.port]));
    t.equal(result.device, null, `${kind}: not a QNAP`);
    t.equal(result.services.length, 1, `${kind}: the service is still reported`);
    t.notOk(result.services[0]!.fingerprints.some((match) => match.confidence !== 'low'), `${kind}: at most a weak match`);
    t.same(verdictsFor(result.device), []);
  }
});

t.test('hostile answers: huge bodies, slow servers, redirects elsewhere, markup and control characters, entity references left unexpanded', async (t) => {
  const huge = await started(t, startFakeQnap({ padBytes: 400 * 1024 }));
  const big = await fingerprintHost(options([huge.port]));
  t.equal(big.device, null);
  t.match(big.services[0]?.error, /EXP_ERR_HTTP_TOO_LARGE/);

  const slow = await started(t, startFakeQnap({ delayMs: 5000 }));
  const started_ = Date.now();
  const late = await fingerprintHost(options([slow.port], { requestTimeoutMs: 300 }));
  t.ok(Date.now() - started_ < 3000, 'a slow server costs one request timeout, not one per fingerprint');
  t.match(late.services[0]?.error, /EXP_ERR_HTTP_TIMEOUT/);

  const elsewhere = await started(t, startFakeQnap());
  const redirecting = await started(t, startFakeQnap({ redirectTo: `${elsewhere.url}/cgi-bin/authLogin.cgi` }));
  const moved = await fingerprintHost(options([redirecting.port]));
  t.equal(moved.device, null);
  t.equal(elsewhere.requests.length, 0, 'a redirect to another origin is never followed');

  const markup = await started(t, startFakeQnap({ modelName: '<script>alert(1)</script>', displayModelName: 'TS-453D\u001b[31m\u202eevil', hostname: 'a'.repeat(5000), flags: { stunnelPort: '0' } }));
  const marked = await fingerprintHost(options([markup.port]));
  t.equal(marked.device?.model, '<script>alert(1)</script>', 'kept as text (renderers escape it), never interpreted');
  // eslint-disable-next-line no-control-regex -- looking for the control character is the point
  t.notMatch(marked.device?.displayModel, /[\u001b\u202e]/, 'control and bidi characters are stripped');
  t.equal(marked.device?.hostname, undefined, 'an element too long to be a hostname is not read');

  const entity = await started(t, startFakeQnap({ firmware: { version: '&lol9;', number: '1', build: '20230815' }, flags: { stunnelPort: '0' } }));
  const bombed = await fingerprintHost(options([entity.port]));
  t.equal(bombed.device?.firmware?.version, '&lol9;', 'entities are never expanded');
  t.notOk(verdictsFor(bombed.device).some((verdict) => verdict.status === 'vulnerable' || verdict.status === 'fixed'), 'an unreadable version is never judged');
});

t.test('a server that drips its answer forever costs one request timeout', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>QNAP Turbo NAS');
    const timer = setInterval(() => socket.write('QTS_REMEMBER_ME '), 50);
    socket.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const started = Date.now();
  const result = await fingerprintHost(options([(server.address() as AddressInfo).port], { requestTimeoutMs: 500 }));
  t.ok(Date.now() - started < 4000, `bounded (${Date.now() - started} ms)`);
  t.equal(result.device, null);
  t.match(result.services[0]?.error, /EXP_ERR_HTTP_TIMEOUT/);
});

t.test('closed ports give no service; the signal cancels', async (t) => {
  const closed = await closedPort();
  const result = await fingerprintHost(options([closed]));
  t.same(result.services, []);
  t.equal(result.device, null);
  const slow = await started(t, startFakeQnap({ delayMs: 5000 }));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  await t.rejects(fingerprintHost(options([slow.port], { signal: controller.signal, requestTimeoutMs: 4000 })), { code: 'EXP_ERR_ABORTED' });
});

t.test('a port that speaks something else (SSH) is no web service', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('SSH-2.0-OpenSSH_9.2\r\n');
    socket.on('data', () => socket.end('Protocol mismatch.\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await fingerprintHost(options([(server.address() as AddressInfo).port]));
  t.same(result.services, []);
  t.equal(result.device, null);
});
