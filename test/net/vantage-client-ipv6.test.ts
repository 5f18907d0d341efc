// requestVantageScan with an IPv6 literal URL (https://[::1]:PORT), as the IPv6 view calls it: the same pinning
// as over IPv4, the agent's answer with hosts and hostsRefused passes the client's validation, and a certificate
// that does not name the address is refused before the token is sent. The agent's engine only records targets.
import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { buildAgent } from '../../src/server/agent/app.js';
import { requestVantageScan, scanEndpoint, type VantageTrust } from '../../src/net/vantage-client.js';
import { recordingEngine } from '../support/recording-engine.js';

const fixture = (name: string): URL => new URL(`../fixtures/vantage/${name}`, import.meta.url);
// The fixture names IP:127.0.0.1 only: over [::1] the pin decides, and a CA check must fail on the address.
const AGENT = { cert: await readFile(fixture('agent.crt')), key: await readFile(fixture('agent.key')) };
const AGENT_PIN = 'sha256/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=';
const OTHER_PIN = 'sha256/EgoKMWXHSObgmiK6M/orstpKIz5Dbz5X9fwGcKNBLj0=';
const TOKEN = 'v'.repeat(43);

async function agent(t: Test): Promise<{ url: string; targets: string[]; requests: () => number }> {
  const { engine, targets } = recordingEngine();
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine), https: AGENT });
  let requests = 0;
  app.addHook('onRequest', (_request, _reply, done) => {
    requests++;
    done();
  });
  await app.listen({ host: '::1', port: 0 });
  t.teardown(() => app.close());
  return { url: `https://[::1]:${(app.server.address() as AddressInfo).port}`, targets, requests: () => requests };
}

const options = (trust: VantageTrust) => ({ signal: new AbortController().signal, timeoutMs: 10_000, trust });

t.test('an IPv6 literal URL is the agent\'s address, brackets and all', async (t) => {
  t.equal(scanEndpoint('https://[2001:db8::10]:7447').href, 'https://[2001:db8::10]:7447/v1/scan');
  t.equal(scanEndpoint('https://[2001:DB8:0::10]:7447/').host, '[2001:db8::10]:7447');
});

t.test('pinned, over IPv6: the scan of the caller and its named targets comes back validated', async (t) => {
  const { url, targets } = await agent(t);
  const answer = await requestVantageScan(url, TOKEN, { ports: '22,80', ipv6Targets: ['::1', '2001:db8::1'] }, options({ pin: AGENT_PIN }));
  t.equal(answer.address, '::1');
  t.same(answer.hosts?.map((host) => host.address), ['::1']);
  t.match(answer.hostsRefused, [{ address: '2001:db8::1', reason: /documentation/ }]);
  t.same(targets, ['::1'], 'the agent scanned the caller only');
});

t.test('a wrong pin or an unverifiable certificate over IPv6: refused before the token is sent', async (t) => {
  const { url, requests } = await agent(t);
  await t.rejects(requestVantageScan(url, TOKEN, { ports: '22' }, options({ pin: OTHER_PIN })), { code: 'EXP_ERR_VANTAGE_TLS', message: /is not the pinned one/ });
  // The CA is the agent's own certificate, but it names 127.0.0.1, not ::1: the address check is done for IPv6 too.
  await t.rejects(requestVantageScan(url, TOKEN, { ports: '22' }, options({ ca: fileURLToPath(fixture('agent.crt')) })), { code: 'EXP_ERR_VANTAGE_TLS', message: /could not be verified/ });
  t.equal(requests(), 0, 'no request reached the agent');
});
