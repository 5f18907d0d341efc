import type { ValidateFunction } from 'ajv';
import { createError } from '../core/errors.js';
import type { Observation } from '../core/observation.js';
import { REPORT_SCHEMA_ID, type JsonSchema, type ProbeManifest } from '../core/probe.js';

/** Kinds the scan itself emits; every other kind is declared by a probe's `observes`. */
const KERNEL_KINDS = new Set(['local-networks', 'warning']);
const REPORT_REF = `${REPORT_SCHEMA_ID}#`;

/** A schema that is only a pointer into the report's schema: the report's own (compiled ahead of time) validator checks that data. */
function checkedByReport(schema: JsonSchema): boolean {
  const ref = schema['$ref'];
  return Object.keys(schema).length === 1 && typeof ref === 'string' && ref.startsWith(REPORT_REF);
}

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * ajv only when a probe brings a schema of its own (a probe added after schema 1.0): the built-in probes' data is
 * checked by the report's validator, and compiling schemas at run time costs start-up (120 ms for the report's).
 */
async function validatorFor(schema: JsonSchema): Promise<ValidateFunction> {
  const known = compiled.get(schema);
  if (known) return known;
  const [{ Ajv }, reportSchema] = await Promise.all([import('ajv'), import('../../schemas/report.schema.json', { with: { type: 'json' } })]);
  const ajv = new Ajv({ allErrors: false, strict: true, formats: { 'date-time': true } });
  ajv.addSchema(reportSchema.default);
  const validate = ajv.compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/**
 * A probe's observations are of kinds some registered probe declares, and data of a kind with a schema of its own
 * matches it: a probe that breaks its contract stops the scan with EXP_ERR_REPORT_INVALID (a bug, exit 2) rather
 * than write what no reader expects into the report and the history.
 */
export async function checkObservations(probe: ProbeManifest, probes: readonly ProbeManifest[], observations: readonly Observation[]): Promise<void> {
  for (const observation of observations) {
    if (KERNEL_KINDS.has(observation.kind)) continue;
    const owner = probes.find((candidate) => Object.hasOwn(candidate.observes, observation.kind));
    const schema = owner?.observes[observation.kind];
    if (schema === undefined) {
      throw createError('EXP_ERR_REPORT_INVALID', `probe "${probe.id}" made a "${observation.kind}" observation, a kind no registered probe declares in "observes"`, { hint: 'A bug in the probe: declare the kind in its manifest.' });
    }
    if (checkedByReport(schema)) continue;
    const validate = await validatorFor(schema);
    if (!validate(observation.data)) {
      const details = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
      throw createError('EXP_ERR_REPORT_INVALID', `probe "${probe.id}" made a "${observation.kind}" observation that does not match its schema: ${details}`, { hint: 'A bug in the probe: its data and the schema in its manifest disagree.' });
    }
  }
}
