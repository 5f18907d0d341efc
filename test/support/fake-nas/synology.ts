/**
 * A loopback Synology DiskStation (DSM): the login page recorded from a real DSM 6.2 box, the version file DSM 6+
 * serves without login, and the DSM 4.3/5 page whose session JSON carries the build. Origins:
 * test/fixtures/vendors/synology/ORIGIN.md. Default ports on a real box: 5000 (HTTP), 5001 (HTTPS).
 */
import { fixture, html, pathname, serve, text, type FakeDevice, type ServeOptions } from './serve.js';

export interface FakeSynologyOptions {
  /** productversion: "7.1.1", "6.2.4", "7.2". Default 7.1.1. */
  version?: string;
  /** buildnumber. Default 42962 (the 7.1.1 example Greenbone quotes). */
  build?: string;
  /** smallfixnumber, the "Update N" level. Default 0. */
  smallfix?: string;
  hostname?: string;
  /** dsm6: the DSM 6/7 page (also served for DSM 7, see ORIGIN.md); dsm43: the DSM 4.3/5 page with "fullversion". */
  layout?: 'dsm6' | 'dsm43';
  /** Serve /synohdpack/synohdpack.version (DSM >= 6). Default: true for dsm6, false for dsm43. */
  versionFile?: boolean;
  /** DSM 4.x/5.x only: /webman/synodefs.cgi names the model ("upnpmodelname"). */
  model?: string;
  tls?: boolean;
  host?: string;
  port?: number;
}

function versionFile(version: string, build: string, smallfix: string): string {
  const [major = '0', minor = '0', micro = '0'] = version.split('.');
  return fixture('synology/synohdpack.version', { MAJOR: major, MINOR: minor, MICRO: micro, PRODUCT_VERSION: version, BUILD: build, SMALLFIX: smallfix });
}

/** Where DSM's own script lives: moved into dist/ with 7.2 (Greenbone OID 1.3.6.1.4.1.25623.1.0.103786, 2024). */
function sdsScript(version: string): string {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 2) ? 'synoSDSjslib/dist/sds.bundle.js?v=1700000000' : 'synoSDSjslib/sds.js?v=1614856414';
}

/** A DSM box. Default: DSM 7.1.1-42962 (Update 0), host name DiskStation, version file readable. */
export function startFakeSynology(options: FakeSynologyOptions = {}): Promise<FakeDevice> {
  const version = options.version ?? '7.1.1';
  const build = options.build ?? '42962';
  const smallfix = options.smallfix ?? '0';
  const hostname = options.hostname ?? 'DiskStation';
  const layout = options.layout ?? 'dsm6';
  const withVersionFile = options.versionFile ?? layout === 'dsm6';
  const page = layout === 'dsm6'
    ? fixture('synology/dsm6-login.html', { HOSTNAME: hostname, SDS_SCRIPT: sdsScript(version) })
    : fixture('synology/dsm43-login.html', { HOSTNAME: hostname, BUILD: build, SMALLFIX: smallfix });
  // DSM's web server is nginx from DSM 6 on (assumption; no recorded header in the sources).
  const serveOptions: ServeOptions = { headers: { server: 'nginx' } };
  if (options.tls) serveOptions.tls = 'synology-default';
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  return serve((_method, path) => {
    const name = pathname(path);
    if (name === '/' || name === '/index.cgi' || name === '/webman/index.cgi') return html(page);
    if (name === '/synohdpack/synohdpack.version' && withVersionFile) return text(versionFile(version, build, smallfix));
    if (name === '/webman/synodefs.cgi' && layout === 'dsm43' && options.model !== undefined) {
      return text(`SYNO.SDS.Session.Defs = {"upnpmodelname":"${options.model}","unique":"synology_x86_3615xs"};`, 'application/javascript');
    }
    return undefined;
  }, serveOptions);
}

/** Negative: Synology Router Manager, a router from the same vendor with the same web framework. */
export function startFakeSynologyRouter(options: { host?: string; port?: number } = {}): Promise<FakeDevice> {
  return serve((_method, path) => {
    const name = pathname(path);
    if (name === '/' || name === '/index.cgi' || name === '/webman/index.cgi') return html(fixture('synology/srm-login.html'));
    if (name === '/synohdpack/synohdpack.version') return text(fixture('synology/srm-synohdpack.version'));
    return undefined;
  }, { headers: { server: 'nginx' }, ...options });
}
