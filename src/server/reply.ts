import type { FastifyReply } from 'fastify';
import { errorSpec, type ErrorCode } from '../core/errors.js';

/** How every server of ours fails a request: a stable code and a message that says what to do, never a stack. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The status a code is answered with (src/core/error-registry.ts); a code that is never an HTTP answer is a 500. */
export function statusOf(code: ErrorCode): number {
  return errorSpec(code).status ?? 500;
}

/**
 * `status` defaults to the registry's, so a face cannot answer a code with a status of its own; the agent passes
 * one where a code covers several refusals (EXP_ERR_AGENT_BAD_REQUEST is also its 404, 413 and 415).
 */
export function sendError(reply: FastifyReply, status: number | undefined, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status ?? statusOf(code)).type('application/json; charset=utf-8').send({ error: { code, message } } satisfies ErrorBody);
}
