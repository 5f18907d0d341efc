import t from 'tap';
import type { ExposureReport, Host } from '../../src/core/report.generated.js';
import { diffReports } from '../../src/diff/diff.js';
import { renderDiffText } from '../../src/diff/render.js';
import { validateReport } from '../../src/report/validate.js';
import { exampleReport } from '../support/reports.js';

/** The example report with an outside view from inside (hairpin) at `address` with these open TCP ports. */
function withWan(report: ExposureReport, address: string, open: number[]): ExposureReport {
  const gateway = report.gateways[0];
  if (gateway) gateway.externalIp = address;
  report.wan = { vantage: 'local', outsideView: false, address, engine: 'connect', portSpec: 'qnap,common', ports: open.map((port) => ({ port, protocol: 'TCP', state: 'open' })) };
  // A hairpin scan ran: the outside view is partial (seen from inside), so its ports are compared.
  report.coverage.outside = { status: 'partial', requested: false, vantage: 'local', reason: { code: 'EXP_ERR_NO_VANTAGE', message: 'from inside' } };
  return report;
}

function nas(firmware: string | null): Host {
  return {
    address: '192.168.1.20',
    seenFrom: 'lan',
    reasons: ['mapping'],
    services: [],
    device: { vendor: 'QNAP', os: 'QTS', model: 'TS-453D', confidence: 'high', firmware: firmware === null ? null : { version: firmware, full: firmware }, apps: [] },
    verdicts: [],
  };
}

const kinds = (diff: ReturnType<typeof diffReports>) => diff.changes.map((change) => `${change.kind} ${change.key}`).sort();

t.test('the same report twice: no changes', async (t) => {
  t.same(diffReports(exampleReport(), exampleReport()).changes, []);
});

t.test('a new WAN address is one change, not everything: ports and findings are compared like with like', async (t) => {
  const before = withWan(exampleReport(), '11.22.33.44', [443, 8080]);
  const after = withWan(exampleReport(), '11.22.99.7', [443, 8080]);
  validateReport(before);
  validateReport(after);
  const diff = diffReports(before, after, { from: 1, to: 2 });
  t.same(kinds(diff), ['wan-address-changed wan']);
  t.equal(diff.changes[0]?.newExposure, false, 'public to public is not a new exposure');
  t.equal(diff.to.wanAddress, '11.22.99.7');
  t.match(renderDiffText(diff), /scan 1 .* scan 2/);

  const fromCgnat = diffReports(withWan(exampleReport(), '100.64.3.4', []), withWan(exampleReport(), '11.22.99.7', []));
  const change = fromCgnat.changes.find((c) => c.kind === 'wan-address-changed');
  t.equal(change?.newExposure, true, 'leaving CGNAT for a public address makes every mapping reachable');
  t.match(change?.summary, /cgnat -> public/);
});

t.test('mappings: added, removed, changed; a lease counting down is not a change', async (t) => {
  const before = exampleReport();
  const after = exampleReport();
  const gateway = after.gateways[0];
  if (!gateway) throw new Error('fixture has a gateway');
  const [first, second] = gateway.mappings;
  if (!first || !second) throw new Error('fixture has two mappings');
  const lease = before.gateways[0]?.mappings[1];
  if (lease) lease.leaseDuration = 3600;
  second.leaseDuration = second.leaseDuration === 0 ? 0 : 1200;
  first.internalClient = '192.168.1.99';
  gateway.mappings.push({ ...first, protocol: 'TCP', externalPort: 443, internalPort: 443, internalClient: '192.168.1.20', description: 'QNAP <b>NAS</b>\u001b[31m' });
  const removedBefore = before.gateways[0]?.mappings;
  removedBefore?.push({ ...first, externalPort: 21, internalPort: 21 });
  const diff = diffReports(before, after);
  const mappingChanges = diff.changes.filter((change) => change.kind.startsWith('mapping'));
  t.same(mappingChanges.map((change) => `${change.kind} ${change.key}`).sort(), [`mapping-added TCP/443`, `mapping-changed ${first.protocol}/${first.externalPort}`, `mapping-removed ${first.protocol}/21`].sort());
  t.equal(mappingChanges.find((c) => c.kind === 'mapping-added')?.newExposure, true);
  t.equal(mappingChanges.find((c) => c.kind === 'mapping-changed')?.newExposure, true, 'pointed at another machine');
  t.equal(mappingChanges.find((c) => c.kind === 'mapping-removed')?.newExposure, false);
  const text = renderDiffText(diff);
  t.notOk(text.includes('\u001b'), 'descriptions from the network are escaped in text output');
  t.match(text, /\\x1b\[31m/);
});

t.test('WAN ports newly open and closed; a change of vantage is reported once instead', async (t) => {
  const diff = diffReports(withWan(exampleReport(), '11.22.33.44', [443, 8080]), withWan(exampleReport(), '11.22.33.44', [8080, 5000]));
  t.same(kinds(diff).filter((k) => k.startsWith('wan-port')), ['wan-port-closed TCP/443', 'wan-port-opened TCP/5000']);
  t.equal(diff.changes.find((c) => c.kind === 'wan-port-opened')?.newExposure, true);

  const agent = withWan(exampleReport(), '11.22.33.44', [5000]);
  agent.wan.vantage = 'agent';
  agent.wan.outsideView = true;
  const switched = diffReports(withWan(exampleReport(), '11.22.33.44', [443]), agent);
  t.same(kinds(switched), ['wan-view-changed wan']);
  t.same(diffReports(exampleReport(), withWan(exampleReport(), '11.22.33.44', [443])).changes.filter((c) => c.kind.startsWith('wan-port')), [], 'no outside view before: nothing to compare');
});

t.test('findings: new, resolved, severity changed (by stable id)', async (t) => {
  const before = exampleReport();
  const after = exampleReport();
  // Both scans had an outside view, so the findings resting on it are compared too.
  for (const report of [before, after]) report.coverage.outside = { status: 'complete', requested: true, vantage: 'agent' };
  const resolved = before.findings[0];
  const raised = after.findings.find((finding) => finding.severity === 'low');
  if (!resolved || !raised) throw new Error('fixture findings');
  after.findings = after.findings.filter((finding) => finding.id !== resolved.id);
  raised.severity = 'high';
  after.findings.push({ ...raised, id: 'wan-port-open-unexplained-5000', rule: 'wan-port-open-unexplained', severity: 'critical', title: 'TCP/5000 is open' });
  after.findings.push({ ...raised, id: 'some-info', rule: 'x', severity: 'info', title: 'note' });
  const diff = diffReports(before, after);
  t.same(kinds(diff), [`finding-new some-info`, `finding-new wan-port-open-unexplained-5000`, `finding-resolved ${resolved.id}`, `finding-severity-changed ${raised.id}`].sort());
  const changed = diff.changes.find((c) => c.kind === 'finding-severity-changed');
  t.equal(changed?.previousSeverity, 'low');
  t.equal(changed?.severity, 'high');
  t.equal(changed?.newExposure, true);
  t.equal(diff.changes.find((c) => c.key === 'some-info')?.newExposure, false, 'an info finding is not an exposure');
  t.equal(diff.changes.find((c) => c.kind === 'finding-resolved')?.newExposure, false);
});

t.test('firmware: changed when both scans read a version; unknown is not a change', async (t) => {
  const before = exampleReport();
  const after = exampleReport();
  before.hosts = [nas('5.1.0.2348 build 20230325')];
  after.hosts = [nas('5.1.1.2491 build 20230815')];
  validateReport(after);
  const diff = diffReports(before, after);
  t.same(kinds(diff), ['firmware-changed 192.168.1.20']);
  t.match(diff.changes[0]?.summary, /TS-453D.*5\.1\.0.*5\.1\.1/);
  after.hosts = [nas(null)];
  t.same(diffReports(before, after).changes, []);
});
