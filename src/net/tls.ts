import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { abortError, createError, type ExposureError } from '../core/errors.js';
import { UNSAFE_CHARS } from '../core/unsafe-chars.js';

/**
 * Old QNAP firmware speaks TLS 1.0 with ciphers Node refuses by default. Only public pages are read and nothing
 * secret is sent, so weak crypto costs nothing here, while refusing it would hide exactly the oldest (most
 * vulnerable) devices.
 */
export const LEGACY_TLS = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const satisfies tls.ConnectionOptions;

const MAX_TEXT = 500;

let legacyContext: tls.SecureContext | undefined;

/** One context for every certificate read: building one per connection (root store included) cost ~8 ms of CPU each. */
function legacySecureContext(): tls.SecureContext {
  legacyContext ??= tls.createSecureContext(LEGACY_TLS);
  return legacyContext;
}

export interface PeerCertificate {
  /** Attribute -> first value, e.g. { CN: 'QNAP NAS', O: 'QNAP Systems, Inc.' }. */
  subject: Record<string, string>;
  issuer: Record<string, string>;
  /** As one line, e.g. "C=TW, ST=Taipei, O=QNAP Systems, Inc., OU=QTS, CN=QNAP NAS"; untrusted. */
  subjectText: string;
  issuerText: string;
  /** Issued by itself, and its signature verifies with its own key. */
  selfSigned: boolean;
  validTo: string;
}

export type CertificateResult =
  | { ok: true; certificate: PeerCertificate }
  /** refused: nothing listens (ECONNREFUSED); timedOut: no handshake in time; otherwise the port answered, not with TLS. */
  | { ok: false; refused: boolean; timedOut: boolean; error: ExposureError };


/** Node writes a distinguished name one attribute per line; values with special characters come quoted. */
function parseName(name: string): { fields: Record<string, string>; text: string } {
  const fields: Record<string, string> = {};
  const parts: string[] = [];
  for (const line of name.split('\n').slice(0, 32)) {
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals);
    const written = line.slice(equals + 1);
    // The text keeps Node's escaping (O=QNAP Systems\, Inc.); the fields hold the plain value.
    const quoted = written.startsWith('"') && written.endsWith('"') && written.length >= 2;
    const value = (quoted ? written.slice(1, -1) : written).replace(/\\(.)/g, '$1').replace(UNSAFE_CHARS, ' ').slice(0, 200);
    if (!(key in fields)) fields[key] = value;
    parts.push(`${key}=${written.replace(UNSAFE_CHARS, ' ').slice(0, 200)}`);
  }
  return { fields, text: parts.join(', ').slice(0, MAX_TEXT) };
}

function selfSigned(certificate: X509Certificate): boolean {
  try {
    return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

/**
 * Reads the certificate a TLS port presents, and nothing else: the handshake completes, the socket closes, no
 * request is sent. Bounded in time (timeoutMs for the whole exchange) and, by OpenSSL's own limit on a
 * certificate chain (100 KiB by default), in bytes. The certificate is not verified: that is what it is read for.
 */
export function readCertificate(host: string, port: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<CertificateResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal, `TLS ${host}:${port}`));
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...LEGACY_TLS, secureContext: legacySecureContext() });
    const finish = (result: CertificateResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = (): void => finish(abortError(signal, `TLS ${host}:${port}`));
    const timer = setTimeout(() => {
      finish({ ok: false, refused: false, timedOut: true, error: createError('EXP_ERR_TLS', `${host}:${port} did not complete a TLS handshake within ${options.timeoutMs} ms`) });
    }, options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('secureConnect', () => {
      const raw = socket.getPeerX509Certificate();
      if (!raw) {
        finish({ ok: false, refused: false, timedOut: false, error: createError('EXP_ERR_TLS', `${host}:${port} presented no certificate`) });
        return;
      }
      const subject = parseName(raw.subject);
      const issuer = parseName(raw.issuer);
      finish({
        ok: true,
        certificate: { subject: subject.fields, issuer: issuer.fields, subjectText: subject.text, issuerText: issuer.text, selfSigned: selfSigned(raw), validTo: raw.validTo.slice(0, 100) },
      });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, refused: error.code === 'ECONNREFUSED', timedOut: false, error: createError('EXP_ERR_TLS', `TLS with ${host}:${port} failed: ${error.message}`.slice(0, 300), { cause: error }) });
    });
    socket.on('close', () => {
      finish({ ok: false, refused: false, timedOut: false, error: createError('EXP_ERR_TLS', `${host}:${port} closed the connection during the TLS handshake`) });
    });
  });
}
