import { createHash, X509Certificate } from 'node:crypto';
import { createError } from '../core/errors.js';

/**
 * SPKI pins, as curl's --pinnedpubkey has them: the base64 of the SHA-256 of the certificate's DER
 * SubjectPublicKeyInfo. A pin names a key, not a certificate: a renewed certificate with the same key keeps its pin.
 */
export function spkiPin(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** The pin of the first certificate in a PEM file's text (the leaf, when the file holds a chain). */
export function spkiPinOfPem(pem: string | Buffer): string {
  return spkiPin(new X509Certificate(pem));
}

/** 32 bytes in base64: 43 characters and one '='. */
const PIN = /^sha256\/\/?([A-Za-z0-9+/]{43}=)$/;
const MAX_PINS = 16;

/**
 * `sha256/BASE64`, several separated by ';' (a key rollover: the old and the new key). curl's `sha256//BASE64`
 * is accepted too. Returns the pins as `sha256/BASE64`.
 */
export function parsePins(text: string): string[] {
  const parts = text.split(';').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0 || parts.length > MAX_PINS) {
    throw createError('EXP_ERR_USAGE', `--vantage-pin takes 1 to ${MAX_PINS} pins separated by ';'`, { hint: 'Copy the "--vantage-pin sha256/..." line that exposure agent prints at start.' });
  }
  return parts.map((part) => {
    const base64 = PIN.exec(part)?.[1];
    if (base64 === undefined || Buffer.from(base64, 'base64').length !== 32) {
      throw createError('EXP_ERR_USAGE', `--vantage-pin "${part.slice(0, 60)}" is not a pin: sha256/ and the base64 of 32 bytes (44 characters)`, {
        hint: 'Copy the "--vantage-pin sha256/..." line that exposure agent prints at start (the SHA-256 of its certificate\'s public key).',
      });
    }
    return `sha256/${base64}`;
  });
}
