/**
 * Web servers that are not a NAS of any pack, or that share a word or a marker with one: routers' own admin pages,
 * a bare embedded server, stock nginx and Apache pages, and pages that talk about a vendor or about DeadBolt.
 * None may match a vendor pack or an indicator. Origins: test/fixtures/vendors/negatives/ORIGIN.md and the ORIGIN
 * notes of each vendor folder.
 */
import { readFileSync } from 'node:fs';
import { fixture, html, pathname, serve, text, type Answer, type FakeDevice, type Route } from './serve.js';

export const NEGATIVE_KINDS = [
  'asus-router',
  'fritzbox',
  'netgear-router',
  'dlink-router',
  'generic-http-server',
  'nginx-default',
  'apache-default',
  'synology-router',
  'synology-forum',
  'asustor-marketing',
  'terms-of-service',
  'mycloud-home',
  'deadbolt-news',
  'door-lock-shop',
] as const;

export type NegativeKind = (typeof NEGATIVE_KINDS)[number];

const FRITZ_TR64 = new URL('../../fixtures/real-routers/fritzbox-7590-tr64desc.xml', import.meta.url);

const unauthorized = (realm: string): Answer => ({
  status: 401,
  headers: { 'www-authenticate': `Basic realm="${realm}"`, 'content-type': 'text/html' },
  body: '<html><head><title>401 Unauthorized</title></head><body>401 Unauthorized</body></html>',
});

/** Every path answers the same page. */
const everywhere = (answer: Answer): Route => () => answer;

function negative(kind: NegativeKind): { route: Route; server?: string } {
  switch (kind) {
    case 'asus-router':
      return {
        server: 'httpd/2.0',
        route: (_m, path) => {
          const name = pathname(path);
          if (name === '/') return { status: 302, headers: { location: '/Main_Login.asp' }, body: '' };
          return name === '/Main_Login.asp' ? html(fixture('negatives/asus-router-login.html')) : undefined;
        },
      };
    case 'fritzbox':
      return {
        route: (_m, path) => {
          const name = pathname(path);
          if (name === '/tr64desc.xml') return text(readFileSync(FRITZ_TR64, 'utf8'), 'text/xml');
          return name === '/' ? html(fixture('negatives/fritzbox-login.html')) : undefined;
        },
      };
    case 'netgear-router':
      return { server: 'uhttpd/1.0.0', route: everywhere(unauthorized('NETGEAR R7000')) };
    case 'dlink-router':
      return { server: 'httpd', route: everywhere(unauthorized('DLINK')) };
    case 'generic-http-server':
      return { server: 'http server 1.0', route: (_m, path) => (pathname(path) === '/' ? html(fixture('negatives/generic-http-server.html')) : undefined) };
    case 'nginx-default':
      return { server: 'nginx/1.22.1', route: (_m, path) => (pathname(path) === '/' ? html(fixture('negatives/nginx-default.html')) : undefined) };
    case 'apache-default':
      return { server: 'Apache/2.4.71 (Debian)', route: (_m, path) => (pathname(path) === '/' ? html(fixture('negatives/apache-debian-default.html')) : undefined) };
    case 'synology-router':
      return {
        server: 'nginx',
        route: (_m, path) => {
          const name = pathname(path);
          if (name === '/' || name === '/index.cgi' || name === '/webman/index.cgi') return html(fixture('synology/srm-login.html'));
          return name === '/synohdpack/synohdpack.version' ? text(fixture('synology/srm-synohdpack.version')) : undefined;
        },
      };
    case 'synology-forum':
      return { server: 'nginx', route: everywhere(html(fixture('synology/forum-page.html'))) };
    case 'asustor-marketing':
      return { server: 'nginx', route: everywhere(html(fixture('asustor/asustor-com.html'))) };
    case 'terms-of-service':
      return { server: 'nginx', route: everywhere(html(fixture('terramaster/terms-of-service.html'))) };
    case 'mycloud-home':
      return { server: 'nginx', route: everywhere(html(fixture('wd/mycloud-home.html'))) };
    case 'deadbolt-news':
      return { server: 'cloudflare', route: everywhere(html(fixture('deadbolt/news-article.html'))) };
    case 'door-lock-shop':
      return { server: 'Apache', route: everywhere(html(fixture('deadbolt/door-lock-shop.html'))) };
  }
}

/** A look-alike on 127.0.0.1 (HTTP). */
export function startNegative(kind: NegativeKind, options: { host?: string; port?: number } = {}): Promise<FakeDevice> {
  const { route, server } = negative(kind);
  return serve(route, { ...(server !== undefined ? { headers: { server } } : {}), ...options });
}
