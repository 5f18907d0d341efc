import http from 'node:http';
import https from 'node:https';
import { createError, abortError, isExposureError } from '../../src/core/errors.js';

export interface BoundedAnswer {
  status: number;
  body: string;
}

export interface BoundedGetOptions {
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * One GET to a third party, bounded: the answer's bytes (a longer body is an error, not a truncation), the whole
 * exchange's time, cancellable by the scan's signal. Redirects are never followed (a 3xx is returned as it is:
 * the address must go only where the user agreed to send it). https verifies the certificate (unlike the LAN
 * client in src/net/http.ts, which talks to self-signed devices). No cookies, no keep-alive, no headers beyond a
 * user agent and Accept.
 */
export function boundedGet(url: URL, options: BoundedGetOptions): Promise<BoundedAnswer> {
  const { signal, timeoutMs, maxBytes } = options;
  if (signal.aborted) return Promise.reject(abortError(signal, `GET ${url.origin}`));
  return new Promise<BoundedAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: BoundedAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      if (error) reject(error);
      else if (answer) resolve(answer);
    };
    const onAbort = (): void => finish(abortError(signal, `GET ${url.origin}`));
    const timer = setTimeout(() => finish(createError('EXP_ERR_PASSIVE_TIMEOUT', { endpoint: url.origin, ms: timeoutMs })), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const headers = { 'user-agent': 'exposure-scanner', accept: 'application/json' };
    const request = url.protocol === 'https:' ? https.request(url, { method: 'GET', headers, agent: false }) : http.request(url, { method: 'GET', headers, agent: false });
    request.on('error', (error) => {
      finish(isExposureError(error) ? error : createError('EXP_ERR_PASSIVE_UNAVAILABLE', `Cannot reach ${url.origin}: ${error.message}`, { cause: error }));
    });
    request.on('response', (response) => {
      const tooLarge = (): void => finish(createError('EXP_ERR_PASSIVE_INVALID', `${url.origin} sent more than ${maxBytes} bytes`));
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        tooLarge();
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          tooLarge();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => finish(createError('EXP_ERR_PASSIVE_UNAVAILABLE', `Reading from ${url.origin} failed: ${error.message}`, { cause: error })));
      response.on('end', () => finish(undefined, { status: response.statusCode ?? 0, body: Buffer.concat(chunks, received).toString('utf8') }));
    });
    request.end();
  });
}
