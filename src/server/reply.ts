import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../core/errors.js';

/** How every server of ours fails a request: a stable code and a message that says what to do, never a stack. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } } satisfies ErrorBody);
}
