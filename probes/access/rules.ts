import { createError } from '../../src/core/errors.js';
import { rulesProblem, type MapERules } from '../../src/net/map-e.js';

let loading: Promise<MapERules> | undefined;

/**
 * The MAP-E rules, loaded and checked once, on first use: a scan with no global IPv6 address never pays for them.
 * The schema is compiled here rather than ahead of time because only a scan that has an IPv6 prefix needs it, and
 * then it runs while the vantage agent is being asked (decision 0019 has the cost).
 */
export function loadMapERules(): Promise<MapERules> {
  loading ??= (async () => {
    const [{ Ajv }, schema, data] = await Promise.all([
      import('ajv'),
      import('../../schemas/map-e-rules.schema.json', { with: { type: 'json' } }),
      import('./map-e-rules.json', { with: { type: 'json' } }),
    ]);
    const validate = new Ajv({ allErrors: false, strict: true }).compile(schema.default);
    if (!validate(data.default)) {
      const error = validate.errors?.[0];
      throw createError('EXP_ERR_MAPE_RULES', { problem: `${error?.instancePath || '/'} ${error?.message ?? ''}` });
    }
    const rules = data.default as unknown as MapERules;
    const problem = rulesProblem(rules);
    if (problem !== undefined) throw createError('EXP_ERR_MAPE_RULES', { problem });
    return rules;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
