import { httpRequest, type HttpResponse } from '../net/http.js';
import { readCertificate } from '../net/tls.js';
import { isExposureError } from '../core/errors.js';
import type { FingerprintMatch, Host, HostService, QnapDevice as Device } from '../core/report.generated.js';
import { bestDevice, firmwareOf, type MatchResult } from './device.js';
import { builtinPacks, type Fingerprint, type Indicator, type LoadedPack } from './load.js';
import { cleanValue, extract, matchFingerprint, titleOf, type HttpAnswer } from './match.js';

/** A NAS page or XML answer is a few KiB; a login page with inline scripts well under 256 KiB. */
export const FINGERPRINT_MAX_BYTES = 256 * 1024;
/** Same-origin redirects followed per request (QTS sends /cgi-bin/ on to its login page). */
const MAX_REDIRECTS = 2;
const DEFAULT_MAX_PORTS = 12;
const PORTS_IN_FLIGHT = 2;

export interface FingerprintHostOptions {
  address: string;
  /** In order of interest; cut to maxPorts. */
  ports: readonly number[];
  requestTimeoutMs: number;
  /** Date.now() after which no new request starts. */
  deadline: number;
  signal: AbortSignal;
  maxPorts?: number;
  /** The vendor packs whose fingerprints and indicators run: the shipped ones unless given (--vendor-pack adds). */
  packs?: readonly LoadedPack[];
  /**
   * The ports this host may be contacted on besides `ports`, when not every port is fair game: on a shared MAP-E
   * address only the caller's port set is the caller's, so a device naming its HTTPS port (QNAP's stunnelPort, 443
   * by default) outside the set is not followed there.
   */
  mayFollow?: (port: number) => boolean;
}

export type IndicatorMatch = NonNullable<Host['indicators']>[number];

export interface HostFingerprint {
  services: HostService[];
  device: Device | null;
  /** Signs of compromise seen on the host's web ports (a ransom screen), whatever the device was recognised as. */
  indicators: IndicatorMatch[];
}

interface PortOutcome {
  service: HostService;
  results: MatchResult[];
  indicators: IndicatorMatch[];
}

type Request = NonNullable<Fingerprint['request']>;
const ROOT: Request = { method: 'GET', path: '/' };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function headerValue(headers: HttpAnswer['headers'] | HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An anti-CSRF token as devices write it: short, no separators that could smuggle a second header or cookie. */
const CSRF_TOKEN = /^[A-Za-z0-9._~+/=-]{1,200}$/;

/** The value a Set-Cookie header gives the named cookie, when it is a plausible token. */
export function csrfToken(headers: HttpResponse['headers'], name: string): string | undefined {
  const cookies = headers['set-cookie'] ?? [];
  for (const cookie of cookies.slice(0, 16)) {
    const first = cookie.split(';', 1)[0] ?? '';
    const at = first.indexOf('=');
    if (at > 0 && first.slice(0, at).trim() === name) {
      const value = first.slice(at + 1).trim();
      return CSRF_TOKEN.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** The request as it is sent before any header that waits for a status. */
function withoutHeaders(request: Request): Request {
  return {
    method: request.method,
    path: request.path,
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.contentType !== undefined ? { contentType: request.contentType } : {}),
    ...(request.csrfCookie !== undefined ? { csrfCookie: request.csrfCookie } : {}),
  };
}

/** Requests are shared by every fingerprint and pack that asks the same thing: the same method, path, body and headers. */
export function requestKey(request: Request): string {
  const headers = Object.entries(request.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => `${name}:${value}`).join('\n');
  return `${request.method} ${request.path} ${request.body ?? ''}\n${headers}\n${request.csrfCookie ?? ''}`;
}

/**
 * One request, following a redirect only when it stays on the very same origin (scheme, address and port) and
 * carries no credentials: a device must never be able to send the scanner to another host. A request that names
 * a CSRF cookie (TerraMaster TOS 5) is sent once more, to the same URL, when the first answer refuses it and sets
 * that cookie: the device's own token goes back as the header and the cookie of that name, and nothing else.
 */
async function fetchAnswer(origin: URL, request: Request, options: FingerprintHostOptions): Promise<HttpAnswer> {
  let url = new URL(request.path, origin);
  let echo: Record<string, string> = {};
  for (let hop = 0; ; hop++) {
    const timeoutMs = Math.max(100, Math.min(options.requestTimeoutMs, options.deadline - Date.now()));
    const response = await httpRequest(url, {
      method: request.method,
      headers: { accept: '*/*', ...(request.contentType ? { 'content-type': request.contentType } : {}), ...request.headers, ...echo },
      ...(request.body !== undefined ? { body: request.body } : {}),
      maxBytes: FINGERPRINT_MAX_BYTES,
      timeoutMs,
      signal: options.signal,
      unverifiedHttps: true,
    });
    const refused = response.status < 200 || response.status > 299;
    const token = request.csrfCookie !== undefined && refused && Object.keys(echo).length === 0 ? csrfToken(response.headers, request.csrfCookie) : undefined;
    if (request.csrfCookie !== undefined && token !== undefined && url.origin === origin.origin && Date.now() < options.deadline) {
      echo = { [request.csrfCookie.toLowerCase()]: token, cookie: `${request.csrfCookie}=${token}` };
      continue;
    }
    const location = headerValue(response.headers, 'location');
    if (request.method === 'GET' && REDIRECTS.has(response.status) && location !== undefined && hop < MAX_REDIRECTS && Date.now() < options.deadline) {
      let next: URL | undefined;
      try {
        next = new URL(location, url);
      } catch {
        next = undefined;
      }
      if (next && next.origin === url.origin && next.username === '' && next.password === '') {
        url = next;
        continue;
      }
    }
    const body = response.body.toString('utf8');
    return { status: response.status, headers: response.headers, body, title: titleOf(body) };
  }
}

function errorText(error: unknown): string {
  return cleanValue(isExposureError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error), 500);
}

function reportMatch(fingerprint: Fingerprint, evidence: string, version: string | null): FingerprintMatch {
  return {
    id: fingerprint.id,
    product: fingerprint.product,
    version,
    confidence: fingerprint.confidence,
    path: fingerprint.request ? `${fingerprint.request.method} ${fingerprint.request.path}` : 'tls',
    evidence,
  };
}

function runs(fingerprint: Fingerprint, matched: ReadonlySet<string>): boolean {
  // Fingerprint ids are unique across the loaded packs (checkPackSet), so one set of ids serves every pack.
  return (fingerprint.when?.matched ?? []).every((id) => matched.has(id)) && !(fingerprint.when?.notMatched ?? []).some((id) => matched.has(id));
}

/**
 * Every fingerprint against one port. The certificate is read first: a TLS handshake that completes makes the
 * port https; a refused connection means nothing listens (no service); a port that answers the handshake with
 * something else is tried as http; one that stays silent is given up.
 */
async function probePort(port: number, options: FingerprintHostOptions, packs: readonly LoadedPack[]): Promise<PortOutcome | undefined> {
  const fingerprints = packs.flatMap((pack) => pack.pack.fingerprints.map((fingerprint) => ({ pack, fingerprint })));
  const indicators = packs.flatMap((pack) => (pack.pack.indicators ?? []).map((indicator) => ({ pack, indicator })));
  const { address, signal } = options;
  const certificate = await readCertificate(address, port, { timeoutMs: Math.max(100, Math.min(options.requestTimeoutMs, 3000, options.deadline - Date.now())), signal });
  if (!certificate.ok && certificate.refused) return undefined;
  const https = certificate.ok;
  const service: HostService = { port, protocol: 'TCP', scheme: https ? 'https' : 'http', fingerprints: [] };
  const results: MatchResult[] = [];
  const found: IndicatorMatch[] = [];
  const matched = new Set<string>();
  const record = (pack: LoadedPack, fingerprint: Fingerprint, evidence: string, answer: { http?: HttpAnswer }): void => {
    const extracted = extract(fingerprint, answer);
    results.push({ pack, fingerprint, port, extracted });
    const version = firmwareOf(pack, extracted)?.firmware.full ?? extracted.fields.appVersion ?? '';
    service.fingerprints.push(reportMatch(fingerprint, evidence, cleanValue(version, 200) || null));
    matched.add(fingerprint.id);
  };

  if (certificate.ok) {
    const { certificate: cert } = certificate;
    service.tls = { subject: cert.subjectText, issuer: cert.issuerText, selfSigned: cert.selfSigned, ...(cert.validTo ? { validTo: cert.validTo } : {}) };
    for (const { pack, fingerprint } of fingerprints.filter((candidate) => candidate.fingerprint.kind === 'tls')) {
      const evidence = matchFingerprint(fingerprint, { cert });
      if (evidence !== undefined) record(pack, fingerprint, evidence, {});
    }
  } else if (certificate.timedOut) {
    service.error = cleanValue(`no answer: ${certificate.error.message}`, 500);
    return { service, results, indicators: found };
  }

  // An IPv6 address goes in brackets in a URL (a NAS reached over IPv6).
  const origin = new URL(`${https ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}/`);
  const answers = new Map<string, HttpAnswer | Error>();
  // The fingerprints first, then the indicators (most ask for the page the fingerprints already fetched: GET /).
  const asks: Array<{ pack: LoadedPack; fingerprint?: Fingerprint; indicator?: Indicator; request: Request }> = [
    ...fingerprints.flatMap(({ pack, fingerprint }) => (fingerprint.kind === 'http' && fingerprint.request ? [{ pack, fingerprint, request: fingerprint.request }] : [])),
    ...indicators.map(({ pack, indicator }) => ({ pack, indicator, request: indicator.request ?? ROOT })),
  ];
  /** One request's answer, asked once per port; 'no-service' and 'stop' say the port is done with. */
  const get = async (request: Request): Promise<HttpAnswer | Error | 'no-service' | 'stop'> => {
    const key = requestKey(request);
    const known = answers.get(key);
    if (known !== undefined) return known;
    let answer: HttpAnswer | Error;
    try {
      answer = await fetchAnswer(origin, request, options);
    } catch (error) {
      if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
      answer = error instanceof Error ? error : new Error(String(error));
    }
    answers.set(key, answer);
    if (answer instanceof Error) {
      // A port that cannot answer its first request is not a web server worth six more; one that speaks
      // something else entirely (SSH, a game server) and presented no certificate is no web service at all.
      if (answers.size === 1 && !certificate.ok && isExposureError(answer, 'EXP_ERR_HTTP_NETWORK')) return 'no-service';
      // `error` says the port did not answer as a web service (the stale-mapping rule reads it so): only the first
      // request can tell that. A later request that fails (a server that closes before reading a POST body) says
      // nothing about a port that has answered, and must not make the verdict depend on which request lost a race.
      if (answers.size === 1) {
        service.error = errorText(answer);
        return 'stop';
      }
      return answer;
    }
    if (service.server === undefined) {
      const server = headerValue(answer.headers, 'server');
      if (server !== undefined && server !== '') service.server = cleanValue(server, 200);
    }
    if (request.method === 'GET' && request.path === '/' && answer.title !== undefined) service.title = answer.title;
    return answer;
  };
  for (const ask of asks) {
    const { fingerprint, request } = ask;
    if (fingerprint && !runs(fingerprint, matched)) continue;
    if (signal.aborted || Date.now() >= options.deadline) break;
    // Headers that wait for a status (My Cloud OS 5: a browser's user agent after a 403) cost a request only where
    // the request without them got that status: the plain request is the one every pack shares.
    const waits = request.headers !== undefined && request.headersOnStatus !== undefined;
    let answer = await get(waits ? withoutHeaders(request) : request);
    const status = answer instanceof Error || typeof answer === 'string' ? undefined : answer.status;
    if (waits && request.headersOnStatus?.some((wanted) => wanted === status) === true && Date.now() < options.deadline) answer = await get(request);
    if (answer === 'no-service') return undefined;
    if (answer === 'stop') break;
    if (answer instanceof Error) continue;
    if (fingerprint) {
      const evidence = matchFingerprint(fingerprint, { http: answer });
      if (evidence !== undefined) record(ask.pack, fingerprint, evidence, { http: answer });
    } else if (ask.indicator) {
      const evidence = matchFingerprint(ask.indicator, { http: answer });
      if (evidence !== undefined) found.push({ pack: ask.pack.pack.id, id: ask.indicator.id, campaign: ask.indicator.campaign, port, path: `${request.method} ${request.path}`, evidence });
    }
  }
  return { service, results, indicators: found };
}

/** The admin HTTPS port the device itself names (QNAP: authLogin.cgi's stunnelPort), when it is a real port number. */
function namedHttpsPort(device: Device | null, packs: readonly LoadedPack[]): number | undefined {
  const flag = packs.find((pack) => pack.pack.id === device?.pack)?.pack.ports?.namedByFlag;
  const value = flag === undefined ? undefined : device?.flags?.[flag];
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Fingerprints one host on the given ports (then on the HTTPS port the device names, if new), a few ports at a
 * time, bounded by maxPorts, the deadline and the signal. Only safe, unauthenticated GET/POST requests for the
 * pages the vendor packs name (probes/vendors/*\/pack.json); never a credential, never another host.
 */
export async function fingerprintHost(options: FingerprintHostOptions): Promise<HostFingerprint> {
  const packs = options.packs ?? builtinPacks();
  const maxPorts = options.maxPorts ?? DEFAULT_MAX_PORTS;
  const queue = [...new Set(options.ports)].filter((port) => Number.isInteger(port) && port >= 1 && port <= 65535).slice(0, maxPorts);
  const probed = new Set<number>();
  const outcomes: PortOutcome[] = [];

  const drain = async (): Promise<void> => {
    const worker = async (): Promise<void> => {
      for (let port = queue.shift(); port !== undefined; port = queue.shift()) {
        if (options.signal.aborted || Date.now() >= options.deadline) return;
        probed.add(port);
        const outcome = await probePort(port, options, packs);
        if (outcome) outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: PORTS_IN_FLIGHT }, worker));
  };

  await drain();
  const extra = namedHttpsPort(bestDevice(outcomes.flatMap((outcome) => outcome.results), packs), packs);
  if (extra !== undefined && !probed.has(extra) && probed.size < maxPorts && (options.mayFollow?.(extra) ?? true)) {
    queue.push(extra);
    await drain();
  }
  outcomes.sort((a, b) => a.service.port - b.service.port);
  return {
    services: outcomes.map((outcome) => outcome.service),
    device: bestDevice(outcomes.flatMap((outcome) => outcome.results), packs),
    indicators: outcomes.flatMap((outcome) => outcome.indicators),
  };
}
