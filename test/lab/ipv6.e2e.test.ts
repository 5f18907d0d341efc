// The IPv6 IPoE line: a NAS with a global address behind a router with no IPv4 port forward, the router's IPv6
// firewall on, pinholed, or off. One lab for the whole file (test/lab/lines.ts): the topology, what miniupnpd says,
// the passive view, the scan end to end (issue 16's "done when"), and the agent's /64 scope.
import t from 'tap';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpGet, soapRequest, type Lab } from './lab.js';
import { AGENT_PORT, runExposure, scanWithVantage, startFakeServices, type ExposureRun } from './exposure.js';
import { exposureArgv } from '../support/built.js';
import { connect, withLine } from './lines.js';
import { startAvahi } from './avahi.js';
import { LAB_NAS_AVAHI } from '../ipv6/mdns-fixture.js';

const IP6FC = 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1';
const TOKEN = 'lab-token-'.padEnd(48, '6');
const INTERNETDB_SERVER = fileURLToPath(new URL('../support/fake-internetdb-server.ts', import.meta.url));
const INTERNETDB_ANSWERS = fileURLToPath(new URL('../fixtures/internetdb/lab-answers.json', import.meta.url));
const INTERNETDB_PORT = 8099;

/** `exposure agent` on the wan host on both families ([::]), documentation prefixes allowed (this is the lab). */
async function startDualStackAgent(lab: Lab): Promise<string> {
  const tokenFile = path.join(lab.tmpDir, 'agent-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  lab.spawn(lab.wan, process.execPath, exposureArgv('agent', '--listen', `[::]:${AGENT_PORT}`, '--token-file', tokenFile, '--engine', 'connect', '--allow-documentation-prefixes'));
  const url = `http://${lab.wan.address}:${AGENT_PORT}`;
  for (let attempt = 0; attempt < 150; attempt++) {
    const health = await httpGet(lab, lab.wan, `${url}/v1/healthz`, { timeoutMs: 1000 }).catch(() => undefined);
    if (health?.status === 200) return url;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the agent did not start');
}

t.test('IPv6 line', async (t) => {
  const started = Date.now();
  const lab = await withLine(t, { line: 'ipv6', ipv6Firewall: 'firewall' });
  if (!lab) return;
  t.comment(`lab up in ${Date.now() - started} ms`);
  // The NAS announces itself by mDNS (the real avahi-daemon); started now, its probing and announcing (about 1 s)
  // overlap the subtests before the one that needs it.
  const avahi = startAvahi(lab, lab.nas, LAB_NAS_AVAHI);
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

  const agent = await startDualStackAgent(lab);

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

  // Issue 16 "done when": a NAS reachable over IPv6 with no IPv4 forward is reported high with its IPv6 address and
  // port, and the finding goes away when the router's ip6tables firewall is on.
  const scanIpv6 = (): Promise<ExposureRun> =>
    runExposure(
      lab,
      ['scan', '--gateway', lab.router.rootDescUrl, '--vantage', agent, '--vantage6', `http://[${lab.v6.wan}]:${AGENT_PORT}`, '--nas', lab.nas.address, '--ports', '22,8080', '--engine', 'connect', '--format', 'json', '--fail-on', 'none', '--timeout', '60'],
      lab.scanner,
      { EXPOSURE_VANTAGE_TOKEN: TOKEN, EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' },
    );
  // The scanner has talked to the NAS over IPv6 (as a user's computer does): its neighbour table knows the NAS.
  t.equal(await connect(lab, lab.scanner, lab.v6.nas, 8080), 'open');

  await t.test('pinhole: high, the IPv6 address and port named, attributed to the pinhole', async (t) => {
    await lab.setIpv6Firewall('pinhole');
    const run = await scanIpv6();
    t.equal(run.code, 0, run.stderr);
    const report = run.report;
    if (!report) return;
    t.not(report.wan.ports.find((port) => port.port === 8080 && port.protocol === 'TCP')?.state, 'open', 'no IPv4 forward: 8080 is not open on the WAN IPv4 address');
    const addresses = (report.probes?.['ipv6-lan']?.['ipv6-address'] ?? []) as Array<{ address: string; nas?: { vendor: string }; ipv4?: string }>;
    t.ok(addresses.some((entry) => entry.address === lab.v6.scanner), 'this host');
    t.match(addresses.find((entry) => entry.address === lab.v6.nas), { nas: { vendor: 'QNAP' }, ipv4: lab.nas.address }, 'the NAS, joined by MAC');
    const finding = report.findings.find((entry) => entry.rule === 'ipv6-nas-admin-exposed');
    t.match(finding, { severity: 'critical', id: `ipv6-nas-admin-exposed-lan-${lab.nas.address.replace(/\./g, '-')}-tcp-8080` }, 'as severe as the same UI open over IPv4');
    t.match(finding?.title, `[${lab.v6.nas}]:8080`);
    t.ok(finding?.evidence.some((entry) => entry.subject === `[${lab.v6.nas}]:8080/tcp`), 'the evidence carries the IPv6 address and port');
    t.match(finding?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^ipv6-pinhole: /, 'miniupnpd reports its IPv6 firewall on');
    t.match(report.summary.headline, /IPv6/);
    t.match(report.coverage.ipv6, { status: 'complete', requested: true });
    t.notOk(report.findings.some((entry) => entry.rule === 'ipv6-port-open' && entry.title.includes(':22')), '22 stays filtered');
  });

  // Issue 16 item 3: a device that has not talked to this host is missing from the neighbour table; mDNS names it, and
  // the echo to ff02::1 sent before the table is read fills it with the hosts that answer.
  // Folded into the firewall-off scan rather than a scan of its own (each scan here costs 2 to 5 s).
  await t.test('firewall off, the NAS known only by mDNS: no filtering; listed from mDNS, its admin port reported', async (t) => {
    await avahi.ready;
    // The NAS must not teach the scanner its address by neighbour discovery while it answers (its solicitation would
    // carry its global address): it knows the scanner's addresses permanently; the scanner forgets everything.
    const link = JSON.parse((await lab.exec(lab.scanner, 'ip', ['-j', 'addr', 'show', 'dev', 'eth0'])).stdout) as Array<{ address: string; addr_info: Array<{ family: string; local: string }> }>;
    const mac = link[0]?.address ?? '';
    for (const info of (link[0]?.addr_info ?? []).filter((entry) => entry.family === 'inet6')) {
      t.equal((await lab.exec(lab.nas, 'ip', ['-6', 'neigh', 'replace', info.local, 'lladdr', mac, 'nud', 'permanent', 'dev', 'eth0'])).code, 0);
    }
    t.equal((await lab.exec(lab.scanner, 'ip', ['-6', 'neigh', 'flush', 'all'])).code, 0);
    // The other host has not talked to the scanner either (the earlier scans' echoes taught it the scanner's address):
    // to answer the echo it must solicit the scanner, which is how its address gets into the scanner's table.
    t.equal((await lab.exec(lab.other, 'ip', ['-6', 'neigh', 'flush', 'all'])).code, 0);
    t.notMatch((await lab.exec(lab.scanner, 'ip', ['-6', 'neigh', 'show'])).stdout, lab.v6.nas, "the NAS is not in the scanner's IPv6 neighbour table");
    await lab.setIpv6Firewall('open');
    const scanned = Date.now();
    const run = await scanIpv6();
    t.comment(`scan in ${Date.now() - scanned} ms`);
    const report = run.report;
    const finding = report?.findings.find((entry) => entry.rule === 'ipv6-nas-admin-exposed');
    t.equal(finding?.severity, 'critical');
    t.match(finding?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^ipv6-no-firewall: /);
    t.ok(finding?.evidence.some((entry) => entry.subject === `[${lab.v6.nas}]:8080/tcp`), 'the admin port, reported from outside over IPv6');
    const addresses = (report?.probes?.['ipv6-lan']?.['ipv6-address'] ?? []) as Array<{ address: string; sources: string[]; ipv4?: string; nas?: { vendor: string }; mdns?: { name: string; services: Array<{ type: string; port: number }> } }>;
    const nas = addresses.find((entry) => entry.address === lab.v6.nas);
    t.match(nas, { ipv4: lab.nas.address, nas: { vendor: 'QNAP' }, mdns: { name: 'labnas.local' } }, 'named by mDNS, tied to the fingerprinted NAS by its A record');
    t.ok(nas?.sources.includes('mdns'), `learnt from mDNS (${nas?.sources.join(', ') ?? 'not listed'})`);
    t.notOk(nas?.sources.includes('neighbour'), 'not from the neighbour table');
    t.ok(nas?.mdns?.services.some((service) => service.type === '_qdiscover._tcp' && service.port === 8080), 'its _qdiscover._tcp service');
    const inventory = report?.probes?.['ipv6-lan']?.['ipv6-inventory']?.[0] as { mdns?: string; mdnsQuery?: { sentTo: string[] } } | undefined;
    t.equal(inventory?.mdns, 'answered');
    // the echo to ff02::1 before the table was read: the other LAN host, never talked to, is in it now
    const warm = report?.probes?.['ipv6-lan']?.['ipv6-inventory']?.[0] as { warm?: string; warmReplies?: number } | undefined;
    t.equal(warm?.warm, 'sent');
    t.ok((warm?.warmReplies ?? 0) >= 2, `the router and the other host answered the echo (${warm?.warmReplies ?? 0})`);
    t.ok(addresses.find((entry) => entry.address === lab.v6.other)?.sources.includes('neighbour'), 'the other host, from the table the echo filled');
    t.comment(`mDNS sent to ${inventory?.mdnsQuery?.sentTo.join(', ') ?? ''}`);
  });

  await t.test('firewall on: the finding goes away, the view is still complete', async (t) => {
    await lab.setIpv6Firewall('firewall');
    const report = (await scanIpv6()).report;
    t.notOk(report?.findings.some((entry) => entry.rule.startsWith('ipv6-') && entry.severity !== 'info'), report?.findings.map((entry) => entry.id).join(', ') ?? 'no report');
    t.match(report?.coverage.ipv6, { status: 'complete' });
  });

  await t.test("the agent never sends a packet to an IPv6 address outside the caller's /64", async (t) => {
    // counters in the wan host: every TCP packet it sends to the LAN's /64, and to the /64 next to it
    const outside = lab.v6.nas.replace(/^(\w+:\w+:\w+:)(\w+)::/, (_m, head: string, fourth: string) => `${head}${(parseInt(fourth, 16) + 1).toString(16)}::`);
    const count = [
      ['-N', 'SCOPE6'],
      ['-A', 'OUTPUT', '-p', 'tcp', '-j', 'SCOPE6'],
      ['-A', 'SCOPE6', '-d', lab.v6.lanCidr, '-m', 'comment', '--comment', 'caller64', '-j', 'RETURN'],
      ['-A', 'SCOPE6', '-d', `${outside}/64`, '-m', 'comment', '--comment', 'other64', '-j', 'RETURN'],
    ];
    for (const rule of count) t.equal((await lab.exec(lab.wan, 'ip6tables-legacy', rule)).code, 0);
    await lab.setIpv6Firewall('open');
    const answer = await httpGet(lab, lab.scanner, `http://[${lab.v6.wan}]:${AGENT_PORT}/v1/scan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ports: '8080,22', ipv6Targets: [lab.v6.nas, outside] }),
      timeoutMs: 60_000,
    });
    await lab.setIpv6Firewall('firewall');
    t.equal(answer.status, 200, answer.body.toString().slice(0, 300));
    const body = JSON.parse(answer.body.toString()) as { hosts?: Array<{ address: string; ports: Array<{ port: number; state: string }> }>; hostsRefused?: Array<{ address: string; reason: string }> };
    t.same(body.hosts?.map((h) => h.address), [lab.v6.nas], 'the NAS, in the caller\'s /64, was scanned');
    t.equal(body.hosts?.[0]?.ports.find((p) => p.port === 8080)?.state, 'open');
    t.same(body.hostsRefused?.map((h) => h.address), [outside], 'the address outside it was refused');
    t.comment(`refused: ${body.hostsRefused?.[0]?.reason ?? ''}`);
    const listing = (await lab.exec(lab.wan, 'ip6tables-legacy', ['-L', 'SCOPE6', '-n', '-v', '-x'])).stdout;
    const packets = (tag: string): number => Number(new RegExp(`^\\s*(\\d+)\\s.*/\\* ${tag} \\*/`, 'm').exec(listing)?.[1] ?? -1);
    t.ok(packets('caller64') > 0, `packets to the caller's /64: ${packets('caller64')}`);
    t.equal(packets('other64'), 0, 'not one packet to the /64 next to it');
  });
});
