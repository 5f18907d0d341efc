import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { validate as generatedValidate } from './agent-response-validator.generated.js';
import { createError, abortError, isExposureError, type ExposureError } from '../core/errors.js';
import { AGENT_MAX_RESPONSE_BYTES } from '../core/agent-limits.js';
import type { AgentScanRequest, AgentScanResponse } from '../core/agent.generated.js';
import { parsePins, spkiPin } from './spki-pin.js';
import { caUnreadable, readCa, scanEndpoint, type VantageTrust } from './vantage-endpoint.js';

// The command line's checks live in vantage-endpoint.ts so that parsing a command line loads no agent client.
export { checkVantageTrust, scanEndpoint, type VantageTrust } from './vantage-endpoint.js';

/** Compiled ahead of time by scripts/gen-types.mjs: at run time, loading ajv and compiling cost ~250 ms of a scan. */
const validator = generatedValidate as unknown as ((data: unknown) => data is AgentScanResponse) & { errors?: ErrorObject[] | null };

function validate(body: unknown): AgentScanResponse {
  if (!validator(body)) {
    throw createError('EXP_ERR_VANTAGE', `The agent's answer does not match schemas/agent-scan-response.schema.json: ${validator.errors?.[0]?.instancePath ?? ''} ${validator.errors?.[0]?.message ?? ''}`, {
      hint: 'The agent may run another version of exposure-scanner; update both sides.',
    });
  }
  return body;
}

/** Errors that mean the agent is down or overloaded for now, not that the user must change something. */
const unavailableErrors = new WeakSet<ExposureError>();

/** Marks an error as the agent's passing trouble (vantageUnavailable says yes). Shared with the whoami client. */
export function unavailable(error: ExposureError): ExposureError {
  unavailableErrors.add(error);
  return error;
}

/**
 * Whether a vantage failure is the agent's passing trouble (down, unreachable, too slow, overloaded,
 * rate-limited) rather than something the user must fix (a certificate that cannot be verified, a wrong token, a
 * refused request, an answer that breaks the contract).
 */
export function vantageUnavailable(error: unknown): boolean {
  if (!isExposureError(error) || error.code !== 'EXP_ERR_VANTAGE') return false;
  if (unavailableErrors.has(error)) return true;
  const status = error.httpStatus;
  return status !== undefined && (status >= 500 || status === 429);
}

const HOW_TO_TRUST =
  'For the agent\'s self-signed certificate, pass the pin "exposure agent" prints at start (--vantage-pin sha256/...), ' +
  'or its certificate file (--vantage-ca cert.pem); with a CA-signed certificate, check the --vantage host name is one the certificate names ' +
  '(a private CA: --vantage-ca, or NODE_EXTRA_CA_CERTS=FILE).';

function untrusted(origin: string, problem: string, seen: string | undefined): ExposureError {
  return createError('EXP_ERR_VANTAGE_TLS', `The agent's certificate at ${origin} could not be verified (${problem}): the outside view was not asked for, and the token was not sent${seen ? `. Its key has the pin ${seen}` : ''}`, {
    hint: seen ? `${HOW_TO_TRUST} Use that pin only if it is the one on the agent's "Pin:" line.` : HOW_TO_TRUST,
  });
}

/** The trust decision on a finished handshake: the pin (when given), then the chain and host name Node verified. */
function verify(socket: tls.TLSSocket, origin: string, pins: string[] | undefined, withCa: boolean): void {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) throw untrusted(origin, 'no certificate', undefined);
  const seen = spkiPin(certificate);
  if (pins && !pins.includes(seen)) {
    throw createError('EXP_ERR_VANTAGE_TLS', `The agent at ${origin} is not the pinned one: its key has the pin ${seen}, not ${pins.length === 1 ? 'the pinned' : 'one of the pinned'} ${pins.join(';')}. The outside view was not asked for, and the token was not sent`, {
      hint: 'Compare with the "Pin:" line exposure agent printed at start. If the agent has a new key (a certificate made with a new key), use its new pin; if it has not, something in the path answered in its place.',
    });
  }
  if ((pins === undefined || withCa) && !socket.authorized) throw untrusted(origin, String(socket.authorizationError), seen);
}

/**
 * Opens the connection and decides whether to trust it before a single request byte (and so the token) is
 * written: the HTTP request is made on this socket only once it is returned. With a pin the key decides (a
 * self-signed certificate for an IP address is the normal case); with `--vantage-ca` the chain and the host
 * name must verify against that CA alone (and the pin too, when both are given); otherwise against this
 * machine's CAs (NODE_EXTRA_CA_CERTS included).
 */
export async function connect(endpoint: URL, trust: VantageTrust, signal: AbortSignal): Promise<net.Socket> {
  const host = endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
  const https = endpoint.protocol === 'https:';
  const port = Number(endpoint.port) || (https ? 443 : 80);
  const pins = trust.pin !== undefined ? parsePins(trust.pin) : undefined;
  let ca: Buffer | undefined;
  if (trust.ca !== undefined) {
    const file = trust.ca;
    ca = readCa(file, await readFile(file).catch((error: unknown) => Promise.reject(caUnreadable(file, error))));
  }
  signal.throwIfAborted();
  const socket = https
    ? tls.connect({
        host,
        port,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        ...(ca ? { ca } : {}),
        ALPNProtocols: ['http/1.1'],
        // Decided below, on the certificate Node has verified (authorized, authorizationError) and its key.
        rejectUnauthorized: false,
      })
    : net.connect({ host, port });
  const onAbort = (): void => void socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(https ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('connection closed')));
    });
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (socket instanceof tls.TLSSocket) {
    try {
      verify(socket, endpoint.origin, pins, ca !== undefined);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }
  return socket;
}

export interface Answer {
  status: number;
  text: string;
}

/**
 * One request on an already trusted socket (the scan's POST, whoami's GET), the answer read up to `maxBytes`. The
 * connection closes after it: each request to the agent is a fresh connection (whoami counts on it).
 */
export function exchange(
  socket: net.Socket,
  endpoint: URL,
  request: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; maxBytes: number; what: string },
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = http.request({
      createConnection: () => socket,
      method: request.method,
      path: endpoint.pathname,
      setHost: false,
      headers: { ...request.headers, host: endpoint.host, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }), connection: 'close' },
      signal,
    });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > request.maxBytes) {
          outgoing.destroy();
          reject(createError('EXP_ERR_VANTAGE', `The agent sent more than ${request.maxBytes} bytes${request.what}`, { hint: 'The agent may run another version of exposure-scanner; update both sides.' }));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the agent closed the connection before the end of its answer')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.end(request.body);
  });
}

export function failureText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

/**
 * Asks the vantage agent to scan us. The agent decides the target (our address as it sees it, or over IPv6 the
 * `ipv6Targets` it accepts inside our /64), never we. `vantageUrl` may name the agent by an IPv6 literal
 * (`https://[2001:db8::10]:7447`): the same pinning applies, and the connection then comes from our IPv6 address.
 */
export async function requestVantageScan(
  vantageUrl: string,
  token: string,
  request: AgentScanRequest,
  options: { signal: AbortSignal; timeoutMs: number; trust?: VantageTrust },
): Promise<AgentScanResponse> {
  const endpoint = scanEndpoint(vantageUrl);
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  // The caller's cancellation stops the scan; the agent being too slow only costs the outside view.
  const cancelledOrTooSlow = (): ExposureError =>
    options.signal.aborted
      ? abortError(options.signal, 'The vantage scan')
      : unavailable(createError('EXP_ERR_VANTAGE', `The agent at ${endpoint.origin} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, {
          hint: 'The agent may be overloaded; run again later, or raise --timeout.',
        }));
  let socket: net.Socket;
  try {
    socket = await connect(endpoint, options.trust ?? {}, signal);
  } catch (error) {
    if (signal.aborted) throw cancelledOrTooSlow();
    if (isExposureError(error)) throw error;
    throw unavailable(createError('EXP_ERR_VANTAGE', `Cannot reach the agent at ${endpoint.origin}: ${failureText(error)}`, {
      hint: 'Check --vantage, that the agent runs, and that its port is open in the VPS firewall.',
    }));
  }
  let answer: Answer;
  try {
    answer = await exchange(
      socket,
      endpoint,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(request), maxBytes: AGENT_MAX_RESPONSE_BYTES, what: '' },
      signal,
    );
  } catch (error) {
    socket.destroy();
    if (signal.aborted) throw cancelledOrTooSlow();
    if (isExposureError(error)) throw error;
    throw unavailable(createError('EXP_ERR_VANTAGE', `The agent at ${endpoint.origin} failed to answer: ${failureText(error)}`, {
      hint: 'The agent may have stopped or restarted during the scan; run again.',
    }));
  }
  socket.destroy();
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw createError('EXP_ERR_VANTAGE', `The agent answered HTTP ${answer.status} with something that is not JSON`, { httpStatus: answer.status });
  }
  if (answer.status < 200 || answer.status > 299) {
    const failure = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof failure?.code === 'string' ? failure.code.slice(0, 64) : 'unknown';
    const message = typeof failure?.message === 'string' ? failure.message.slice(0, 300) : '';
    throw createError('EXP_ERR_VANTAGE', `The agent refused the scan (HTTP ${answer.status}, ${code}): ${message}`, {
      hint:
        answer.status === 401
          ? 'Check the token: --vantage-token or EXPOSURE_VANTAGE_TOKEN must match the agent token file.'
          : code === 'EXP_ERR_AGENT_TOO_LARGE'
            ? 'Ask for fewer ports (or fewer IPv6 targets), or start the agent with a higher --max-ports (65535 allows --ports all).'
            : code === 'EXP_ERR_AGENT_ADDRESS_SHARED' || code === 'EXP_ERR_AGENT_PORT_SET_MISMATCH'
              ? 'This IPv4 address looks shared with other subscribers (MAP-E): the agent scans only this line\'s own port set. See the code in docs/errors.md.'
              : 'See the agent code in docs/errors.md.',
      httpStatus: answer.status,
    });
  }
  try {
    return validate(body);
  } catch (error) {
    if (isExposureError(error)) throw error;
    throw createError('EXP_ERR_VANTAGE', 'The agent answer could not be validated', { cause: error });
  }
}
