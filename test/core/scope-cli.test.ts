/**
 * Scope refusals through the real entry points (main() and runScan), on loopback, without root. This machine's
 * interfaces are replaced by a synthetic LAN (192.168.1.0/24) so the result does not depend on where the test
 * runs, and a net guard records every socket, datagram and name lookup: each refusal must come before any of them.
 * A counting HTTP server on 127.0.0.1 plays the router; it must see no request when the scan is refused.
 */
import t from 'tap';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main.js';
import { runScan } from '../../src/scan/run-scan.js';
import { DEFAULT_SCAN_OPTIONS } from '../../src/core/options.js';
import { isExposureError } from '../../src/core/errors.js';
import { capture } from '../support/cli.js';
import { guardNetwork, type NetGuard } from '../support/net-guard.js';

const FOREIGN = '198.51.100.7';

const realInterfaces = os.networkInterfaces;
os.networkInterfaces = () => ({
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [{ address: '192.168.1.10', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.10/24' }],
});
t.teardown(() => {
  os.networkInterfaces = realInterfaces;
});

interface CountingRouter {
  port: number;
  requests: string[];
  close: () => Promise<void>;
}

async function countingRouter(): Promise<CountingRouter> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function exposure(args: string[]): Promise<{ code: number; stderr: string; guard: NetGuard }> {
  const guard = guardNetwork();
  try {
    const out = capture();
    const err = capture();
    const code = await main(args, { stdout: out.stream, stderr: err.stream });
    return { code, stderr: err.text(), guard };
  } finally {
    guard.restore();
  }
}

t.test('the synthetic LAN is what the scan sees', async (t) => {
  t.same(os.networkInterfaces()['eth0']?.[0]?.address, '192.168.1.10');
});

t.test('positive control: a loopback router named with --gateway is asked, so the counter below means something', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  const run = await exposure(['scan', '--gateway', `http://127.0.0.1:${router.port}/rootDesc.xml`, '--no-wan', '--format', 'json', '--timeout', '5']);
  t.ok(router.requests.length > 0, `the router was asked (${router.requests.join(', ')})`);
  t.ok(run.guard.attempts.length > 0 && run.guard.blocked.length === 0, `the guard saw loopback traffic only: ${run.guard.attempts.join(', ')}`);
});

t.test('--gateway off the local networks: exit 2, EXP_ERR_URL_NOT_ALLOWED, nothing sent anywhere', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  const cases: Array<[gateway: string, named: string]> = [
    [`http://${FOREIGN}:${router.port}/rootDesc.xml`, FOREIGN],
    [`http://3325256711:${router.port}/rootDesc.xml`, FOREIGN],
    [`http://0xc6.0x33.0x64.0x07:${router.port}/rootDesc.xml`, FOREIGN],
    ['http://192.168.2.1:5000/rootDesc.xml', '192.168.2.1'],
    [`http://localhost:${router.port}/rootDesc.xml`, 'localhost'],
    ['http://router.lan:5000/rootDesc.xml', 'router.lan'],
    // Each of these would reach the loopback router if it were followed: the counter proves it was not.
    [`http://0.0.0.0:${router.port}/rootDesc.xml`, '0.0.0.0'],
    [`http://[::ffff:127.0.0.1]:${router.port}/rootDesc.xml`, '[::ffff:7f00:1]'],
    [`http://[::1]:${router.port}/rootDesc.xml`, '[::1]'],
    ['http://255.255.255.255:5000/rootDesc.xml', '255.255.255.255'],
    ['http://239.255.255.250:1900/rootDesc.xml', '239.255.255.250'],
  ];
  for (const [gateway, named] of cases) {
    const run = await exposure(['scan', '--gateway', gateway, '--no-wan', '--format', 'json']);
    t.equal(run.code, 2, `${gateway}: exit 2`);
    t.match(run.stderr, `EXP_ERR_URL_NOT_ALLOWED: --gateway host ${named} is not on a network`, gateway);
    t.same(run.guard.attempts, [], `${gateway}: no socket, datagram or lookup`);
  }
  t.same(router.requests, [], 'the loopback router saw nothing');
});

t.test('the refusal comes first even when the outside view is on (no --no-wan)', async (t) => {
  const run = await exposure(['scan', '--gateway', `http://${FOREIGN}:5000/rootDesc.xml`, '--format', 'json']);
  t.equal(run.code, 2);
  t.match(run.stderr, 'EXP_ERR_URL_NOT_ALLOWED');
  t.same(run.guard.attempts, []);
});

t.test('--gateway with another scheme: exit 2, usage error, nothing sent', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  for (const gateway of [`https://127.0.0.1:${router.port}/rootDesc.xml`, `ftp://127.0.0.1:${router.port}/`, 'file:///etc/passwd']) {
    const run = await exposure(['scan', '--gateway', gateway, '--no-wan']);
    t.equal(run.code, 2, gateway);
    t.match(run.stderr, 'EXP_ERR_USAGE: --gateway must be an http: URL', gateway);
    t.same(run.guard.attempts, [], gateway);
  }
  t.same(router.requests, []);
});

t.test('--nas off the local networks: exit 2, EXP_ERR_NAS_NOT_ALLOWED, and the router on loopback is never asked', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  for (const nas of [FOREIGN, '192.168.2.20', 'nas.local', '::ffff:192.168.1.20', '3232235796']) {
    const run = await exposure(['scan', '--gateway', `http://127.0.0.1:${router.port}/rootDesc.xml`, '--nas', '192.168.1.20', '--nas', nas, '--no-wan']);
    t.equal(run.code, 2, nas);
    t.match(run.stderr, 'EXP_ERR_NAS_NOT_ALLOWED', nas);
    t.same(run.guard.attempts, [], `${nas}: nothing sent`);
  }
  t.same(router.requests, [], 'refused before the first probe');
});

t.test('--myqnapcloud outside QNAP DDNS domains: exit 2, EXP_ERR_MYQNAPCLOUD_NAME, no lookup', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  for (const name of ['nas.example.com', 'nas.myqnapcloud.com.example.org', FOREIGN]) {
    const run = await exposure(['scan', '--gateway', `http://127.0.0.1:${router.port}/rootDesc.xml`, '--myqnapcloud', name, '--no-wan']);
    t.equal(run.code, 2, name);
    t.match(run.stderr, 'EXP_ERR_MYQNAPCLOUD_NAME', name);
    t.same(run.guard.attempts, [], `${name}: no socket and no DNS query`);
  }
  t.same(router.requests, []);
});

t.test('runScan itself refuses (the REST API and the scheduler call it, not main)', async (t) => {
  const router = await countingRouter();
  t.teardown(router.close);
  const cases: Array<[Partial<typeof DEFAULT_SCAN_OPTIONS>, string]> = [
    [{ gatewayUrl: `http://${FOREIGN}:5000/rootDesc.xml` }, 'EXP_ERR_URL_NOT_ALLOWED'],
    [{ gatewayUrl: `http://[::ffff:127.0.0.1]:${router.port}/rootDesc.xml` }, 'EXP_ERR_URL_NOT_ALLOWED'],
    [{ gatewayUrl: `http://127.0.0.1:${router.port}/rootDesc.xml`, nas: [FOREIGN] }, 'EXP_ERR_NAS_NOT_ALLOWED'],
  ];
  for (const [choices, code] of cases) {
    const guard = guardNetwork();
    try {
      await runScan({ ...DEFAULT_SCAN_OPTIONS, wan: false, timeoutSeconds: 5, ...choices });
      t.fail(`${JSON.stringify(choices)} was not refused`);
    } catch (error) {
      t.ok(isExposureError(error, code as 'EXP_ERR_URL_NOT_ALLOWED'), `${JSON.stringify(choices)}: ${code}`);
    } finally {
      guard.restore();
    }
    t.same(guard.attempts, [], `${JSON.stringify(choices)}: nothing sent`);
  }
  t.same(router.requests, []);
});
