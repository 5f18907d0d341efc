/**
 * One registry of error codes. Callers match on `code`, never on the message or the class: the message is
 * for people and may improve, the code is a contract (documented in docs/errors.md, checked by a test).
 */
export const ERROR_CODES = {
  EXP_ERR_USAGE: 'The command line is not valid.',
  EXP_ERR_ABORTED: 'The operation was cancelled.',
  EXP_ERR_TIMEOUT: 'The operation took longer than its time limit.',
  EXP_ERR_HTTP_TIMEOUT: 'An HTTP request to a device did not complete in time.',
  EXP_ERR_HTTP_TOO_LARGE: 'A device answered with more data than the limit allows.',
  EXP_ERR_HTTP_STATUS: 'A device answered with an unexpected HTTP status.',
  EXP_ERR_HTTP_NETWORK: 'A device could not be reached over HTTP.',
  EXP_ERR_URL_NOT_ALLOWED: 'A URL was refused because it points somewhere the scan may not go.',
  EXP_ERR_XML_INVALID: 'A device answered with XML that cannot be parsed safely.',
  EXP_ERR_SOAP_FAULT: 'A UPnP device answered an action with a SOAP fault.',
  EXP_ERR_IGD_NO_CONNECTION_SERVICE: 'The device description names no WAN connection service.',
  EXP_ERR_INTERFACE_NOT_FOUND: 'The network interface named with --interface does not exist or has no IPv4 address.',
  EXP_ERR_SOCKET: 'A UDP socket could not be opened or used.',
  EXP_ERR_REPORT_INVALID: 'The report did not pass its schema: a bug in exposure-scanner.',
  EXP_ERR_OUTPUT: 'The report could not be written.',
  EXP_ERR_NMAP_FAILED: 'nmap ran but did not produce a usable result.',
  EXP_ERR_ENGINE_UNAVAILABLE: 'The requested scan engine is not available on this machine.',
  EXP_ERR_SYN_SCAN_NEEDS_ROOT: 'A SYN scan (--syn-scan) was asked for by a process that does not run as root.',
  EXP_ERR_VANTAGE: 'The vantage agent could not be reached or gave an unusable answer.',
  EXP_ERR_VANTAGE_TLS: "The vantage agent's TLS certificate could not be verified.",
  EXP_ERR_IGD_NOT_FOUND: 'No UPnP router answered discovery, so no mapping table was read.',
  EXP_ERR_IGD_MAPPINGS_INCOMPLETE: "A router's port-mapping table could not be read to the end.",
  EXP_ERR_IGD_UNREADABLE: 'A router was found but its description or external address could not be read.',
  EXP_ERR_NO_VANTAGE: 'No vantage agent was named, so there is no view from the internet.',
  EXP_ERR_WAN_SKIPPED: 'The outside view was not run (--no-wan).',
  EXP_ERR_WAN_PORTS_INCOMPLETE: 'The outside view did not give a state for every port it was asked to scan.',
  EXP_ERR_AGENT_UNAUTHORIZED: 'A request to the agent had no valid bearer token.',
  EXP_ERR_AGENT_BAD_REQUEST: 'A request to the agent did not match its schema.',
  EXP_ERR_AGENT_RATE_LIMITED: 'A client asked the agent for scans too often.',
  EXP_ERR_AGENT_BUSY: 'The agent is already running as many scans as it allows.',
  EXP_ERR_AGENT_TOO_LARGE: 'A scan request asked for more ports or time than the agent allows.',
  EXP_ERR_AGENT_UNSUPPORTED_CLIENT: 'The agent cannot scan the address the request came from.',
  EXP_ERR_AGENT_CONFIG: 'The agent could not start with the given options.',
  EXP_ERR_API_UNAUTHORIZED: 'A request to the REST API had no valid bearer token.',
  EXP_ERR_API_BAD_REQUEST: 'A request to the REST API did not match its schema.',
  EXP_ERR_API_NOT_FOUND: 'The REST API has no such route, scan or schedule.',
  EXP_ERR_API_TOO_LARGE: 'A request body was larger than the REST API accepts.',
  EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE: 'A request body was not JSON.',
  EXP_ERR_API_RATE_LIMITED: 'A client sent the REST API too many requests.',
  EXP_ERR_API_BUSY: 'The REST API has as many scans waiting as it allows.',
  EXP_ERR_API_SCAN_NOT_READY: 'The scan has no report (yet): it is queued, running, or did not finish.',
  EXP_ERR_API_INTERNAL: 'The REST API failed to handle a request: a bug in exposure-scanner.',
  EXP_ERR_API_CONFIG: 'exposure serve could not start with the given options.',
  EXP_ERR_DB_OPEN: 'The history database could not be opened or written.',
  EXP_ERR_DB_VERSION: 'The history database was written by a newer exposure-scanner.',
  EXP_ERR_DB_CURSOR: 'A paging cursor is not one the history database gave out.',
  EXP_ERR_SCAN_NOT_FOUND: 'No scan with that id is in the history.',
  EXP_ERR_SCAN_STATE: 'The scan is not in a state that allows this change.',
  EXP_ERR_SCAN_INTERRUPTED: 'The scan was running when its process stopped (crash, kill or restart).',
  EXP_ERR_SCHEDULE_NOT_FOUND: 'No schedule with that id or name exists.',
  EXP_ERR_SCHEDULE_BUSY: 'A scan of this schedule is already queued or running.',
  EXP_ERR_SCHEDULE_INVALID: 'A schedule is not valid: its cron expression, name, webhook or alert filter.',
  EXP_ERR_NOT_ENOUGH_HISTORY: 'A diff needs two finished scans, and the history has fewer.',
  EXP_ERR_UNEXPECTED: 'An error without a code of its own stopped a recorded scan: a bug in exposure-scanner.',
  EXP_ERR_WEBHOOK: 'A webhook delivery failed; it stays queued and is retried.',
  EXP_ERR_QNAP_DATA: 'A QNAP fingerprint or advisory data file does not pass its schema.',
  EXP_ERR_NAS_NOT_ALLOWED: 'An address given with --nas is not an IPv4 address on a network this machine is on.',
  EXP_ERR_MYQNAPCLOUD_NAME: 'A name given with --myqnapcloud is not a myQNAPcloud (QNAP DDNS) name.',
  EXP_ERR_DNS: 'A DNS lookup failed or timed out.',
  EXP_ERR_TLS: 'A TLS handshake with a device failed or timed out.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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

export function createError(code: ErrorCode, message: string, options?: ExposureErrorOptions): ExposureError {
  return new ExposureError(code, message, options);
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
