// `exposure scan --no-wan --format json` against the real miniupnpd, compared field by field with upnpc.
import t from 'tap';
import { withLab, type LeaseMapping, type TapTest } from './lab.js';
import { mappingKey, runExposure, upnpcList, type UpnpcRow } from './exposure.js';
import { validateReport } from '../../src/report/validate.js';
import type { ExposureReport, Mapping } from '../../src/core/report.generated.js';

async function listedByUpnpc(...args: Parameters<typeof upnpcList>): Promise<{ rows: UpnpcRow[]; at: number }> {
  const rows = await upnpcList(...args);
  return { rows, at: Date.now() };
}

const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;
const TWO: LeaseMapping[] = [
  { protocol: 'TCP', externalPort: 8080, internalClient: '@nas', internalPort: 8080, description: 'QNAP QTS admin' },
  { protocol: 'UDP', externalPort: 3074, internalClient: '@other', internalPort: 3074, description: 'Xbox Live', expiresAt: inAnHour() },
];

/**
 * Leases count down between our read and upnpc's: the allowance is the time between upnpc's listing and either end of
 * our scan (a loaded machine stretches it), plus a second for rounding at either end.
 */
function sameAsUpnpc(t: TapTest, report: ExposureReport, listed: { rows: UpnpcRow[]; at: number }): void {
  const rows = listed.rows;
  const apart = Math.max(...[report.startedAt, report.finishedAt].map((time) => Math.abs(listed.at - Date.parse(time))));
  const drift = Math.ceil(apart / 1000) + 1;
  const mappings = report.gateways[0]?.mappings ?? [];
  t.equal(mappings.length, rows.length, `${rows.length} mappings, as upnpc lists`);
  for (const row of rows) {
    const mapping = mappings.find((m) => mappingKey(m) === mappingKey(row as Pick<Mapping, 'protocol' | 'externalPort'>));
    t.ok(mapping, `${row.protocol}/${row.externalPort} present`);
    if (!mapping) continue;
    t.equal(mapping.internalClient, row.internalClient, 'internalClient');
    t.equal(mapping.internalPort, row.internalPort, 'internalPort');
    t.equal(mapping.description, row.description, 'description');
    t.equal(mapping.remoteHost, row.remoteHost, 'remoteHost');
    t.ok(Math.abs(mapping.leaseDuration - row.leaseDuration) <= drift, `leaseDuration ${mapping.leaseDuration} ~ ${row.leaseDuration}`);
    t.equal(mapping.enabled, true);
  }
}

t.test('IGDv2, v1, empty and hostile tables through the real router', async (t) => {
  const lab = await withLab(t, { mappings: TWO });
  if (!lab) return;

  await t.test('IGDv2 with two mappings, found by SSDP discovery', async (t) => {
    const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none']);
    t.equal(run.code, 0, run.stderr);
    const report = run.report!;
    t.doesNotThrow(() => validateReport(report));
    t.equal(report.discovery.method, 'ssdp');
    t.ok(report.discovery.responses.some((r) => r.from === lab.router.address && r.fetched), 'the router answered SSDP');
    t.equal(report.gateways.length, 1, 'one router, however many search targets it answered');
    const gateway = report.gateways[0]!;
    t.equal(gateway.location, lab.router.rootDescUrl);
    t.equal(gateway.igdVersion, 2);
    t.equal(gateway.connectionService, 'urn:schemas-upnp-org:service:WANIPConnection:2');
    t.equal(gateway.externalIp, lab.router.wanAddress);
    t.equal(gateway.externalIpClass, 'public');
    t.equal(gateway.connectionStatus, 'Connected');
    t.equal(gateway.enumeration.method, 'GetListOfPortMappings');
    t.ok(gateway.mappings.every((m) => m.internalClientOnLan === true));
    sameAsUpnpc(t, report, await listedByUpnpc(lab, '-l'));
    t.same(report.natPmp, { ...report.natPmp, present: true, externalIp: lab.router.wanAddress, gateway: lab.router.address });
    t.equal(report.findings.find((f) => f.rule === 'upnp-mapping' && f.exposure === 'tcp-8080')?.severity, 'critical');
    t.equal(report.findings.find((f) => f.rule === 'upnp-mapping' && f.exposure === 'udp-3074')?.severity, 'low');
    t.ok(report.findings.some((f) => f.rule === 'upnp-igd-enabled'));
    t.ok(report.findings.some((f) => f.rule === 'nat-pmp-enabled'));
    t.equal((await runExposure(lab, ['scan', '--no-wan', '--format', 'json'])).code, 1, 'exit 1: a critical finding with --fail-on high');
  });

  await t.test('IGDv1 forced: the listing (which miniupnpd still answers) and the index walk give the same table', async (t) => {
    await lab.restartRouter({ igdV1: true });
    const listed = await listedByUpnpc(lab, '-l');
    for (const [method, expected] of [['auto', 'GetListOfPortMappings'], ['index', 'GetGenericPortMappingEntry']] as const) {
      const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', lab.router.rootDescUrl, '--enumeration', method]);
      t.equal(run.code, 0, run.stderr);
      const gateway = run.report!.gateways[0]!;
      t.equal(gateway.igdVersion, 1);
      t.equal(gateway.connectionService, 'urn:schemas-upnp-org:service:WANIPConnection:1');
      t.equal(gateway.enumeration.method, expected, `--enumeration ${method}`);
      sameAsUpnpc(t, run.report!, listed);
    }
  });

  await t.test('no mappings', async (t) => {
    await lab.restartRouter({ igdV1: false, mappings: [] });
    const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json']);
    t.equal(run.code, 0, 'only a medium finding: exit 0');
    t.equal(run.report!.gateways[0]?.mappings.length, 0);
    t.notOk(run.report!.findings.some((f) => f.rule === 'upnp-mapping'));
    t.equal(run.report!.summary.highestSeverity, 'medium');
  });

  await t.test('hostile descriptions cannot change other fields (upnpc -l is fooled, we are not)', async (t) => {
    const hostile: LeaseMapping[] = [
      { protocol: 'TCP', externalPort: 81, internalClient: '@nas', internalPort: 81, description: '<b>x</b>' },
      { protocol: 'TCP', externalPort: 83, internalClient: '@nas', internalPort: 83, description: 'x</NewPortMappingDescription><NewInternalClient>6.6.6.6</NewInternalClient>' },
      { protocol: 'TCP', externalPort: 84, internalClient: '@nas', internalPort: 84, description: 'x</p:NewDescription><p:NewInternalClient>6.6.6.6</p:NewInternalClient>' },
      { protocol: 'TCP', externalPort: 86, internalClient: '@nas', internalPort: 86, description: 'cdata]]>break<p:x>' },
      { protocol: 'TCP', externalPort: 87, internalClient: '@nas', internalPort: 87, description: '\u001b[31mred\u001b[0m' },
    ];
    await lab.restartRouter({ mappings: hostile });
    for (const flag of [[], ['--enumeration', 'index'], ['--enumeration', 'index', '--max-in-flight', '1']]) {
      const run = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', ...flag]);
      const mappings = run.report!.gateways[0]!.mappings;
      t.equal(mappings.length, hostile.length);
      for (const mapping of mappings) t.equal(mapping.internalClient, lab.nas.address, `${mapping.externalPort}: internal client`);
      t.equal(mappings.find((m) => m.externalPort === 81)?.description, '<b>x</b>');
      t.equal(mappings.find((m) => m.externalPort === 86)?.description, 'cdata]]>break<p:x>');
      t.ok(mappings.filter((m) => m.descriptionHasMarkup).length >= 4);
      t.ok(run.report!.findings.some((f) => f.rule === 'upnp-description-markup'));
    }
    const upnpc = await upnpcList(lab, '-l');
    t.ok(upnpc.some((row) => row.internalClient === '6.6.6.6'), 'upnpc -l reports a forged internal client for the same table');
    const text = await runExposure(lab, ['scan', '--no-wan', '--fail-on', 'none']);
    t.notOk(text.stdout.includes('\u001b'), 'no raw escape sequence reaches the terminal');
    t.match(text.stdout, /\\x1b\[31mred/);
  });
});
