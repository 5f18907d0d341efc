/**
 * A loopback ASUSTOR NAS (ADM): /portal/ with the model and the `_dcTag` version, as Greenbone's detection reads
 * them (test/fixtures/vendors/asustor/ORIGIN.md). Default ports on a real box: 8000 (HTTP), 8001 (HTTPS).
 */
import { deadboltScreen } from './deadbolt.js';
import { fixture, html, pathname, serve, type FakeDevice, type ServeOptions } from './serve.js';

export interface FakeAsustorOptions {
  /** ADM version as _dcTag writes it: "4.0.4.RQO2", "3.5.9.RUE3". Default 4.0.4.RQO2. */
  version?: string;
  /** nasModel. Default AS5304T (one of the models reported hit by DeadBolt). */
  model?: string;
  hostname?: string;
  /** Print `var _dcTag` (whether ADM 4.x/5.x still do is unconfirmed). Default true. */
  dcTag?: boolean;
  /** DeadBolt's ransom screen in place of the login page. */
  deadbolt?: boolean;
  btcAddress?: string;
  tls?: boolean;
  host?: string;
  port?: number;
}

export function startFakeAsustor(options: FakeAsustorOptions = {}): Promise<FakeDevice> {
  const version = options.version ?? '4.0.4.RQO2';
  const model = options.model ?? 'AS5304T';
  let page = fixture('asustor/adm-portal.html', { VERSION: version, MODEL: model, HOSTNAME: options.hostname ?? 'AS5304T-NAS', FW_TYPE: '' });
  if (options.dcTag === false) page = page.replace(/var _dcTag = '[^']*',\n\s*/, 'var ');
  const serveOptions: ServeOptions = {};
  if (options.tls) serveOptions.tls = 'generic';
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  const screen = options.deadbolt ? deadboltScreen('ASUSTOR', options.btcAddress) : undefined;
  return serve((_method, path) => {
    const name = pathname(path);
    if (screen && (name === '/' || name.startsWith('/portal'))) return screen;
    if (name === '/') return { status: 302, headers: { location: '/portal/' }, body: '' };
    if (name === '/portal/' || name === '/portal') return html(page);
    return undefined;
  }, serveOptions);
}
