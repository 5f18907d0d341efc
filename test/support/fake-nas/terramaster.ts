/**
 * A loopback TerraMaster NAS (TOS 4 or TOS 5), answering the pages Greenbone's detection reads: the TOS 4 login
 * page with its `?ver=TOS3_S2.0_<version>` links, `/version`, the TOS 5 `/tos/` page and `/v2/welcome` behind its
 * CSRF-cookie handshake (test/fixtures/vendors/terramaster/ORIGIN.md). Default port on a real box: 8181.
 */
import { randomBytes } from 'node:crypto';
import { deadboltScreen } from './deadbolt.js';
import { fixture, html, pathname, serve, text, type FakeDevice, type ServeOptions } from './serve.js';

export interface FakeTerramasterOptions {
  /** tos4 (default) or tos5. */
  generation?: 'tos4' | 'tos5';
  /** TOS 4: "4.2.29" (written TOS3_S2.0_4.2.29); TOS 5: "5.0.171-00221". Default 4.2.29 / 5.0.171-00221. */
  version?: string;
  /** Default F2-210 (TOS 4) / F5-221 (TOS 5), the models Greenbone quotes. */
  model?: string;
  hostname?: string;
  /** Send `X-Powered-By: TerraMaster` and `Server: TOS` (nuclei's header matchers). Default true. */
  vendorHeaders?: boolean;
  /** TOS 5: /v2/welcome answers 403 with an X-Csrf-Token cookie until the token comes back as header and cookie. Default true. */
  csrf?: boolean;
  /** DeadBolt's ransom screen in place of the login page. */
  deadbolt?: boolean;
  btcAddress?: string;
  tls?: boolean;
  host?: string;
  port?: number;
}

function cookieValue(cookie: string | undefined, name: string): string | undefined {
  for (const part of (cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function startFakeTerramaster(options: FakeTerramasterOptions = {}): Promise<FakeDevice> {
  const generation = options.generation ?? 'tos4';
  const version = options.version ?? (generation === 'tos4' ? '4.2.29' : '5.0.171-00221');
  const model = options.model ?? (generation === 'tos4' ? 'F2-210' : 'F5-221');
  const token = randomBytes(12).toString('hex');
  const csrf = options.csrf ?? true;
  const serveOptions: ServeOptions = options.vendorHeaders === false ? {} : { headers: { 'x-powered-by': 'TerraMaster', server: 'TOS' } };
  if (options.tls) serveOptions.tls = 'generic';
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  const screen = options.deadbolt ? deadboltScreen('TerraMaster', options.btcAddress) : undefined;
  const loginPath = generation === 'tos4' ? '/tos/index.php?user/login' : '/tos/';
  return serve((_method, path, headers) => {
    const name = pathname(path);
    if (screen && (name === '/' || name.startsWith('/tos'))) return screen;
    if (name === '/') return { status: 302, headers: { location: loginPath }, body: '' };
    if (generation === 'tos4') {
      if (path === '/tos/index.php?user/login') return html(fixture('terramaster/tos4-login.html', { VERSION: version, MODEL: model }));
      if (name === '/version') return text(fixture('terramaster/version.txt', { VERSION: version }));
      return undefined;
    }
    if (name === '/tos/' || name === '/tos') return html(fixture('terramaster/tos5-index.html'));
    if (name === '/v2/welcome') {
      const sent = headers['x-csrf-token'];
      if (csrf && (sent !== token || cookieValue(headers.cookie, 'X-Csrf-Token') !== token)) {
        return { status: 403, headers: { 'set-cookie': `X-Csrf-Token=${token}; Path=/`, 'content-type': 'application/json' }, body: '{"code":403,"msg":"csrf"}' };
      }
      return text(fixture('terramaster/welcome.json', { MODEL: model, VERSION: version, HOSTNAME: options.hostname ?? 'TNAS' }), 'application/json');
    }
    return undefined;
  }, serveOptions);
}

/** Negative: a terms-of-service page titled "TOS" on a plain web server. */
export function startTermsOfServicePage(options: { host?: string; port?: number } = {}): Promise<FakeDevice> {
  return serve((_method, path) => (pathname(path) === '/' || path.startsWith('/tos') ? html(fixture('terramaster/terms-of-service.html')) : undefined), { headers: { server: 'nginx' }, ...options });
}
