// Every registered probe's manifest: metadata a reader can trust, and observation schemas that hold the data the
// report has always carried (the stored example report's own sections validate against them).
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { PROBES } from '../../probes/registry.js';
import type { ExposureReport } from '../../src/core/report.generated.js';
import { qlockerScenario, reportOf } from '../support/scenarios.js';

const reportSchema = JSON.parse(await readFile(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const example = JSON.parse(await readFile(new URL('../fixtures/report-example.json', import.meta.url), 'utf8')) as ExposureReport;
const ajv = new Ajv({ strict: true, formats: { 'date-time': true } });
ajv.addSchema(reportSchema);

/** The example report's data of each built-in kind (one item each where the report holds a list). */
const EXAMPLES: Record<string, unknown[]> = {
  discovery: [example.discovery],
  gateway: example.gateways,
  'nat-pmp': [example.natPmp],
  wan: [example.wan],
  // The stored example has no host; the Qlocker scenario's LAN fingerprint stands in.
  host: [...example.hosts, ...reportOf(qlockerScenario('NAS')).hosts],
  myqnapcloud: [example.myqnapcloud],
};

for (const probe of PROBES) {
  t.test(probe.id, async (t) => {
    t.match(probe.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    t.ok(probe.name.length > 0 && probe.description.length > 20, 'named and described');
    t.ok(['safe', 'intrusive'].includes(probe.safety));
    for (const reference of probe.references) t.match(reference, /^https:\/\//);
    t.ok(Object.keys(probe.observes).length > 0, 'observes something');
    for (const [kind, schema] of Object.entries(probe.observes)) {
      const validate = ajv.compile(schema);
      for (const data of EXAMPLES[kind] ?? []) t.ok(validate(data), `${kind}: the example report's data matches (${ajv.errorsText(validate.errors)})`);
      t.notOk(validate({ surely: 'not this' }), `${kind}: and the schema says something`);
    }
    const action = await probe.load();
    t.ok(typeof action.appliesTo === 'function' && typeof action.run === 'function', 'its action loads');
  });
}

t.test('the stored example report renders with every registered section', async (t) => {
  const { reportParts } = await import('../../src/report/sections.js');
  const parts = reportParts(example);
  t.same(parts.sections.map((section) => section.id), ['routers', 'nat-pmp', ...(example.hosts.length > 0 ? ['hosts'] : []), 'outside-view', ...(example.myqnapcloud.checked ? ['myqnapcloud'] : [])]);
  t.ok(parts.compact.has('upnp-mapping'));
});
