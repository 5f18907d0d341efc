// The outside view end to end: the agent on the WAN host, the scanner on the LAN, the real router between.
import t from 'tap';
import { binaries, httpGet, withLab, type Lab, type LabHost } from './lab.js';
import { runExposure, scanWithVantage, startAgent } from './exposure.js';
import { exposureArgv } from '../support/built.js';

const TOKEN = 'lab-token-'.padEnd(48, 'x');

/** A TCP listener inside a namespace, answering with a banner. */
function listen(lab: Lab, host: LabHost, port: number, banner: string): void {
  lab.spawn(host, process.execPath, ['-e', `require('net').createServer((s) => s.end(${JSON.stringify(banner)})).listen(${port}, '0.0.0.0')`]);
}

t.test('agent on the WAN side, scanner on the LAN: open, closed, unexplained', async (t) => {
  const lab = await withLab(t, {
    mappings: [
      { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'QNAP web' },
      { protocol: 'TCP', externalPort: 9000, internalClient: '@nas', internalPort: 9000, description: 'nothing listens' },
    ],
  });
  if (!lab) return;
  listen(lab, lab.nas, 8080, 'HTTP/1.0 200 OK\r\nServer: http server 1.0\r\n\r\n');
  listen(lab, lab.nas, 22, 'SSH-2.0-OpenSSH_8.4\r\n');
  // A port forward set by hand on the router: no UPnP mapping explains it.
  for (const rule of [
    ['-t', 'nat', '-I', 'PREROUTING', '-i', lab.router.wanIface, '-p', 'tcp', '--dport', '2222', '-j', 'DNAT', '--to-destination', `${lab.nas.address}:22`],
    ['-I', 'FORWARD', '-i', lab.router.wanIface, '-p', 'tcp', '-d', lab.nas.address, '--dport', '22', '-j', 'ACCEPT'],
  ]) {
    const result = await lab.exec(lab.router, binaries.iptablesLegacy, rule);
    t.equal(result.code, 0, result.stderr);
  }
  const url = await startAgent(lab, TOKEN, ['--engine', 'connect']);

  const run = await scanWithVantage(lab, url, TOKEN, ['--ports', '7000,2222']);
  t.equal(run.code, 0, run.stderr);
  const report = run.report!;
  const wan = report.wan;
  t.equal(wan.vantage, 'agent');
  t.equal(wan.outsideView, true);
  t.equal(wan.address, lab.router.wanAddress, 'the agent scanned the address it saw: the router, through NAT');
  t.equal(wan.igdExternalIp, lab.router.wanAddress);
  const state = (port: number, protocol = 'TCP') => wan.ports.find((p) => p.port === port && p.protocol === protocol)?.state;
  t.equal(state(8080), 'open', 'mapped and listening');
  t.equal(state(9000), 'closed', 'mapped, nothing listening (mapped ports are always added)');
  t.equal(state(7000), 'closed', 'not mapped');
  t.equal(state(2222), 'open', 'manual DNAT');
  t.equal(state(1900, 'UDP'), 'open|filtered', 'miniupnpd does not answer SSDP on the WAN');
  t.equal(state(5351, 'UDP'), 'open|filtered');
  t.equal(wan.igdControl?.descriptionFetched, false, "the router's IGD does not answer from the WAN");
  const ids = report.findings.map((f) => f.id);
  t.ok(ids.includes('wan-port-open-mapped-8080'));
  t.equal(report.findings.find((f) => f.id === 'wan-port-open-mapped-8080')?.severity, 'critical');
  t.ok(ids.includes('wan-port-open-unexplained-2222'));
  t.ok(ids.some((id) => /^upnp-mapping-unreachable-udn-[0-9a-f]{8}-tcp-9000$/.test(id)), 'router-scoped: named by the router\'s UDN');
  t.notOk(ids.some((id) => id.includes('7000')));
  t.notOk(ids.includes('ssdp-on-wan'));
  t.notOk(ids.includes('wan-address-mismatch'));

  const text = await lab.exec(lab.scanner, process.execPath, exposureArgv('scan', '--vantage', url, '--ports', '7000', '--fail-on', 'none'), { env: { ...process.env, EXPOSURE_VANTAGE_TOKEN: TOKEN }, timeoutMs: 120_000 });
  t.match(text.stdout, /Outside view\s+\S+ scanned from the vantage agent/);

  const wrong = await scanWithVantage(lab, url, 'not-the-token', ['--ports', '7000']);
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /EXP_ERR_VANTAGE.*401/);

  // The agent has no way to be pointed elsewhere: a target field is refused outright.
  const named = await httpGet(lab, lab.scanner, `${url}/v1/scan`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ target: lab.nas.address, ports: '22' }),
  });
  t.equal(named.status, 400);

  // Without a vantage, the external address is scanned from inside and says so.
  const local = await runExposure(lab, ['scan', '--format', 'json', '--fail-on', 'none', '--ports', '7000', '--engine', 'connect']);
  t.equal(local.code, 0, local.stderr);
  t.equal(local.report?.wan.vantage, 'local');
  t.equal(local.report?.wan.outsideView, false);
  t.ok(local.report?.findings.some((f) => f.id === 'wan-view-local-only'));
});

t.test('double NAT: the agent sees another address than the router reports', async (t) => {
  // The router's own WAN address is CGNAT; ext_ip makes it report a public one, as a router behind CGNAT that
  // learned its "external" address by STUN would.
  const lab = await withLab(t, { reservedWan: true, extraConfig: ['ext_ip=11.200.200.200'] });
  if (!lab) return;
  const url = await startAgent(lab, TOKEN, ['--engine', 'connect']);
  const run = await scanWithVantage(lab, url, TOKEN, ['--ports', '7000']);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.report?.wan.address, lab.router.wanAddress);
  t.equal(run.report?.wan.igdExternalIp, '11.200.200.200');
  const mismatch = run.report?.findings.find((f) => f.id === 'wan-address-mismatch');
  t.ok(mismatch);
  t.equal(mismatch?.severity, 'info');
});
