import type { ErrorObject } from 'ajv';
import { createError, type ExposureError } from '../core/errors.js';
import { validate as generatedValidate } from './payload-validator.generated.js';
import type { WebhookPayload } from './webhook-payload.generated.js';

/** The ajv validator for schemas/webhook-payload.schema.json, compiled ahead of time by scripts/gen-types.mjs. */
const validate = generatedValidate as unknown as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** What is wrong with a body, in one line ("/changes/0/after must have required property 'enabled'"), or undefined. */
export function payloadProblem(payload: unknown): string | undefined {
  if (validate(payload)) return undefined;
  const first = validate.errors?.[0];
  // The message is ajv's, the path ours; neither carries a value from the body (it may quote a LAN device's text).
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is not valid'}` : 'does not match';
}

export function isWebhookPayload(payload: unknown): payload is WebhookPayload {
  return payloadProblem(payload) === undefined;
}

/**
 * The outbox's last look before a body leaves: an alert body (as stored) that is not JSON or does not pass the
 * contract is an EXP_ERR_WEBHOOK_PAYLOAD, never sent. The same body would fail again, so it is not retried.
 */
export function checkStoredPayload(alert: { id: number; body: string }, origin: string): ExposureError | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(alert.body);
  } catch {
    return createError('EXP_ERR_WEBHOOK_PAYLOAD', { id: alert.id, origin, problem: 'the stored body is not JSON' });
  }
  const problem = payloadProblem(payload);
  return problem === undefined ? undefined : createError('EXP_ERR_WEBHOOK_PAYLOAD', { id: alert.id, origin, problem });
}
