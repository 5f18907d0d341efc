import { Ajv, type ValidateFunction } from 'ajv';
import responseSchema from '../../schemas/agent-scan-response.schema.json' with { type: 'json' };
import { createError, abortError, isExposureError, type ExposureError } from '../core/errors.js';
import type { AgentScanRequest, AgentScanResponse } from '../core/agent.generated.js';

/** 65,535 ports at ~80 bytes each, plus banners: 16 MiB is generous and still bounded. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

let validator: ValidateFunction<AgentScanResponse> | undefined;

function validate(body: unknown): AgentScanResponse {
  validator ??= new Ajv({ allErrors: false, strict: true }).compile<AgentScanResponse>(responseSchema);
  if (!validator(body)) {
    throw createError('EXP_ERR_VANTAGE', `The agent's answer does not match schemas/agent-scan-response.schema.json: ${validator.errors?.[0]?.instancePath ?? ''} ${validator.errors?.[0]?.message ?? ''}`, {
      hint: 'The agent may run another version of exposure-scanner; update both sides.',
    });
  }
  return body;
}

async function readBounded(response: Response, signal: AbortSignal): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Node's web streams are async iterable; the DOM-free type definitions here do not say so.
  for await (const value of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (signal.aborted) throw abortError(signal, 'Reading the agent answer');
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) throw createError('EXP_ERR_VANTAGE', `The agent sent more than ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function scanEndpoint(vantageUrl: string): URL {
  let url: URL;
  try {
    url = new URL(vantageUrl);
  } catch {
    throw createError('EXP_ERR_USAGE', `--vantage ${vantageUrl} is not a URL`, { hint: 'Example: --vantage https://vps.example.net:7447' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw createError('EXP_ERR_USAGE', '--vantage must be an https: (or http:) URL');
  if (url.username || url.password) throw createError('EXP_ERR_USAGE', '--vantage must not carry credentials; use --vantage-token or EXPOSURE_VANTAGE_TOKEN');
  return new URL('/v1/scan', url);
}

/** Errors that mean the agent is down or overloaded for now, not that the user must change something. */
const unavailableErrors = new WeakSet<ExposureError>();

function unavailable(error: ExposureError): ExposureError {
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

/** The TLS error codes (OpenSSL's, as Node reports them) that mean the agent's certificate was not trusted. */
function certificateProblem(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return code;
  }
  return undefined;
}

/** Asks the vantage agent to scan us. The agent decides the target (our address as it sees it), never we. */
export async function requestVantageScan(vantageUrl: string, token: string, request: AgentScanRequest, options: { signal: AbortSignal; timeoutMs: number }): Promise<AgentScanResponse> {
  const endpoint = scanEndpoint(vantageUrl);
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  // The caller's cancellation stops the scan; the agent being too slow only costs the outside view.
  const cancelledOrTooSlow = (): ExposureError =>
    options.signal.aborted
      ? abortError(options.signal, 'The vantage scan')
      : unavailable(createError('EXP_ERR_VANTAGE', `The agent at ${endpoint.origin} did not answer within ${Math.round(options.timeoutMs / 1000)} s`, {
          hint: 'The agent may be overloaded; run again later, or raise --timeout.',
        }));
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      redirect: 'error',
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw cancelledOrTooSlow();
    const problem = certificateProblem(error);
    if (problem !== undefined) {
      throw createError('EXP_ERR_VANTAGE_TLS', `The agent's certificate at ${endpoint.origin} could not be verified (${problem}): the outside view was not asked for`, {
        hint: 'Use a certificate from a CA this machine trusts (NODE_EXTRA_CA_CERTS=FILE adds one), or check the --vantage host name matches the certificate.',
      });
    }
    throw unavailable(createError('EXP_ERR_VANTAGE', `Cannot reach the agent at ${endpoint.origin}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`, {
      hint: 'Check --vantage, that the agent runs, and that its port is open in the VPS firewall.',
    }));
  }
  let text: string;
  try {
    text = await readBounded(response, signal);
  } catch (error) {
    if (signal.aborted) throw cancelledOrTooSlow();
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw createError('EXP_ERR_VANTAGE', `The agent answered HTTP ${response.status} with something that is not JSON`, { httpStatus: response.status });
  }
  if (!response.ok) {
    const failure = (body as { error?: { code?: unknown; message?: unknown } }).error;
    const code = typeof failure?.code === 'string' ? failure.code.slice(0, 64) : 'unknown';
    const message = typeof failure?.message === 'string' ? failure.message.slice(0, 300) : '';
    throw createError('EXP_ERR_VANTAGE', `The agent refused the scan (HTTP ${response.status}, ${code}): ${message}`, {
      hint: response.status === 401 ? 'Check the token: --vantage-token or EXPOSURE_VANTAGE_TOKEN must match the agent token file.' : 'See the agent code in docs/errors.md.',
      httpStatus: response.status,
    });
  }
  try {
    return validate(body);
  } catch (error) {
    if (isExposureError(error)) throw error;
    throw createError('EXP_ERR_VANTAGE', 'The agent answer could not be validated', { cause: error });
  }
}
