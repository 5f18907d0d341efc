import type { FastifyError, FastifyInstance } from 'fastify';
import { isExposureError, type ErrorCode } from '../../core/errors.js';
import { terminalSafe } from '../../report/sanitize.js';

import { sendError, type ErrorBody } from '../reply.js';

export { sendError };
export type ApiErrorBody = ErrorBody;

/**
 * HTTP status for an error the core or the store raised. Codes keep their meaning across faces (the CLI prints the
 * same ones); only the CLI-specific EXP_ERR_USAGE becomes EXP_ERR_API_BAD_REQUEST. Unlisted codes are 500.
 */
const STATUS_OF: Readonly<Partial<Record<ErrorCode, number>>> = {
  EXP_ERR_API_BAD_REQUEST: 400,
  EXP_ERR_INTERFACE_NOT_FOUND: 400,
  EXP_ERR_DB_CURSOR: 400,
  EXP_ERR_SCHEDULE_INVALID: 400,
  EXP_ERR_MYQNAPCLOUD_NAME: 400,
  EXP_ERR_URL_NOT_ALLOWED: 403,
  EXP_ERR_NAS_NOT_ALLOWED: 403,
  EXP_ERR_API_NOT_FOUND: 404,
  EXP_ERR_SCAN_NOT_FOUND: 404,
  EXP_ERR_SCHEDULE_NOT_FOUND: 404,
  EXP_ERR_NOT_ENOUGH_HISTORY: 404,
  EXP_ERR_API_SCAN_NOT_READY: 409,
  EXP_ERR_SCAN_STATE: 409,
  EXP_ERR_SCHEDULE_BUSY: 409,
  EXP_ERR_API_BUSY: 503,
};

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

/** The error an exception becomes for a client: its own code when it is one of ours, else a bare 500. */
function clientError(error: unknown): { status: number; code: ErrorCode; message: string } | undefined {
  if (!isExposureError(error)) return undefined;
  if (error.code === 'EXP_ERR_USAGE') return { status: 400, code: 'EXP_ERR_API_BAD_REQUEST', message: clientMessage(error.message) };
  const status = STATUS_OF[error.code];
  // The hint says what to do; the CLI prints it on its own line, the API has only the message to carry it.
  return status === undefined ? undefined : { status, code: error.code, message: clientMessage(error.message, error.hint) };
}

/** Every error leaves as {error:{code,message}}: fastify's own (validation, body parsing, limits) included. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      // "body/ports must match pattern ...": where and what, never a stack.
      return sendError(reply, 400, 'EXP_ERR_API_BAD_REQUEST', clientMessage(`Invalid request: ${error.message}`));
    }
    const known = clientError(error);
    if (known) return sendError(reply, known.status, known.code, known.message);
    switch (error.statusCode) {
      case 413:
        return sendError(reply, 413, 'EXP_ERR_API_TOO_LARGE', 'Request body too large');
      case 415:
        return sendError(reply, 415, 'EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
      case 429:
        return sendError(reply, 429, 'EXP_ERR_API_RATE_LIMITED', clientMessage(error.message));
      case 400:
        // Malformed JSON, an empty JSON body: fastify's messages name the problem without internals.
        return sendError(reply, 400, 'EXP_ERR_API_BAD_REQUEST', clientMessage(error.message));
      default:
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
          return sendError(reply, error.statusCode, 'EXP_ERR_API_BAD_REQUEST', clientMessage(error.message));
        }
    }
    request.log.error(error);
    return sendError(reply, 500, 'EXP_ERR_API_INTERNAL', 'The server failed to handle the request; its log has the details');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'EXP_ERR_API_NOT_FOUND', clientMessage(`No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`)));
}
