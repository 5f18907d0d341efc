import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createError, type ExposureError } from '../core/errors.js';
import { parsePins } from './spki-pin.js';

// What a command line says about the agent, checked before any scan work. Kept apart from the agent client (its
// answer validator is 380 KB of generated code) so that parsing `exposure scan ...` loads only this.

/** How the agent's certificate is trusted besides this machine's CAs (`--vantage-ca`, `--vantage-pin`). */
export interface VantageTrust {
  /** A PEM file of CA certificates (or the agent's own self-signed certificate): replaces the system's CAs. */
  ca?: string;
  /** `sha256/BASE64` SPKI pins separated by ';': the agent's key must be one of them. */
  pin?: string;
}

/** The agent's scan URL; `option` names the flag the URL came from in messages (--vantage, or --vantage6). */
export function scanEndpoint(vantageUrl: string, option = '--vantage'): URL {
  let url: URL;
  try {
    url = new URL(vantageUrl);
  } catch {
    throw createError('EXP_ERR_USAGE', `${option} ${vantageUrl} is not a URL`, { hint: 'Example: --vantage https://vps.example.net:7447' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw createError('EXP_ERR_USAGE', `${option} must be an https: (or http:) URL`);
  if (url.username || url.password) throw createError('EXP_ERR_USAGE', `${option} must not carry credentials; use --vantage-token or EXPOSURE_VANTAGE_TOKEN`);
  return new URL('/v1/scan', url);
}

export function readCa(file: string, text: Buffer): Buffer {
  try {
    // Throws on a file with no PEM certificate in it (a key, a DER file, the wrong file).
    if (new X509Certificate(text).raw.length === 0) throw new Error('empty certificate');
  } catch {
    throw createError('EXP_ERR_USAGE', `--vantage-ca ${file} holds no PEM certificate`, { hint: 'Give the agent\'s certificate (the --tls-cert file) or the CA that signed it, in PEM ("-----BEGIN CERTIFICATE-----").' });
  }
  return text;
}

export function caUnreadable(file: string, error: unknown): ExposureError {
  return createError('EXP_ERR_USAGE', `Cannot read --vantage-ca ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { hint: 'Copy the agent\'s --tls-cert file (or its CA) to this machine and name it here.' });
}

/**
 * Checks `--vantage-ca` and `--vantage-pin` before any scan work (a command line is checked when it is parsed):
 * pins well formed, the CA file readable and holding a certificate, and an https: agent to apply them to.
 */
export function checkVantageTrust(vantageUrl: string | undefined, trust: VantageTrust): void {
  if (trust.ca === undefined && trust.pin === undefined) return;
  const option = trust.pin !== undefined ? '--vantage-pin' : '--vantage-ca';
  if (vantageUrl === undefined) throw createError('EXP_ERR_USAGE', `${option} goes with --vantage URL: it says how to trust that agent's certificate`);
  if (scanEndpoint(vantageUrl).protocol !== 'https:') throw createError('EXP_ERR_USAGE', `${option} needs an https: --vantage URL (the agent runs with --tls-cert and --tls-key)`);
  if (trust.pin !== undefined) parsePins(trust.pin);
  if (trust.ca !== undefined) {
    let text: Buffer;
    try {
      text = readFileSync(trust.ca);
    } catch (error) {
      throw caUnreadable(trust.ca, error);
    }
    readCa(trust.ca, text);
  }
}

