// Issue 16 "done when", IPv6: in the lab's IPv6 IPoE line (test/lab/lines.ts), a NAS reachable over IPv6 through a
// router with no IPv4 forward is reported high with its IPv6 address and port, and goes away when the router's
// ip6tables firewall is on. The scanner runs inside the scanner namespace as a user would (dist/, json output), the
// agent on the "internet" host over IPv6. Needs root and the lab tools; one lab for the file.
import t from 'tap';
import { runExposure, startAgent, startFakeServices, type ExposureRun } from './exposure.js';
import { connect, withLine, type LineLab } from './lines.js';

const TOKEN = 'lab-token-'.padEnd(48, '6');

function scan(lab: LineLab, agentPort: number): Promise<ExposureRun> {
  return runExposure(
    lab,
    ['scan', '--gateway', lab.router.rootDescUrl, '--vantage', `http://${lab.wan.address}:${agentPort}`, '--vantage6', `http://[${lab.v6.wan}]:${agentPort}`, '--nas', lab.nas.address, '--ports', '22,8080', '--engine', 'connect', '--format', 'json', '--fail-on', 'none', '--timeout', '60'],
    lab.scanner,
    { EXPOSURE_VANTAGE_TOKEN: TOKEN, EXPOSURE_IPV6_DOCUMENTATION_PREFIXES: '1' },
  );
}

t.test('IPv6 line: the NAS over IPv6 by firewall mode', async (t) => {
  const lab = await withLine(t, { line: 'ipv6', ipv6Firewall: 'pinhole' });
  if (!lab) return;
  await startFakeServices(lab, lab.nas, { qnap: [{ host: '::', port: 8080, firmware: { version: '4.5.4', number: '1800', build: '20211101' }, hostname: 'LabNAS' }] });
  // Dual stack, and 2001:db8:: accepted as global: the lab's operator choice (the agent's --allow-documentation-prefixes).
  const url = await startAgent(lab, TOKEN, ['--listen', '[::]:7447', '--allow-documentation-prefixes', '--engine', 'connect']);
  const agentPort = Number(new URL(url).port);
  // The scanner has talked to the NAS over IPv6 (as a user's computer does): its neighbour table knows the NAS.
  t.equal(await connect(lab, lab.scanner, lab.v6.nas, 8080), 'open');

  await t.test('pinhole: high, the IPv6 address and port named, attributed to a pinhole or unknown', async (t) => {
    const run = await scan(lab, agentPort);
    t.equal(run.code, 0, run.stderr);
    const report = run.report;
    if (!report) return;
    const addresses = (report.probes?.['ipv6-lan']?.['ipv6-address'] ?? []) as Array<{ address: string; nas?: { vendor: string }; ipv4?: string }>;
    t.ok(addresses.some((entry) => entry.address === lab.v6.scanner), 'this host');
    t.match(addresses.find((entry) => entry.address === lab.v6.nas), { nas: { vendor: 'QNAP' }, ipv4: lab.nas.address }, 'the NAS, joined by MAC');
    const finding = report.findings.find((entry) => entry.rule === 'ipv6-nas-admin-exposed');
    t.match(finding, { severity: 'high', id: `ipv6-nas-admin-exposed-lan-${lab.nas.address.replace(/\./g, '-')}-tcp-8080` });
    t.match(finding?.title, `[${lab.v6.nas}]:8080`);
    t.match(finding?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^ipv6-pinhole: /, 'miniupnpd reports its IPv6 firewall on');
    t.match(report.summary.headline, /IPv6/);
    t.match(report.coverage.ipv6, { status: 'complete', requested: true });
    t.notOk(report.findings.some((entry) => entry.rule === 'ipv6-port-open' && entry.title.includes(':22')), '22 stays filtered');
  });

  await t.test('firewall off: every port answers, so no filtering', async (t) => {
    await lab.setIpv6Firewall('open');
    const report = (await scan(lab, agentPort)).report;
    const finding = report?.findings.find((entry) => entry.rule === 'ipv6-nas-admin-exposed');
    t.equal(finding?.severity, 'high');
    t.match(finding?.evidence.find((entry) => entry.subject === 'attribution')?.detail, /^ipv6-no-firewall: /);
  });

  await t.test('firewall on: the finding goes away, the view is still complete', async (t) => {
    await lab.setIpv6Firewall('firewall');
    const report = (await scan(lab, agentPort)).report;
    t.notOk(report?.findings.some((entry) => entry.rule.startsWith('ipv6-') && entry.severity !== 'info'), report?.findings.map((entry) => entry.id).join(', ') ?? 'no report');
    t.match(report?.coverage.ipv6, { status: 'complete' });
  });
});
