/**
 * A loopback fake QNAP web UI (HTTP or HTTPS), answering as a configurable QTS / QuTS hero / QuTScloud build,
 * with Photo Station optionally, built from the public example responses in shared/research/qnap/
 * (fingerprints.json: the authLogin.cgi QDocRoot block of a QTS 5.1.1 answer, the login page markers Greenbone
 * and nuclei look for, Photo Station's user.php fields, the default certificate subject). Plus look-alikes: web
 * servers that share one trait with a QNAP and are not one. Every request is recorded.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';

export type CertName = 'qnap-default' | 'lookalike' | 'ca-signed';

export interface FakeQnapOptions {
  /** As authLogin.cgi writes them: version "5.1.1" / "h5.0.0" / "c5.0.0", number, build. null: no firmware block. */
  firmware?: { version: string; number?: string; build?: string; legacy?: boolean } | null;
  modelName?: string;
  internalModelName?: string;
  displayModelName?: string;
  hostname?: string;
  /** 'get' answers GET and POST; 'post' only the POST &r=0 form Greenbone sends; 'none' answers 404. */
  authLogin?: 'get' | 'post' | 'none';
  /** Where the login page lives: '/cgi-bin/' itself, behind a redirect from it, or nowhere. */
  loginPage?: 'cgi-bin' | 'redirect' | 'none';
  photoStation?: { version: string; build?: string; builtinFirmware?: string } | null;
  flags?: Record<string, string>;
  serverHeader?: string;
  tls?: CertName;
  /** Added before the real answer on every path: a hostile body (huge, or endless). */
  padBytes?: number;
  /** Delay before answering anything (slow server). */
  delayMs?: number;
  /** Answer every request with a redirect to this absolute URL. */
  redirectTo?: string;
  host?: string;
  port?: number;
}

export type LookalikeKind =
  | 'server-header-only'
  | 'qdocroot-without-structure'
  | 'title-only'
  | 'synology-photo-station'
  | 'qnap-fan-blog'
  | 'cert-lookalike'
  | 'cert-ca-signed'
  | 'markers-without-qnap';

export interface FakeQnap {
  url: string;
  host: string;
  port: number;
  requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

const cdata = (value: string): string => `<![CDATA[${value}]]>`;

export function certificate(name: CertName): { key: Buffer; cert: Buffer } {
  const base = new URL(`../fixtures/qnap/${name}`, import.meta.url);
  return { key: readFileSync(`${base.pathname}.key`), cert: readFileSync(`${base.pathname}.crt`) };
}

/** The unauthenticated authLogin.cgi answer, shaped like the QTS 5.1.1 example (QDocRoot, model, firmware, flags). */
export function authLoginXml(options: FakeQnapOptions): string {
  const firmware = options.firmware === undefined ? { version: '5.1.1', number: '2491', build: '20230815' } : options.firmware;
  const firmwareBlock = firmware === null
    ? ''
    : firmware.legacy
      ? `<firmware><version>${firmware.version}</version></firmware>`
      : `<firmware><version>${cdata(firmware.version)}</version>${firmware.number !== undefined ? `<number>${cdata(firmware.number)}</number>` : ''}${firmware.build !== undefined ? `<build>${cdata(firmware.build)}</build><patch>${cdata('0')}</patch><buildTime>${cdata(`${firmware.build.slice(0, 4)}/${firmware.build.slice(4, 6)}/${firmware.build.slice(6)}`)}</buildTime>` : ''}</firmware>`;
  const flags = { QPhotosEnabled: options.photoStation ? '1' : '0', QWebPort: '80', QWebSSLPort: '8081', forceSSL: '0', stunnelPort: '443', ...options.flags };
  return `<?xml version="1.0" encoding="UTF-8" ?>
<QDocRoot version="1.0">
<authPassed>${cdata('0')}</authPassed><authSid>${cdata('')}</authSid><isAdmin>${cdata('0')}</isAdmin>
<model><modelName>${cdata(options.modelName ?? 'TS-X53D')}</modelName><internalModelName>${cdata(options.internalModelName ?? 'TS-X53D')}</internalModelName><platform>${cdata('TS-NASX86')}</platform><customModelName>${cdata('')}</customModelName><displayModelName>${cdata(options.displayModelName ?? 'TS-453D')}</displayModelName></model>
${firmwareBlock}
<hostname>${cdata(options.hostname ?? 'NAS-Home')}</hostname>
${Object.entries(flags).map(([name, value]) => `<${name}>${cdata(value)}</${name}>`).join('')}
</QDocRoot>`;
}

export const LOGIN_PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Welcome to QNAP Turbo NAS</title>
<link rel="stylesheet" href="/cgi-bin/loginTheme/theme1/login.css?r=form&1601932357" type="text/css" media="screen"/>
<script>var QTS_REMEMBER_ME = "QTS_REMEMBER_ME"; var QTS_SSL_LOGIN = "QTS_SSL_LOGIN";</script>
</head><body><div id="loginForm"></div></body></html>`;

const PHOTO_PAGE = `<!DOCTYPE html><html><head><title>Photo Station</title><script src="/photo/lang/ENG.js"></script></head>
<body><div class="copyright">Copyright &copy; QNAP Systems, Inc. All Rights Reserved.</div></body></html>`;

function photoUserXml(photo: NonNullable<FakeQnapOptions['photoStation']>): string {
  return `<?xml version="1.0" encoding="UTF-8"?><QDocRoot version="1.0"><status>0</status><appVersion>${photo.version}</appVersion><appBuildNum>${photo.build ?? '20221110'}</appBuildNum>${photo.builtinFirmware ? `<builtinFirmwareVersion>${photo.builtinFirmware}</builtinFirmwareVersion>` : ''}</QDocRoot>`;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

type Route = (method: string, path: string, body: string) => Answer | undefined;

function qnapRoutes(options: FakeQnapOptions): Route {
  const authLogin = options.authLogin ?? 'get';
  const login = options.loginPage ?? 'cgi-bin';
  return (method, path, body): Answer | undefined => {
    const pathname = path.split('?')[0] ?? path;
    if (pathname === '/cgi-bin/authLogin.cgi') {
      if (authLogin === 'none') return undefined;
      if (authLogin === 'post' && !(method === 'POST' && body.includes('r=0'))) return { status: 200, body: '<?xml version="1.0" encoding="UTF-8" ?><QDocRoot version="1.0"><authPassed><![CDATA[0]]></authPassed></QDocRoot>' };
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: authLoginXml(options) };
    }
    if (pathname === '/cgi-bin/' && login === 'cgi-bin') return { status: 200, headers: { 'content-type': 'text/html' }, body: LOGIN_PAGE };
    if (pathname === '/cgi-bin/' && login === 'redirect') return { status: 302, headers: { location: '/cgi-bin/html/login.html' }, body: '' };
    if (pathname === '/cgi-bin/html/login.html' && login !== 'none') return { status: 200, headers: { 'content-type': 'text/html' }, body: LOGIN_PAGE };
    if (pathname === '/' ) return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><head><meta http-equiv="refresh" content="0;URL=/cgi-bin/"><title></title></head></html>' };
    if (options.photoStation && (pathname === '/photo/' || pathname === '/photo')) return { status: 200, headers: { 'content-type': 'text/html' }, body: PHOTO_PAGE };
    if (options.photoStation && pathname === '/photo/api/user.php') return { status: 200, headers: { 'content-type': 'text/xml' }, body: photoUserXml(options.photoStation) };
    return undefined;
  };
}

function lookalikeRoutes(kind: LookalikeKind): { route: Route; server?: string; tls?: CertName } {
  const page = (title: string, extra = ''): string => `<html><head><title>${title}</title></head><body>${extra}</body></html>`;
  switch (kind) {
    case 'server-header-only':
      return { server: 'http server 1.0', route: (_m, path) => (path === '/' ? { status: 200, body: page('Router login') } : undefined) };
    case 'qdocroot-without-structure':
      return { route: (_m, path) => (path.startsWith('/cgi-bin/authLogin.cgi') ? { status: 200, body: '<?xml version="1.0"?><QDocRoot version="1.0"><authPassed>0</authPassed><errorValue>-1</errorValue></QDocRoot>' } : undefined) };
    case 'title-only':
      return { route: (_m, path) => (path.startsWith('/cgi-bin/') || path === '/' ? { status: 200, body: page('Welcome to QNAP Turbo NAS', 'Totally a NAS.') } : undefined) };
    case 'synology-photo-station':
      return { server: 'nginx', route: (_m, path) => (path.startsWith('/photo') ? { status: 200, body: page('Synology Photo Station', 'Copyright Synology Inc. <appVersion>6.8.2</appVersion>') } : undefined) };
    case 'qnap-fan-blog':
      return {
        server: 'Apache',
        route: () => ({ status: 200, body: page('My QNAP NAS blog: QTS tips', 'QNAP QNAP QNAP. QTS 5.1.1.2491 build 20230815. TS-453D. QDocRoot. Photo Station. QNAP Systems, Inc. <firmware><version>5.1.1</version></firmware>') }),
      };
    case 'cert-lookalike':
      return { tls: 'lookalike', route: (_m, path) => (path === '/' ? { status: 200, body: page('Welcome') } : undefined) };
    case 'cert-ca-signed':
      return { tls: 'ca-signed', route: (_m, path) => (path === '/' ? { status: 200, body: page('Welcome') } : undefined) };
    case 'markers-without-qnap':
      return { route: (_m, path) => (path.startsWith('/cgi-bin/') ? { status: 200, body: page('Login', '<script>var QTS_REMEMBER_ME = 1;</script>') } : undefined) };
  }
}

async function serve(route: Route, options: { server?: string; tls?: CertName; padBytes?: number; delayMs?: number; redirectTo?: string; host?: string; port?: number }): Promise<FakeQnap> {
  const requests: FakeQnap['requests'] = [];
  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      const answer = (): void => {
        const headers: Record<string, string> = { connection: 'close' };
        if (options.server !== undefined) headers['server'] = options.server;
        if (options.redirectTo !== undefined) {
          response.writeHead(302, { ...headers, location: options.redirectTo }).end();
          return;
        }
        const result = route(request.method ?? 'GET', request.url ?? '/', body) ?? { status: 404, body: '<html><head><title>404 Not Found</title></head></html>' };
        const padding = options.padBytes ? ' '.repeat(options.padBytes) : '';
        response.writeHead(result.status, { ...headers, ...result.headers }).end(padding + result.body);
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  };
  const server = options.tls ? https.createServer({ ...certificate(options.tls) }, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // The TLS probe opens and closes connections without a request: that is not an error worth a log line.
  server.on('tlsClientError', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    host,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A QNAP answering as the given build. Default: QTS 5.1.1.2491 build 20230815, TS-453D, login page, no Photo Station. */
export function startFakeQnap(options: FakeQnapOptions = {}): Promise<FakeQnap> {
  return serve(qnapRoutes(options), {
    server: options.serverHeader ?? 'http server 1.0',
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.padBytes !== undefined ? { padBytes: options.padBytes } : {}),
    ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}),
    ...(options.redirectTo !== undefined ? { redirectTo: options.redirectTo } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}

/** A web server that shares one trait with a QNAP and is not one. */
export function startLookalike(kind: LookalikeKind, options: { host?: string; port?: number } = {}): Promise<FakeQnap> {
  const { route, server, tls } = lookalikeRoutes(kind);
  return serve(route, { ...(server !== undefined ? { server } : {}), ...(tls ? { tls } : {}), ...options });
}
