// The DS-Lite line (transix / Xpass-like): the router's IPv4 WAN is the B4 address 192.0.0.2, and IPv4 leaves through
// the carrier's AFTR NAT, which the home does not control. IPv6 is native. One lab for the whole file (lines.ts).
// The real miniupnpd hides 192.0.0.2 (it answers an empty external address): with it alone the scan is reported
// `unknown` and the AFTR's address is scanned. The end-to-end check therefore names a stand-in IGD that reports the
// B4 address, as routers that do report it would (decision 0022).
import t from 'tap';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';
import { fileURLToPath } from 'node:url';
import { binaries, httpGet, soapRequest } from './lab.js';
import { runExposure, startAgent } from './exposure.js';
import { connect, listenAndLog, withLine } from './lines.js';

const TOKEN = 'lab-token-'.padEnd(48, 'd');
const FAKE_IGD = fileURLToPath(new URL('../support/fake-igd.ts', import.meta.url));

t.test('DS-Lite line', async (t) => {
  const started = Date.now();
  const lab = await withLine(t, { line: 'ds-lite', ipv6Firewall: 'firewall' });
  if (!lab) return;
  const aftr = lab.aftr!;
  t.comment(`lab up in ${Date.now() - started} ms`);

  await t.test("topology: the internet sees the AFTR's address, never the router's; nothing comes in over IPv4", async (t) => {
    t.equal(lab.router.wanAddress, '192.0.0.2', 'the B4 address');
    t.match(aftr.address, /^11\./, 'the AFTR has the public address');
    const seen = await listenAndLog(lab, lab.wan, 9999, async () => {
      t.equal(await connect(lab, lab.scanner, lab.wan.address, 9999), 'open');
    }, 1);
    t.same(seen.map((s) => s.address.replace(/^::ffff:/, '')), [aftr.address], "the wan host sees the AFTR's address");
    lab.spawn(lab.nas, process.execPath, ['-e', "require('net').createServer((s) => s.end()).listen(8080)"]);
    t.not(await connect(lab, lab.wan, aftr.address, 8080), 'open', 'no way in over IPv4');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 8080), 'timeout', 'IPv6 is native: here the router firewall drops it');
    await lab.setIpv6Firewall('open');
    t.equal(await connect(lab, lab.wan, lab.v6.nas, 8080), 'open', 'and with the firewall off the NAS is reachable over IPv6');
    await lab.setIpv6Firewall('firewall');
  });

  await t.test('what miniupnpd 2.3.1 says behind an AFTR', async (t) => {
    const status = await lab.exec(lab.scanner, binaries.upnpc, ['-u', lab.router.rootDescUrl, '-s'], { timeoutMs: 30_000 });
    t.comment(status.stdout.split('\n').filter((l) => /Status|ExternalIPAddress|Connection/i.test(l)).join(' | '));
    t.match(status.stdout, /Status : Connected/, 'the IGD says it is connected');
    // miniupnpd hides a reserved WAN address: GetExternalIPAddress answers with an empty address (upnpc: "failed")
    const wanIpc = 'urn:schemas-upnp-org:service:WANIPConnection:2';
    const ext = await httpGet(lab, lab.scanner, `http://${lab.router.address}:${lab.router.upnpPort}/ctl/IPConn`, { method: 'POST', ...soapRequest('GetExternalIPAddress', wanIpc) });
    t.comment(`GetExternalIPAddress: HTTP ${ext.status} ${ext.body.toString().replace(/\s+/g, ' ')}`);
    t.equal(ext.status, 200);
    t.match(ext.body.toString(), /<NewExternalIPAddress><\/NewExternalIPAddress>/, 'an empty external address, not 192.0.0.2');
    const add = await lab.exec(lab.scanner, binaries.upnpc, ['-u', lab.router.rootDescUrl, '-a', lab.scanner.address, '8080', '8080', 'TCP'], { timeoutMs: 30_000 });
    t.comment(add.stdout.split('\n').filter((l) => /failed|is redirected/i.test(l)).join(' | '));
    t.match(add.stdout, /failed/i, 'AddPortMapping is refused: miniupnpd calls the WAN reserved');
    const log = await import('node:fs').then((fs) => fs.readFileSync(lab.router.logFile, 'utf8'));
    t.match(log, /reserved|impossible/i, "miniupnpd's log says why");
    t.comment(log.split('\n').filter((l) => /reserved|impossible/i.test(l)).slice(0, 3).join(' | '));
  });

  const agent = await startAgent(lab, TOKEN, ['--engine', 'connect']);

  await t.test('end to end, a router that reports its B4 address: reported ds-lite, the IPv4 scan skipped and said so', async (t) => {
    // miniupnpd hides 192.0.0.2 (above); routers that report it are played by the project's fake IGD, on the
    // scanner host's own loopback inside the lab, named with --gateway
    const igd = lab.spawn(lab.scanner, process.execPath, [...TS_LOADER_ARGS, '--input-type=module', '-e', `const { startFakeIgd } = await import(${JSON.stringify(FAKE_IGD)}); const igd = await startFakeIgd({ externalIp: '192.0.0.2' }); process.stdout.write(igd.url + '\\n');`]);
    const igdUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fake IGD did not start')), 30_000);
      igd.stdout?.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        resolve(chunk.toString().trim());
      });
    });
    t.comment(`stand-in IGD at ${igdUrl}`);
    const run = await runExposure(lab, ['scan', '--gateway', igdUrl, '--vantage', agent, '--format', 'json', '--fail-on', 'none', '--ports', '8080,9443'], lab.scanner, {
      EXPOSURE_VANTAGE_TOKEN: TOKEN,
      EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1',
    });
    // The LAN has global IPv6 and the agent was named by its IPv4 address only: the IPv6 view could not look, and
    // on DS-Lite IPv6 is what matters, so the scan says so (exit 3), never "nothing found".
    t.equal(run.code, 3, run.stderr);
    t.match(run.stderr, /the IPv6 outside view failed: EXP_ERR_IPV6_VANTAGE/);
    const report = run.report!;
    t.comment(`access: ${JSON.stringify(report.access)}`);
    t.comment(`outside coverage: ${JSON.stringify(report.coverage.outside)}; wan ports: ${report.wan.ports.length}`);
    t.equal(report.access?.kind, 'ds-lite', report.access?.summary ?? 'no access section');
    t.equal(report.coverage.outside.status, 'not-applicable', 'no inbound IPv4 on this line: nothing for the IPv4 outside view to see');
    t.equal(report.coverage.outside.reason?.code, 'EXP_ERR_ACCESS_NO_INBOUND_IPV4');
    t.same(report.wan.ports, [], "nothing of the AFTR's address was scanned");
    const text = await runExposure(lab, ['scan', '--gateway', igdUrl, '--vantage', agent, '--fail-on', 'none', '--ports', '8080,9443'], lab.scanner, { EXPOSURE_VANTAGE_TOKEN: TOKEN, EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' });
    t.match(text.stdout, /DS-Lite/, 'the text report names the line');
    t.match(text.stdout, /[Ii]nbound IPv4 cannot reach this home/, 'and says why the IPv4 scan was skipped');
    t.comment(text.stdout.split('\n').filter((line) => /DS-Lite|IPv4|skipped/i.test(line)).slice(0, 6).join(' | '));
  });
});
