// A thousand mappings through the real router: every one read, by the paged list (GetListOfPortMappings) and by the
// index walk (GetGenericPortMappingEntry, the only way on IGDv1). Both read the same running router: restarting it as
// IGDv1 reloads 1,000 leases (11 s) and adds nothing, since reading an IGDv1 description is covered by scan-igd.
import t from 'tap';
import { generateMappings, withLab } from './lab.js';
import { mappingKey, runExposure, upnpcList } from './exposure.js';

t.test('1,000 mappings, paged list then index walk', async (t) => {
  const seeded = generateMappings(1000, '@nas', { mixed: true });
  const lab = await withLab(t, { mappings: seeded });
  if (!lab) return;
  const expected = new Set(seeded.map(mappingKey));

  const v2 = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', lab.router.rootDescUrl]);
  t.equal(v2.code, 0, v2.stderr);
  const v2Gateway = v2.report!.gateways[0]!;
  t.equal(v2Gateway.enumeration.method, 'GetListOfPortMappings');
  t.equal(v2Gateway.mappings.length, 1000);
  t.equal(v2Gateway.mappingsTruncated, false);
  t.same(new Set(v2Gateway.mappings.map(mappingKey)), expected);
  t.ok(v2Gateway.enumeration.requests <= 6, `${v2Gateway.enumeration.requests} requests for 1,000 mappings`);
  // The harness's own seeding, checked against upnpc (this was a separate 250-mapping lab in lab.test.ts).
  const row = (m: { protocol: string; externalPort: number; internalClient: string; internalPort: number; description: string }): string => `${m.protocol} ${m.externalPort}->${m.internalClient}:${m.internalPort} '${m.description}'`;
  const upnpc = await upnpcList(lab, '-L');
  t.same(upnpc.map(row).sort(), seeded.map((m) => row({ ...m, internalClient: lab.nas.address })).sort(), 'upnpc -L lists exactly the seeded set');

  const capped = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', lab.router.rootDescUrl, '--max-mappings', '100']);
  t.equal(capped.report!.gateways[0]!.mappings.length, 100);
  t.equal(capped.report!.gateways[0]!.mappingsTruncated, true);
  t.ok(capped.report!.findings.some((finding) => finding.rule === 'upnp-mapping-table-incomplete'));
  t.equal(capped.report!.coverage.inside.status, 'partial', 'a table cut short is a partial inside view');
  t.equal(capped.report!.coverage.inside.reason?.code, 'EXP_ERR_IGD_MAPPINGS_INCOMPLETE');
  t.same(capped.report!.coverage.inside.mappings, { read: 100, complete: false });

  const v1 = await runExposure(lab, ['scan', '--no-wan', '--format', 'json', '--fail-on', 'none', '--gateway', lab.router.rootDescUrl, '--enumeration', 'index']);
  t.equal(v1.code, 0, v1.stderr);
  const v1Gateway = v1.report!.gateways[0]!;
  t.equal(v1Gateway.enumeration.method, 'GetGenericPortMappingEntry');
  t.equal(v1Gateway.mappings.length, 1000);
  t.same(new Set(v1Gateway.mappings.map(mappingKey)), expected);
  t.ok(v1Gateway.enumeration.requests <= 1000 + 4, `${v1Gateway.enumeration.requests} requests`);
});
