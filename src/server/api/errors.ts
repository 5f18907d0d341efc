import type { FastifyError, FastifyInstance } from 'fastify';
import { errorMessage, errorSpec, isErrorCode, isExposureError, type ErrorCode } from '../../core/errors.js';
import { terminalSafe } from '../../report/sanitize.js';

import { sendError, statusOf, type ErrorBody } from '../reply.js';

export { sendError };
export type ApiErrorBody = ErrorBody;

/** Longest message text sent or logged before the hint; the longest of ours is about 200 characters. */
const MAX_MESSAGE = 400;

/**
 * Messages may quote what the client sent (a cron expression, a schedule name, a host, a path): quoted with
 * control characters and invisible marks escaped, and cut short, so an answer or a log line shows the input and
 * cannot be reshaped or padded by it. The hint (ours, never input) is kept whole after a cut message.
 */
export function clientMessage(message: string, hint?: string): string {
  const safe = terminalSafe(message);
  const cut = safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE)}...` : safe;
  return hint ? `${cut}. ${terminalSafe(hint)}` : cut;
}

/**
 * The error an exception becomes for a client: its own code and the registry's status when it is one of ours, else
 * undefined (a bare 500). Codes keep their meaning across faces (the CLI prints the same ones). A 500, or a code
 * that is never an HTTP answer, says nothing to the client: its message may carry paths and internals.
 */
function clientError(error: unknown): { status: number; code: ErrorCode; message: string } | undefined {
  if (!isExposureError(error)) return undefined;
  const spec = errorSpec(error.code);
  if (spec.status === null || spec.status === 500) return undefined;
  // EXP_ERR_USAGE: the same mistake, but an API client has no command line, and the hint would name flags.
  if (spec.apiCode !== undefined && isErrorCode(spec.apiCode)) return { status: statusOf(spec.apiCode), code: spec.apiCode, message: clientMessage(error.message) };
  // The hint says what to do; the CLI prints it on its own line, the API has only the message to carry it.
  return { status: spec.status, code: error.code, message: clientMessage(error.message, error.hint) };
}

/** Every error leaves as {error:{code,message}}: fastify's own (validation, body parsing, limits) included. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      // "body/ports must match pattern ...": where and what, never a stack.
      return sendError(reply, undefined, 'EXP_ERR_API_BAD_REQUEST', clientMessage(errorMessage('EXP_ERR_API_BAD_REQUEST', { problem: error.message })));
    }
    const known = clientError(error);
    if (known) return sendError(reply, known.status, known.code, known.message);
    switch (error.statusCode) {
      case 413:
        return sendError(reply, undefined, 'EXP_ERR_API_TOO_LARGE', errorMessage('EXP_ERR_API_TOO_LARGE', {}));
      case 415:
        return sendError(reply, undefined, 'EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE', errorMessage('EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE', {}));
      case 429:
        return sendError(reply, undefined, 'EXP_ERR_API_RATE_LIMITED', clientMessage(error.message));
      case 400:
        // Malformed JSON, an empty JSON body: fastify's messages name the problem without internals.
        return sendError(reply, undefined, 'EXP_ERR_API_BAD_REQUEST', clientMessage(error.message));
      default:
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
          return sendError(reply, error.statusCode, 'EXP_ERR_API_BAD_REQUEST', clientMessage(error.message));
        }
    }
    request.log.error(error);
    return sendError(reply, undefined, 'EXP_ERR_API_INTERNAL', errorMessage('EXP_ERR_API_INTERNAL', {}));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, undefined, 'EXP_ERR_API_NOT_FOUND', clientMessage(errorMessage('EXP_ERR_API_NOT_FOUND', { method: request.method, path: (request.url.split('?')[0] ?? '').slice(0, 200) }))),
  );
}
