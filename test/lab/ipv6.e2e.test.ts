// The IPv6 IPoE line: a NAS with a global address behind a router with no IPv4 port forward, the router's IPv6
// firewall on, pinholed, or off. One lab for the whole file (test/lab/lines.ts).
import t from 'tap';
import { httpGet, soapRequest } from './lab.js';
import { startFakeServices } from './exposure.js';
import { connect, withLine } from './lines.js';

const IP6FC = 'urn:schemas-upnp-org:service:WANIPv6FirewallControl:1';

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
});
