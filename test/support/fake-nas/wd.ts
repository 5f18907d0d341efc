/**
 * Loopback Western Digital boxes: a My Cloud (OS 3 / OS 5: MODEL_ID on `/`, `/xml/info.xml`) and a My Book Live
 * (`/UI/`, `/UI/login`, `/UI/settings/system`), as Greenbone's detections read them
 * (test/fixtures/vendors/wd/ORIGIN.md). The two endpoints behind the 2021 wipe answer 403 and are recorded, so a
 * test can prove the scanner never asks for them.
 */
import { fixture, html, pathname, serve, text, type Answer, type FakeDevice, type ServeOptions } from './serve.js';

/** CVE-2018-18472 (command execution) and CVE-2021-35941 (factory restore): never to be requested by a probe. */
export const DANGEROUS_WD_PATHS = ['/api/1.0/rest/language_configuration', 'system_factory_restore'] as const;

export function isDangerousWdPath(path: string): boolean {
  return DANGEROUS_WD_PATHS.some((dangerous) => path.includes(dangerous));
}

const FORBIDDEN: Answer = html('<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>', 403);

export interface FakeMyCloudOptions {
  /** MODEL_ID / hw_ver: "MyCloudEX2Ultra", "WDMyCloudMirror", "WDMyCloud", Japan's "WDCloud". Default MyCloudEX2Ultra. */
  modelId?: string;
  /** info.xml's major.minor: "2.31" (My Cloud OS 3), "5.26" (OS 5). Default 2.31. */
  version?: string;
  /** OS 5's mod_security quirk: 403 to a first GET / from a non-browser user agent. Default false. */
  blockScannerAgents?: boolean;
  tls?: boolean;
  host?: string;
  port?: number;
}

export function startFakeMyCloud(options: FakeMyCloudOptions = {}): Promise<FakeDevice> {
  const modelId = options.modelId ?? 'MyCloudEX2Ultra';
  const version = options.version ?? '2.31';
  const serveOptions: ServeOptions = { headers: { server: 'Apache' } };
  if (options.tls) serveOptions.tls = 'generic';
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  return serve((_method, path, headers) => {
    if (isDangerousWdPath(path)) return FORBIDDEN;
    const name = pathname(path);
    if (name === '/' || name === '/index.php') {
      if (options.blockScannerAgents && !/Mozilla\//.test(headers['user-agent'] ?? '')) return FORBIDDEN;
      return html(fixture('wd/mycloud-index.html', { TITLE: 'WD My Cloud', MODEL_ID: modelId }));
    }
    if (name === '/xml/info.xml') return text(fixture('wd/info.xml', { MODEL_ID: modelId, VERSION: version }), 'text/xml');
    return undefined;
  }, serveOptions);
}

export interface FakeMyBookLiveOptions {
  /** MyBookLive firmware: "01.05.07" (the last, 2015), "01.04.06", "01.02.03". Default 01.05.07. */
  version?: string;
  /** With an owner password /UI/ sends the browser to /UI/login. Default false. */
  ownerPassword?: boolean;
  hostname?: string;
  host?: string;
  port?: number;
}

export function startFakeMyBookLive(options: FakeMyBookLiveOptions = {}): Promise<FakeDevice> {
  const version = options.version ?? '01.05.07';
  const serveOptions: ServeOptions = { headers: { server: 'Apache/2.2.14 (Unix)' } };
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  return serve((_method, path) => {
    if (isDangerousWdPath(path)) return FORBIDDEN;
    const name = pathname(path);
    if (name === '/') return { status: 302, headers: { location: '/UI/' }, body: '' };
    if (name === '/UI/' || name === '/UI') {
      return options.ownerPassword ? { status: 302, headers: { location: '/UI/login' }, body: '' } : html(fixture('wd/mybooklive-ui.html'));
    }
    if (name === '/UI/login') return html(fixture('wd/mybooklive-login.html'));
    if (name === '/UI/settings/system') return html(fixture('wd/mybooklive-system.html', { VERSION: version, HOSTNAME: options.hostname ?? 'MyBookLive' }));
    return undefined;
  }, serveOptions);
}

/** Negative: a My Cloud Home page (cloud-managed, firmware 9.x): not My Cloud OS. */
export function startMyCloudHomePage(options: { host?: string; port?: number } = {}): Promise<FakeDevice> {
  return serve((_method, path) => (pathname(path) === '/' ? html(fixture('wd/mycloud-home.html')) : undefined), options);
}
