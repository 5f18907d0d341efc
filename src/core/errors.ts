import { ERROR_REGISTRY, formatMessage, plainHint, type ErrorCode, type MessageParams } from './error-registry.js';

export { ERROR_REGISTRY, errorSpec, isErrorCode, type ErrorCode, type ErrorSpec, type MessageParams } from './error-registry.js';

/**
 * Callers match on `code`, never on the message or the class: the message is for people and may improve, the code
 * is a contract (src/core/error-registry.ts holds every code with its HTTP status, exit status, template and hint;
 * docs/errors.md is generated from it). This is the one-line summary of each code, kept for older readers.
 */
export const ERROR_CODES = Object.fromEntries(Object.entries(ERROR_REGISTRY).map(([code, spec]) => [code, spec.summary])) as { readonly [Code in ErrorCode]: string };

export interface ExposureErrorOptions {
  /** What the user can do about it; shown after the message. */
  hint?: string;
  cause?: unknown;
  /** UPnP error code from a SOAP fault (e.g. 713 SpecifiedArrayIndexInvalid). */
  upnpErrorCode?: number;
  httpStatus?: number;
}

export class ExposureError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly upnpErrorCode: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(code: ErrorCode, message: string, options: ExposureErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExposureError';
    this.code = code;
    this.hint = options.hint;
    this.upnpErrorCode = options.upnpErrorCode;
    this.httpStatus = options.httpStatus;
  }
}

/**
 * An error with a stable code. Two ways to say what happened:
 * - createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${id} in ${file}`): a message written at the call site;
 * - createError('EXP_ERR_SCAN_NOT_FOUND', { id }): the registry's template filled in ("No scan 3 in the history"),
 *   with the registry's hint unless the options give one. TypeScript checks the parameters against the template.
 */
export function createError(code: ErrorCode, message: string, options?: ExposureErrorOptions): ExposureError;
export function createError<Code extends ErrorCode>(code: Code, params: MessageParams<Code>, options?: ExposureErrorOptions): ExposureError;
export function createError(code: ErrorCode, messageOrParams: string | Readonly<Record<string, string | number>>, options: ExposureErrorOptions = {}): ExposureError {
  if (typeof messageOrParams === 'string') return new ExposureError(code, messageOrParams, options);
  const spec = ERROR_REGISTRY[code];
  return new ExposureError(code, formatMessage(spec.message, messageOrParams), { ...options, hint: options.hint ?? plainHint(spec.hint) });
}

/** The registry's message for `code`, filled in: for answers that carry a message but need no Error (an HTTP refusal). */
export function errorMessage<Code extends ErrorCode>(code: Code, params: MessageParams<Code>): string {
  return formatMessage(ERROR_REGISTRY[code].message, params);
}

export function isExposureError(value: unknown, code?: ErrorCode): value is ExposureError {
  return value instanceof ExposureError && (code === undefined || value.code === code);
}

/** Normalises whatever an AbortSignal carries into our own error, so callers see one code for cancellation. */
export function abortError(signal: AbortSignal | undefined, what: string): ExposureError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ExposureError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return createError('EXP_ERR_TIMEOUT', `${what} timed out`, { cause: reason, hint: 'Raise --timeout or check that the device answers.' });
  }
  return createError('EXP_ERR_ABORTED', `${what} was cancelled`, { cause: reason });
}
