import t from 'tap';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
// @ts-expect-error -- plain .mjs build script without type declarations
import { TARGETS } from '../../scripts/gen-types.mjs';
import { validateReport } from '../../src/report/validate.js';

const targets = TARGETS as Array<{ file: URL; generate: () => Promise<string> }>;

t.test('generated types and validator match the current schema (they cannot drift)', async (t) => {
  for (const { file, generate } of targets) t.equal(await readFile(file, 'utf8'), await generate(), `${file.pathname} is fresh (npm run gen:types)`);
});

t.test('the ahead-of-time validator agrees with ajv compiling the schema with full formats', async (t) => {
  const schema = JSON.parse(await readFile(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajvFormats.default(ajv);
  const reference = ajv.compile(schema);
  const good = JSON.parse(await readFile(new URL('../fixtures/report-example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  t.ok(reference(good), 'the example report is valid');
  t.doesNotThrow(() => validateReport(good));
  const bad: Array<[string, unknown]> = [
    ['startedAt not a date-time', { ...good, startedAt: 'yesterday' }],
    ['unknown top-level field', { ...good, extra: 1 }],
    ['severity outside the set', { ...good, findings: [{ ...(good['findings'] as object[])[0], severity: 'urgent' }] }],
    ['missing summary', { ...good, summary: undefined }],
  ];
  for (const [what, report] of bad) {
    t.notOk(reference(JSON.parse(JSON.stringify(report))), `reference rejects: ${what}`);
    t.throws(() => validateReport(JSON.parse(JSON.stringify(report))), { code: 'EXP_ERR_REPORT_INVALID' }, `ours rejects: ${what}`);
  }
});

t.test('the report carries the agent answer shapes unchanged (both schemas define them)', async (t) => {
  const read = async (name: string): Promise<{ definitions: Record<string, unknown> }> =>
    JSON.parse(await readFile(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8')) as { definitions: Record<string, unknown> };
  const report = await read('report');
  const agent = await read('agent-scan-response');
  for (const name of ['WanPort', 'IgdControl', 'HostService', 'FingerprintMatch', 'QnapDevice']) t.same(report.definitions[name], agent.definitions[name], `${name} is the same in both`);
});
