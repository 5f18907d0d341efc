import http from 'node:http';
import { createError, abortError, isExposureError } from '../core/errors.js';

/** 1 MiB: a real IGD description or SOAP answer is a few KiB; 1,000 mappings in one v2 listing are ~300 KiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_HTTP_TIMEOUT_MS = 5000;

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Hard cap on the response body; a longer answer is an error, not a truncation. */
  maxBytes?: number;
  /** Covers the whole exchange: connect, headers and body. */
  timeoutMs?: number;
  signal?: AbortSignal;
  agent?: http.Agent;
  /**
   * Allow https: URLs, reading the device's certificate without verifying it. For the fingerprint probes only:
   * a NAS on a LAN presents a self-signed certificate, and nothing secret is ever sent (no credentials, only
   * requests for public pages), so an impostor could only tell us lies, which it could do over http too.
   */
  unverifiedHttps?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A deliberately small HTTP client for talking to LAN devices, which are untrusted: plain http only, no redirects
 * followed (a 3xx is returned to the caller, who decides), every read bounded in bytes and time, cancellable.
 */
export async function httpRequest(url: URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  if (url.protocol !== 'http:' && !(url.protocol === 'https:' && options.unverifiedHttps === true)) {
    throw createError('EXP_ERR_URL_NOT_ALLOWED', `Refusing ${url.protocol} URL ${url.href}: only http: is used to talk to UPnP devices`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal, `HTTP ${url.href}`);
  // node:https (and TLS with it) loads only for the fingerprints' https: pages: about 20 ms a UPnP read need not wait.
  const secure = url.protocol === 'https:' ? await httpsRequester() : undefined;
  if (signal?.aborted) throw abortError(signal, `HTTP ${url.href}`);

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    const finish = (error: Error | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        request?.destroy();
        reject(error);
      } else if (response) {
        resolve(response);
      }
    };
    const onAbort = (): void => finish(abortError(signal, `HTTP ${url.href}`));
    const timer = setTimeout(() => {
      finish(
        createError('EXP_ERR_HTTP_TIMEOUT', `${url.host} did not answer ${url.pathname} within ${timeoutMs} ms`, {
          hint: 'The device may be slow or overloaded; raise --timeout, or check that it is reachable.',
        }),
      );
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const headers: Record<string, string> = { 'user-agent': 'exposure-scanner', ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    try {
      request = secure ? secure(url, { method: options.method ?? 'GET', headers }) : http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false });
    } catch (error) {
      // A header a device put in our hands (a SOAP action built from its description) that Node refuses: the
      // request never started, and the timer must not outlive it.
      finish(createError('EXP_ERR_HTTP_NETWORK', `Cannot ask ${url.host} for ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      return;
    }
    request.on('error', (error) => {
      finish(
        isExposureError(error)
          ? error
          : createError('EXP_ERR_HTTP_NETWORK', `Cannot reach ${url.host}: ${error.message}`, {
              cause: error,
              hint: 'Check that the device is on and that this machine is on the same network.',
            }),
      );
    });
    request.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        finish(tooLarge(url, maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          finish(tooLarge(url, maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => finish(createError('EXP_ERR_HTTP_NETWORK', `Reading from ${url.host} failed: ${error.message}`, { cause: error })));
      response.on('end', () => {
        finish(undefined, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks, received) });
      });
    });
    request.end(options.body);
  });
}

type Requester = (url: URL, options: { method: string; headers: Record<string, string> }) => http.ClientRequest;

let httpsLoaded: Promise<Requester> | undefined;

function httpsRequester(): Promise<Requester> {
  httpsLoaded ??= Promise.all([import('node:https'), import('./tls.js')]).then(([https, { LEGACY_TLS }]) => (url, requestOptions) =>
    https.request(url, { ...requestOptions, agent: false, rejectUnauthorized: false, ...LEGACY_TLS }),
  );
  return httpsLoaded;
}

function tooLarge(url: URL, maxBytes: number): Error {
  return createError('EXP_ERR_HTTP_TOO_LARGE', `${url.host} sent more than ${maxBytes} bytes for ${url.pathname}`, {
    hint: 'A UPnP device should never need this much; treat the device as suspicious.',
  });
}
