import type { ErrorObject } from 'ajv';
import { createError } from '../../src/core/errors.js';
import { rulesProblem, type MapERules } from '../../src/net/map-e.js';
import validateRules from './map-e-rules-validator.generated.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
/** Compiled ahead of time by scripts/gen-types.mjs: ajv's import and compile cost ~270 ms at run time (decision 0019). */
const schemaValid = validateRules as unknown as Validator;

let loading: Promise<MapERules> | undefined;

/**
 * The MAP-E rules, loaded and checked once, on first use (a scan with no global IPv6 address never reads them):
 * schemas/map-e-rules.schema.json, then the numbers (src/net/map-e.ts rulesProblem).
 */
export function loadMapERules(): Promise<MapERules> {
  loading ??= (async () => {
    const data: unknown = (await import('./map-e-rules.json', { with: { type: 'json' } })).default;
    if (!schemaValid(data)) {
      const error = schemaValid.errors?.[0];
      throw createError('EXP_ERR_MAPE_RULES', { problem: `${error?.instancePath || '/'} ${error?.message ?? ''}` });
    }
    const rules = data as MapERules;
    const problem = rulesProblem(rules);
    if (problem !== undefined) throw createError('EXP_ERR_MAPE_RULES', { problem });
    return rules;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
