// The shipped MAP-E rules pass their schema and the checks beyond it; broken data is refused, naming the entry.
import t from 'tap';
import { Ajv } from 'ajv';
import schema from '../../schemas/map-e-rules.schema.json' with { type: 'json' };
import data from '../../probes/access/map-e-rules.json' with { type: 'json' };
import { rulesProblem, type MapERules } from '../../src/net/map-e.js';
import { loadMapERules } from '../../probes/access/rules.js';

const validate = new Ajv({ strict: true }).compile(schema);

t.test('probes/access/map-e-rules.json passes schemas/map-e-rules.schema.json and the number checks', async (t) => {
  t.ok(validate(data), JSON.stringify(validate.errors?.[0] ?? ''));
  t.equal(rulesProblem(data as unknown as MapERules), undefined);
  const loaded = await loadMapERules();
  t.same(loaded.rules.map((rule) => rule.id), ['v6plus', 'ipv6-option-31', 'ipv6-option-38', 'ocn-virtual-connect', 'nuro']);
  t.equal(await loadMapERules(), loaded, 'loaded once');
});

t.test('every rule names its sources with the research sheet\'s tag; unconfirmed and WIP rules say so', async (t) => {
  for (const rule of (data as unknown as MapERules).rules) {
    t.ok(rule.sources.length > 0, rule.id);
    if (rule.status === 'unconfirmed-attribution') t.ok(rule.sources.some((source) => source.confidence === 'UNCONFIRMED'), `${rule.id} carries an UNCONFIRMED source`);
    if (rule.status === 'wip') t.match(rule.label, /WIP/, rule.id);
  }
});

t.test('the schema refuses what the loader must never see', async (t) => {
  const rule = (data as unknown as MapERules).rules[0];
  const broken: unknown[] = [
    { ...data, rules: [] },
    { ...data, rules: [{ ...rule, id: 'Not Kebab' }] },
    { ...data, rules: [{ ...rule, sources: [] }] },
    { ...data, rules: [{ ...rule, sources: [{ url: 'javascript:alert(1)', confidence: 'LOW' }] }] },
    { ...data, rules: [{ ...rule, psidLength: 16 }] },
    { ...data, rules: [{ ...rule, extra: true }] },
    { ...data, rules: [{ ...rule, prefixes: [{ ipv6: '240b:10::/31', ipv4: '106.72.0.0/15; rm -rf' }] }] },
    { ...data, rules: Array.from({ length: 33 }, () => rule) },
  ];
  for (const candidate of broken) t.notOk(validate(candidate), JSON.stringify(candidate).slice(0, 120));
});
