// The IPv6 IPoE line: a NAS with a global address behind a router with no IPv4 port forward, the router's IPv6
// firewall on, pinholed, or off. One lab for the whole file (test/lab/lines.ts).
import t from 'tap';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';
import { fileURLToPath } from 'node:url';
import { httpGet, soapRequest } from './lab.js';
import { scanWithVantage, startAgent, startFakeServices } from './exposure.js';
import { connect, withLine } from './lines.js';

const IP6FC = 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1';
const TOKEN = 'lab-token-'.padEnd(48, '6');
const INTERNETDB_SERVER = fileURLToPath(new URL('../support/fake-internetdb-server.ts', import.meta.url));
const INTERNETDB_ANSWERS = fileURLToPath(new URL('../fixtures/internetdb/lab-answers.json', import.meta.url));
const INTERNETDB_PORT = 8099;

t.test('IPv6 line', async (t) => {
  const started = Date.now();
  const lab = await withLine(t, { line: 'ipv6', ipv6Firewall: 'firewall' });
  if (!lab) return;
  t.comment(`lab up in ${Date.now() - started} ms`);
  // the fake QTS web UI on every address of the NAS, IPv6 included; no IPv4 mapping or forward points to it
  await startFakeServices(lab, lab.nas, { qnap: [{ host: '::', port: 8080, firmware: { version: '4.5.4', number: '1800', build: '20211101' }, hostname: 'LabNAS' }] });

  await t.test('topology: the NAS over IPv6 from the internet, by firewall mode; never over IPv4', async (t) => {
    t.match(lab.v6.nas, /^2001:db8:/, 'documentation prefix');
    t.equal(await connect(lab, lab.scanner, lab.v6.nas, 8080), 'open', 'from the LAN');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 8080), 'timeout', 'firewall: dropped');
    t.not(await connect(lab, lab.wan, lab.router.wanAddress, 8080), 'open', 'no IPv4 forward');
    await lab.setIpv6Firewall('pinhole');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 8080), 'open', 'pinhole: the one port');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 22), 'timeout', 'pinhole: nothing else');
    await lab.setIpv6Firewall('open');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 8080), 'open', 'open: reachable');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 22), 'refused', 'open: every port answers');
    const page = await httpGet(lab, lab.wan, `http://[${lab.v6.nas}]:8080/cgi-bin/authLogin.cgi`);
    t.equal(page.status, 200);
    t.match(page.body.toString(), /LabNAS/, 'the fake QTS answers over IPv6 from the internet');
    t.not(await connect(lab, lab.wan, lab.v6.other, 8080), 'open');
    await lab.setIpv6Firewall('firewall');
  });

  await t.test('what miniupnpd 2.3.1 says about its IPv6 firewall', async (t) => {
    const desc = (await httpGet(lab, lab.scanner, lab.router.rootDescUrl)).body.toString();
    const service = /<service>(?:(?!<\/service>)[\s\S])*WANIPv6FirewallControl(?:(?!<\/service>)[\s\S])*<\/service>/.exec(desc)?.[0];
    t.ok(service, 'IGDv2 offers WANIPv6FirewallControl');
    const control = /<controlURL>([^<]+)<\/controlURL>/.exec(service ?? '')?.[1] ?? '';
    const status = await httpGet(lab, lab.scanner, `http://${lab.router.address}:${lab.router.upnpPort}${control}`, { method: 'POST', ...soapRequest('GetFirewallStatus', IP6FC) });
    t.equal(status.status, 200);
    const body = status.body.toString();
    t.comment(`GetFirewallStatus: ${body.replace(/\s+/g, ' ')}`);
    // miniupnpd answers from its own flags, not from ip6tables: "enabled" whatever LINE6 holds
    t.match(body, /<FirewallEnabled>1<\/FirewallEnabled>/);
    t.match(body, /<InboundPinholeAllowed>1<\/InboundPinholeAllowed>/);
  });

  const agent = await startAgent(lab, TOKEN, ['--engine', 'connect']);

  await t.test('passive: the fake InternetDB\'s extra port is shown as seen by Shodan, closed now', async (t) => {
    // The endpoint may be plain http only on loopback: the fake runs on the scanner host's own 127.0.0.1, inside the lab.
    const fake = lab.spawn(lab.scanner, process.execPath, [...TS_LOADER_ARGS, INTERNETDB_SERVER, '--port', String(INTERNETDB_PORT), '--answers', INTERNETDB_ANSWERS, '--host', '127.0.0.1']);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fake InternetDB did not start')), 30_000);
      fake.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const run = await scanWithVantage(lab, agent, TOKEN, ['--ports', '9443', '--passive', 'internetdb', '--passive-endpoint', `http://127.0.0.1:${INTERNETDB_PORT}`]);
    t.equal(run.code, 0, run.stderr);
    const report = run.report!;
    t.equal(report.wan.ports.find((p) => p.port === 9443 && p.protocol === 'TCP')?.state, 'closed', 'the agent sees 9443 closed now');
    const closedNow = report.findings.find((f) => f.id === 'passive-port-closed-now-tcp-9443');
    t.ok(closedNow, 'the port Shodan saw is a finding');
    t.match(closedNow?.title, /open at Shodan's last crawl, and is closed now/);
    t.match(closedNow?.evidence.map((e) => e.subject).join(' '), lab.router.wanAddress, 'about the WAN address the agent saw');
    t.equal(report.coverage.passive?.status, 'complete');
  });
});
