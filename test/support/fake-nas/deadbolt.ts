/**
 * DeadBolt's ransom screen (2022), which replaced the login page of QNAP, ASUSTOR and TerraMaster boxes, rebuilt
 * from public descriptions (test/fixtures/vendors/deadbolt/ORIGIN.md), and a QNAP showing it. The ASUSTOR and
 * TerraMaster fakes show it through their own `deadbolt` option.
 */
import { authLoginXml } from '../fake-qnap.js';
import { fixture, html, pathname, serve, type Answer, type FakeDevice, type ServeOptions } from './serve.js';

export type DeadboltVendor = 'QNAP' | 'ASUSTOR' | 'TerraMaster';

/** BIP-173's mainnet example address: a valid bech32 address that is nobody's wallet. */
export const EXAMPLE_BTC_ADDRESS = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

export function deadboltScreen(vendor: DeadboltVendor, btcAddress = EXAMPLE_BTC_ADDRESS): Answer {
  return html(fixture('deadbolt/ransom-screen.html', { VENDOR: vendor, BTC_ADDRESS: btcAddress }));
}

export interface FakeDeadboltQnapOptions {
  btcAddress?: string;
  /**
   * DeadBolt replaced the web root's index.html (/home/httpd/index.html); whether authLogin.cgi kept answering
   * is not recorded anywhere. true (default): it still does, so the box is also recognised as a QNAP.
   */
  authLoginStillAnswers?: boolean;
  host?: string;
  port?: number;
}

/** A QNAP whose web pages show DeadBolt's screen instead of the QTS login. */
export function startDeadboltQnap(options: FakeDeadboltQnapOptions = {}): Promise<FakeDevice> {
  const screen = deadboltScreen('QNAP', options.btcAddress);
  const stillAnswers = options.authLoginStillAnswers ?? true;
  const serveOptions: ServeOptions = { headers: { server: 'http server 1.0' } };
  if (options.host !== undefined) serveOptions.host = options.host;
  if (options.port !== undefined) serveOptions.port = options.port;
  return serve((_method, path) => {
    const name = pathname(path);
    if (name === '/cgi-bin/authLogin.cgi') {
      return stillAnswers ? { status: 200, headers: { 'content-type': 'text/xml' }, body: authLoginXml({}) } : undefined;
    }
    if (name === '/' || name === '/index.html' || name.startsWith('/cgi-bin/')) return screen;
    return undefined;
  }, serveOptions);
}
