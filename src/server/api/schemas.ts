import reportSchema from '../../../schemas/report.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/api-error.schema.json' with { type: 'json' };
import scanRequestSchema from '../../../schemas/api-scan-request.schema.json' with { type: 'json' };
import scanSchema from '../../../schemas/api-scan.schema.json' with { type: 'json' };
import scanListSchema from '../../../schemas/api-scan-list.schema.json' with { type: 'json' };
import exposureSchema from '../../../schemas/api-exposure.schema.json' with { type: 'json' };
import scheduleRequestSchema from '../../../schemas/api-schedule-request.schema.json' with { type: 'json' };
import scheduleSchema from '../../../schemas/api-schedule.schema.json' with { type: 'json' };
import diffSchema from '../../../schemas/api-diff.schema.json' with { type: 'json' };
import alertListSchema from '../../../schemas/api-alert-list.schema.json' with { type: 'json' };
import rejudgeSchema from '../../../schemas/api-rejudge.schema.json' with { type: 'json' };

/**
 * Every schema the API validates with or documents, registered once by $id and used by $ref (the OpenAPI
 * document turns them into components). The files in schemas/ are the contract; nothing here restates them.
 */
export const SHARED_SCHEMAS = [reportSchema, errorSchema, scanRequestSchema, scanSchema, scanListSchema, exposureSchema, scheduleRequestSchema, scheduleSchema, diffSchema, alertListSchema, rejudgeSchema] as const;

/** Request bodies: the validator needs these (responses are documentation only). */
export const REQUEST_SCHEMAS = [scanRequestSchema, scheduleRequestSchema] as const;

type SharedId = (typeof SHARED_SCHEMAS)[number]['$id'];

export function ref(schema: { $id: SharedId }): { $ref: string } {
  return { $ref: `${schema.$id}#` };
}

const ERROR_RESPONSE = ref(errorSchema);

/** The error statuses every authenticated route can answer, for the document. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string; description: string }> {
  const describe: Record<number, string> = {
    400: 'The request does not match its schema (EXP_ERR_API_BAD_REQUEST and others)',
    401: 'No valid bearer token (EXP_ERR_API_UNAUTHORIZED)',
    403: 'The scan would leave the networks this server is on (EXP_ERR_URL_NOT_ALLOWED)',
    404: 'No such scan, schedule or route',
    409: 'Not possible in the current state',
    413: 'Body over the limit (EXP_ERR_API_TOO_LARGE)',
    415: 'Body not application/json (EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE)',
    429: 'Too many requests (EXP_ERR_API_RATE_LIMITED)',
    503: 'Too many scans waiting (EXP_ERR_API_BUSY)',
  };
  return Object.fromEntries([401, 429, ...statuses].map((status) => [status, { ...ERROR_RESPONSE, description: describe[status] ?? 'Error' }]));
}

export { reportSchema, errorSchema, scanRequestSchema, scanSchema, scanListSchema, exposureSchema, scheduleRequestSchema, scheduleSchema, diffSchema, alertListSchema, rejudgeSchema };

/** The `{id}` of /v1/scans/{id} and /v1/schedules/{id}: a positive integer, coerced from the path. */
export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;
