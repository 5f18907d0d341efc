import type { ErrorObject } from 'ajv';
import { validate as generatedValidate } from './report-validator.generated.js';
import { createError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';

/** The ajv validator for schemas/report.schema.json, compiled ahead of time by scripts/gen-types.mjs. */
const validate = generatedValidate as unknown as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export function validateReport(report: unknown): asserts report is ExposureReport {
  if (!validate(report)) {
    const details = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
    throw createError('EXP_ERR_REPORT_INVALID', `The report does not match schemas/report.schema.json: ${details}`, {
      hint: 'This is a bug in exposure-scanner; please report it with the command you ran.',
    });
  }
}
