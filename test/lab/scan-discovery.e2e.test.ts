// Discovery on a LAN with a hostile device, and the double-NAT router.
import t from 'tap';
import { withLab } from './lab.js';
import { runExposure } from './exposure.js';
import { ROGUE_SSDP_SCRIPT, RogueWatcher } from './rogue-ssdp.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

t.test('an SSDP answer whose LOCATION points elsewhere is recorded and never fetched', async (t) => {
  const lab = await withLab(t, { mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'QNAP' }] });
  if (!lab) return;
  const script = (args: string[]): string[] => [...TS_LOADER_ARGS, ROGUE_SSDP_SCRIPT, ...args];
  // A hit counter on the NAS, where one rogue's LOCATION points; a second rogue points at the scanner's loopback.
  const counter = new RogueWatcher(lab.spawn(lab.nas, process.execPath, script(['http', '--address', lab.nas.address, '--port', '49000'])));
  const foreign = `http://${lab.nas.address}:49000/rootDesc.xml`;
  const rogue = new RogueWatcher(lab.spawn(lab.other, process.execPath, script(['ssdp', '--address', lab.other.address, '--location', foreign])));
  const loopback = new RogueWatcher(lab.spawn(lab.nas, process.execPath, script(['ssdp', '--address', lab.nas.address, '--location', 'http://127.0.0.1:5000/rootDesc.xml'])));
  await Promise.all([counter, rogue, loopback].map((watcher) => watcher.waitFor((event) => event.event === 'ready')));

  const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none']);
  t.equal(run.code, 0, run.stderr);
  const report = run.report!;
  await rogue.waitFor((event) => event.event === 'msearch');
  t.ok(rogue.of('msearch').length > 0, 'the rogue was asked (so it could have misled us)');
  t.same(counter.of('http'), [], 'the foreign LOCATION was never fetched');

  const fromRogue = report.discovery.responses.filter((response) => response.from === lab.other.address);
  t.ok(fromRogue.length > 0);
  t.ok(fromRogue.every((response) => !response.fetched && /names .* but the answer came from/.test(response.refusedReason ?? '')));
  const fromLoopbackRogue = report.discovery.responses.filter((response) => response.from === lab.nas.address);
  t.ok(fromLoopbackRogue.length > 0 && fromLoopbackRogue.every((response) => !response.fetched), 'a LOCATION on 127.0.0.1 is refused too');
  t.equal(report.gateways.length, 1, 'the real router is still read');
  t.equal(report.gateways[0]?.address, lab.router.address);
  const findings = report.findings.filter((finding) => finding.rule === 'ssdp-foreign-location');
  t.same(findings.map((finding) => finding.id).sort(), [`ssdp-foreign-location-${lab.nas.address.replaceAll('.', '-')}`, `ssdp-foreign-location-${lab.other.address.replaceAll('.', '-')}`].sort());
  t.equal(findings[0]?.severity, 'high');
  t.ok(report.discovery.unicastTargets?.includes(lab.router.address), 'the default gateway got a unicast search too');
});

t.test('--interface limits discovery; an unknown interface is a usage error', async (t) => {
  const lab = await withLab(t);
  if (!lab) return;
  const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--interface', lab.scanner.iface]);
  t.equal(run.code, 0, run.stderr);
  t.same(run.report?.discovery.interfaces, [lab.scanner.iface]);
  t.equal(run.report?.gateways.length, 1);
  const bad = await runExposure(lab, ['scan', '--no-wan', '--interface', 'nosuch0']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /EXP_ERR_INTERFACE_NOT_FOUND/);
});

t.test('a router with a reserved WAN address (double NAT / CGNAT)', async (t) => {
  const lab = await withLab(t, { reservedWan: true, mappings: [{ protocol: 'TCP', externalPort: 445, internalClient: '@nas', internalPort: 445, description: 'SMB' }] });
  if (!lab) return;
  const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none']);
  t.equal(run.code, 0, run.stderr);
  const report = run.report!;
  const gateway = report.gateways[0]!;
  // miniupnpd withholds a reserved external address (recorded: empty NewExternalIPAddress) and NAT-PMP answers 3.
  t.equal(gateway.externalIp, null);
  t.equal(gateway.externalIpClass, 'unknown');
  t.ok(report.findings.some((finding) => finding.rule === 'wan-address-unavailable'));
  t.equal(report.natPmp.present, true);
  t.equal(report.natPmp.resultCode, 3, 'NAT-PMP: network failure');
  t.match(report.findings.find((finding) => finding.rule === 'nat-pmp-enabled')?.description, /Network Failure/);
  t.equal(gateway.mappings.length, 1, 'mappings are still listed');
});

t.test('no router on the network: exit 0 with an info finding', async (t) => {
  const lab = await withLab(t);
  if (!lab) return;
  // The wan host has no UPnP router in front of it: a machine on a network without an IGD.
  const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--discovery-window', '500'], lab.wan);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.report?.gateways.length, 0);
  t.same(run.report?.findings.map((finding) => finding.id), ['upnp-igd-not-found']);
});
