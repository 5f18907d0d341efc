// Issue 12, items 3 and 4, through the real router: finding ids survive a rescan and a second IGD answering, and
// a default scan (no --vantage: the external address scanned from inside, through the router) never calls the
// router's own UPnP port a HIGH "unexplained manual forward".
import { createHash } from 'node:crypto';
import t from 'tap';
import type { ExposureReport, Gateway } from '../../src/core/report.generated.js';
import { runExposure } from './exposure.js';
import { withLab } from './lab.js';
import { RogueWatcher } from './rogue-ssdp.js';
import { SECOND_IGD_SCRIPT } from './second-igd.js';
import { TS_LOADER_ARGS } from '../support/ts-loader.js';

const RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

/** README "Finding ids": a router with a UDN is `udn-` + the first 8 hex digits of the SHA-256 of the UDN, lower-cased. */
function routerToken(gateway: Gateway): string {
  return `udn-${createHash('sha256').update((gateway.udn ?? '').trim().toLowerCase()).digest('hex').slice(0, 8)}`;
}

function routerIds(report: ExposureReport, token: string): string[] {
  return report.findings.map((finding) => finding.id).filter((id) => id.includes(token)).sort();
}

/** The ids of the findings whose evidence is about the router at this LOCATION, whatever their ids look like. */
function aboutRouter(report: ExposureReport, location: string): string[] {
  return report.findings.filter((finding) => finding.evidence.some((line) => line.subject.startsWith(location))).map((finding) => finding.id).sort();
}

t.test('ids of the lab router: the same on a rescan and with a second IGD answering', async (t) => {
  const lab = await withLab(t, {
    mappings: [
      { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'libminiupnpc' },
      { protocol: 'TCP', externalPort: 443, internalClient: '@nas', internalPort: 443, description: 'NAT-PMP 443 tcp' },
      { protocol: 'UDP', externalPort: 3074, internalClient: '@other', internalPort: 3074, description: 'Xbox' },
    ],
  });
  if (!lab) return;
  const scan = async (what: string): Promise<ExposureReport> => {
    const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none']);
    t.equal(run.code, 0, `${what}: ${run.stderr}`);
    if (!run.report) throw new Error(`${what}: no report; stderr ${run.stderr}`);
    return run.report;
  };

  const first = await scan('first scan');
  const router = first.gateways.find((gateway) => gateway.address === lab.router.address);
  if (!router?.udn) throw new Error('the lab router names a UDN');
  const token = routerToken(router);
  const ids = routerIds(first, token);
  t.ok(ids.includes(`upnp-mapping-${token}-tcp-8080`), ids.join(' '));
  t.ok(ids.includes(`upnp-igd-enabled-${token}`));

  const again = await scan('rescan');
  t.same(again.findings.map((finding) => finding.id).sort(), first.findings.map((finding) => finding.id).sort(), 'a rescan of the same lab: the same ids');

  // A second IGD on the LAN, mapping the same external port as the router (a second router behind the first).
  const second = new RogueWatcher(lab.spawn(lab.other, process.execPath, [
    ...TS_LOADER_ARGS, SECOND_IGD_SCRIPT, '--address', lab.other.address, '--port', '49152', '--udn', 'uuid:2d2d2d2d-0000-4000-8000-000000000002',
    '--mapping', `TCP:8080:${lab.other.address}:80:mesh web`, '--mapping', `TCP:9000:${lab.other.address}:9000:game`,
  ]));
  await second.waitFor((event) => event.event === 'ready');
  const both = await scan('with a second IGD');
  t.equal(both.gateways.length, 2, 'both IGDs were read');
  t.ok(second.of('http').length > 0, 'the second IGD was read over HTTP');
  t.same(routerIds(both, token), ids, 'the lab router\'s findings keep their ids when a second router answers');
  t.same(aboutRouter(both, router.location), aboutRouter(first, router.location), 'every finding about the lab router, found by its evidence, keeps its id');
  t.ok(aboutRouter(first, router.location).length >= 4);
  const all = both.findings.map((finding) => finding.id);
  t.same(all.filter((id, index) => all.indexOf(id) !== index), [], 'ids are unique without suffixes');
  const other = both.gateways.find((gateway) => gateway.address === lab.other.address);
  if (!other) throw new Error('the second IGD is in the report');
  t.ok(all.includes(`upnp-mapping-${routerToken(other)}-tcp-8080`), 'the same port on the second router is its own finding');
  t.equal(both.exposures?.find((door) => door.key === 'tcp-8080')?.gateway, lab.router.address, 'the router facing the internet keeps the shared door');
});

t.test('a default scan (hairpin from inside): the router\'s UPnP port is its own service, at most medium', async (t) => {
  const lab = await withLab(t, { mappings: [{ protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'libminiupnpc' }] });
  if (!lab) return;
  const run = await runExposure(lab, ['scan', '--format', 'json', '--fail-on', 'none', '--engine', 'connect']);
  t.equal(run.code, 0, run.stderr);
  const report = run.report;
  if (!report) throw new Error(`no report: ${run.stderr}`);
  t.equal(report.wan.vantage, 'local');
  t.equal(report.wan.outsideView, false);
  const upnpPort = lab.router.upnpPort;
  // The premise: from inside, the router answers its own UPnP port on the external address.
  t.equal(report.wan.ports.find((port) => port.protocol === 'TCP' && port.port === upnpPort)?.state, 'open', `TCP ${upnpPort} answers the hairpin scan`);
  const door = report.exposures?.find((exposure) => exposure.key === `tcp-${upnpPort}`);
  t.equal(door?.via, 'router', 'the door is the router\'s own service');
  const about = report.findings.filter((finding) => finding.exposure === `tcp-${upnpPort}`);
  t.same(about.map((finding) => finding.rule), ['wan-port-router-service']);
  t.same(about.filter((finding) => RANK[finding.severity] > RANK.medium).map((finding) => `${finding.id} ${finding.severity}`), [], 'nothing above medium about the router\'s own port');
  t.notOk(report.findings.some((finding) => finding.rule === 'wan-port-open-unexplained' && finding.exposure === `tcp-${upnpPort}`));
  for (const finding of report.findings.filter((candidate) => candidate.rule.startsWith('wan-port-'))) {
    t.ok(RANK[finding.severity] <= RANK.medium, `${finding.id}: ${finding.severity}, from a hairpin scan alone`);
    t.match(`${finding.title} ${finding.description}`, /not an outside view/, `${finding.id} says it is not an outside view`);
  }
});
