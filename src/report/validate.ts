import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { createError } from '../core/errors.js';
import type { ExposureReport } from '../core/report.generated.js';

// ajv-formats is CommonJS; under NodeNext its default import types as the module, whose `default` is the plugin.
const addFormats = ajvFormats.default;

let validator: ValidateFunction<ExposureReport> | undefined;

function compile(): ValidateFunction<ExposureReport> {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile<ExposureReport>(reportSchema);
}

export function validateReport(report: unknown): asserts report is ExposureReport {
  validator ??= compile();
  if (!validator(report)) {
    const details = (validator.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
    throw createError('EXP_ERR_REPORT_INVALID', `The report does not match schemas/report.schema.json: ${details}`, {
      hint: 'This is a bug in exposure-scanner; please report it with the command you ran.',
    });
  }
}

export { reportSchema };
