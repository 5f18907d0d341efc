// QNAP end to end: a fake QTS web UI in the NAS namespace behind UPnP mappings, the agent on the WAN side, a DNS
// server for the myQNAPcloud name in the WAN namespace; a full scan from the scanner namespace.
import t from 'tap';
import { withLab } from './lab.js';
import { scanWithVantage, startAgent, startFakeServices } from './exposure.js';
const TOKEN = 'lab-token-'.padEnd(48, 'q');
const DNS_PORT = 5353;

t.test('a vulnerable QTS behind UPnP mappings: seen from the LAN and from the WAN, findable by its myQNAPcloud name', async (t) => {
  const lab = await withLab(t, {
    mappings: [
      { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'libminiupnpc' },
      { protocol: 'TCP', externalPort: 443, internalClient: '@nas', internalPort: 443, description: 'NAT-PMP 443 tcp' },
    ],
  });
  if (!lab) return;
  const firmware = { version: '4.5.4', number: '1800', build: '20211101' };
  await startFakeServices(lab, lab.nas, {
    qnap: [
      { host: '0.0.0.0', port: 8080, firmware, photoStation: { version: '6.0.20' }, modelName: 'TS-X53D', displayModelName: 'TS-453D', hostname: 'LabNAS', flags: { stunnelPort: '443' } },
      { host: '0.0.0.0', port: 443, firmware, tls: 'qnap-default', flags: { stunnelPort: '443' } },
    ],
  });
  await startFakeServices(lab, lab.wan, { dns: { host: lab.wan.address, port: DNS_PORT, records: { 'labnas.myqnapcloud.com': [lab.router.wanAddress], 'stale.myqnapcloud.com': ['198.51.100.77'] } } });
  const agent = await startAgent(lab, TOKEN, ['--engine', 'connect']);

  const run = await scanWithVantage(lab, agent, TOKEN, ['--ports', '7000', '--myqnapcloud', 'labnas', '--myqnapcloud', 'stale', '--dns-server', `${lab.wan.address}:${DNS_PORT}`]);
  t.equal(run.code, 0, run.stderr);
  const report = run.report!;

  const lan = report.hosts.find((host) => host.seenFrom === 'lan' && host.address === lab.nas.address);
  t.ok(lan, 'the mapping client is fingerprinted from the LAN');
  t.same(lan?.reasons, ['mapping']);
  t.equal(lan?.device?.vendor, 'QNAP');
  t.equal(lan?.device?.os, 'QTS');
  t.equal(lan?.device?.displayModel, 'TS-453D');
  t.equal(lan?.device?.confidence, 'high');
  t.equal(lan?.device?.firmware?.full, '4.5.4.1800 build 20211101');
  t.same(lan?.device?.adminPorts, [443, 8080]);
  t.same(lan?.device?.apps, [{ name: 'Photo Station', version: '6.0.20', port: 8080 }]);
  const verdict = (host: typeof lan, id: string) => host?.verdicts.find((candidate) => candidate.advisory === id);
  t.equal(verdict(lan, 'QSA-21-57')?.status, 'vulnerable', 'DeadBolt: 4.5.4.1800 < 4.5.4.1892');
  t.equal(verdict(lan, 'QSA-21-57')?.fixedVersion, '4.5.4.1892 build 20211223');
  t.equal(verdict(lan, 'QSA-22-24')?.status, 'vulnerable', 'Photo Station 6.0.20 < 6.0.22');
  t.equal(verdict(lan, 'QSA-21-05')?.status, 'fixed');
  t.equal(verdict(lan, 'QSA-21-13')?.status, 'unknown', 'HBS 3 cannot be read without credentials');

  const wan = report.hosts.find((host) => host.seenFrom === 'wan');
  t.ok(wan, 'the agent fingerprinted the WAN address');
  t.equal(wan?.address, lab.router.wanAddress);
  t.same(wan?.reasons, ['wan']);
  t.equal(wan?.device?.firmware?.full, '4.5.4.1800 build 20211101', 'the same build, seen from the internet through the mapping');
  t.same(wan?.services.map((service) => [service.port, service.scheme]), [[443, 'https'], [8080, 'http']]);
  t.equal(verdict(wan, 'QSA-21-57')?.status, 'vulnerable');

  t.equal(report.myqnapcloud.checked, true);
  t.same(report.myqnapcloud.names.map((name) => [name.name, name.matchesWan]), [['labnas.myqnapcloud.com', true], ['stale.myqnapcloud.com', false]]);

  // The other LAN device is neither mapped nor named: never touched.
  t.notOk(report.hosts.some((host) => host.address === lab.other.address));
});
