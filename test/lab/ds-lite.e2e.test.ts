// The DS-Lite line (transix / Xpass-like): the router's IPv4 WAN is the B4 address 192.0.0.2, and IPv4 leaves through
// the carrier's AFTR NAT, which the home does not control. IPv6 is native. One lab for the whole file (lines.ts).
import t from 'tap';
import { binaries, httpGet, soapRequest } from './lab.js';
import { connect, listenAndLog, withLine } from './lines.js';

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
});
