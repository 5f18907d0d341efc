import t from 'tap';
import { startFakeIgd } from '../support/fake-igd.js';
import { auth, errorCode, harness, schemaErrors, TOKEN } from '../support/api.js';
import { errorSchema } from '../../src/server/api/schemas.js';
import { TOOL_VERSION } from '../../src/version.js';

/** Every scan in this file names the loopback fake IGD and runs with wan: false: nothing leaves 127.0.0.1. */

const ROUTES = [
  ['GET', '/v1/scans'],
  ['POST', '/v1/scans'],
  ['GET', '/v1/scans/1'],
  ['GET', '/v1/scans/1/report'],
  ['GET', '/v1/exposure'],
  ['GET', '/v1/diff'],
  ['GET', '/v1/schedules'],
  ['POST', '/v1/schedules'],
  ['GET', '/v1/schedules/1'],
  ['DELETE', '/v1/schedules/1'],
  ['GET', '/v1/metrics'],
  ['GET', '/docs'],
  ['GET', '/docs/json'],
  ['GET', '/no/such/route'],
] as const;

t.test('every route but /v1/healthz needs the bearer token', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  const health = await api.app.inject({ method: 'GET', url: '/v1/healthz' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { ok: true, version: TOOL_VERSION });
  for (const [method, url] of ROUTES) {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `bearer${TOKEN}` }]) {
      const response = await api.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: {} } : {}) });
      t.equal(response.statusCode, 401, `${method} ${url} ${JSON.stringify(headers).slice(0, 30)}`);
      t.equal(errorCode(response), 'EXP_ERR_API_UNAUTHORIZED');
      t.equal(response.headers['www-authenticate'], 'Bearer');
      t.equal(schemaErrors(errorSchema, response.json()), null);
    }
  }
  // No spelling of a path borrows the open route's exemption.
  for (const url of ['/v1/healthz/../scans', '/v1//healthz', '/v1/healthz/', '/V1/healthz']) {
    const response = await api.app.inject({ method: 'GET', url });
    t.equal(response.statusCode, 401, url);
  }
});

t.test('--public-docs opens /docs, and only /docs', async (t) => {
  const api = await harness({ publicDocs: true });
  t.teardown(api.close);
  t.equal((await api.app.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
  t.equal((await api.app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
  for (const url of ['/v1/scans', '/docs/../v1/scans', '/docsx']) t.equal((await api.app.inject({ method: 'GET', url })).statusCode, 401, url);
});

t.test('malformed, unknown and mistyped input is a 400 with a code, never a stack', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url: '/v1/scans', headers: { ...auth, 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const cases: Array<[string, unknown]> = [
    ['unknown field', { wan: false, target: '8.8.8.8' }],
    ['a vantage URL is not a request field', { vantageUrl: 'https://evil.example', vantageToken: 'x' }],
    ['a token is not a request field', { vantageToken: 'x' }],
    ['no coercion of booleans', { wan: 'false' }],
    ['no coercion of numbers', { timeoutSeconds: '10' }],
    ['out of range', { timeoutSeconds: 99999 }],
    ['enum', { engine: 'masscan' }],
    ['injection in ports', { ports: '80;id' }],
    ['injection in interface', { interface: 'eth0; rm -rf /' }],
    ['bad port spec', { ports: '99999' }],
    ['array body', [{ wan: false }]],
    ['malformed JSON', '{"wan": fal'],
    ['empty JSON body', ''],
    ['prototype poisoning', '{"__proto__": {"admin": true}}'],
  ];
  for (const [name, payload] of cases) {
    const response = await post(payload);
    t.equal(response.statusCode, 400, name);
    t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', name);
    t.equal(schemaErrors(errorSchema, response.json()), null, name);
    t.notMatch(response.body, /\bat .+\.(ts|js):\d+/, `${name}: no stack`);
  }
  const noBody = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth });
  t.equal(noBody.statusCode, 400, 'no body at all');
  for (const url of ['/v1/scans/abc', '/v1/scans/0', '/v1/scans/-1', '/v1/scans/1.5', '/v1/scans?limit=0', '/v1/scans?limit=abc', '/v1/scans?status=bogus', '/v1/scans?x=1', '/v1/scans/1/report?format=pdf']) {
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    t.equal(response.statusCode, 400, url);
    t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', url);
  }
  t.same((await api.store.listScans()).items, [], 'nothing refused was recorded');
});

t.test('bodies: JSON only (415), at most 64 KiB (413)', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: { ...auth, 'content-type': type }, payload: 'wan=false' });
    t.equal(response.statusCode, 415, type);
    t.equal(errorCode(response), 'EXP_ERR_API_UNSUPPORTED_MEDIA_TYPE', type);
  }
  const large = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ ports: '1,'.repeat(40_000) }) });
  t.equal(large.statusCode, 413);
  t.equal(errorCode(large), 'EXP_ERR_API_TOO_LARGE');
  t.equal(schemaErrors(errorSchema, large.json()), null);
});

t.test('rate limit: failed authentications count, and the limit answers 429 with a code', async (t) => {
  const api = await harness({ limits: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
  t.teardown(api.close);
  for (let i = 0; i < 3; i++) t.equal((await api.app.inject({ method: 'GET', url: '/v1/scans', headers: { authorization: 'Bearer guess' } })).statusCode, 401);
  const limited = await api.app.inject({ method: 'GET', url: '/v1/scans', headers: auth });
  t.equal(limited.statusCode, 429, 'the right token after three wrong guesses is still limited');
  t.equal(errorCode(limited), 'EXP_ERR_API_RATE_LIMITED');
  t.ok(limited.headers['retry-after'], 'says when to come back');
  t.equal(schemaErrors(errorSchema, limited.json()), null);
});

t.test('scope: a scan cannot be pointed off this machine\'s networks', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  for (const gateway of ['http://8.8.8.8:5000/rootDesc.xml', 'http://router.example/rootDesc.xml', 'http://1.1.1.1/', 'http://[::1]:5000/x', 'http://0x08080808/', 'http://10.255.255.1.nip.io/']) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, wan: false } });
    t.equal(response.statusCode, 403, gateway);
    t.equal(errorCode(response), 'EXP_ERR_URL_NOT_ALLOWED', gateway);
    t.match(response.json<{ error: { message: string } }>().error.message, /LAN IP address/, 'the message says what to do');
  }
  for (const gateway of ['https://127.0.0.1/x', 'file:///etc/passwd', 'not a url']) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway, wan: false } });
    t.equal(response.statusCode, 400, gateway);
  }
  const schedule = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'far', cron: '0 * * * *', scan: { gateway: 'http://8.8.8.8/x' } } });
  t.equal(schedule.statusCode, 403, 'a schedule\'s scan is checked the same way');
  t.equal(errorCode(schedule), 'EXP_ERR_URL_NOT_ALLOWED');
  for (const nas of [['8.8.8.8'], ['127.0.0.1', '203.0.113.9']]) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { nas, wan: false } });
    t.equal(response.statusCode, 403, `nas ${nas.join(',')}`);
    t.equal(errorCode(response), 'EXP_ERR_NAS_NOT_ALLOWED');
  }
  for (const payload of [{ nas: ['nas.local'] }, { myqnapcloud: ['x'], dnsServer: '8.8.8.8' }, { myqnapcloud: ['evil.example.com'] }]) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { ...payload, wan: false } });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
  }
  const vantage = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { vantage: true } });
  t.equal(vantage.statusCode, 400, 'no agent configured on the server');
  t.same((await api.store.listScans()).items, [], 'no refused scan was recorded');
  t.same(await api.store.listSchedules(), []);
});

t.test('the vantage agent is the server\'s: used, never shown', async (t) => {
  const { buildAgent } = await import('../../src/server/agent/app.js');
  const { connectEngine } = await import('../../src/net/portscan/connect.js');
  const agentToken = 'agent-secret-'.padEnd(48, 'z');
  // A real agent on loopback: it scans its caller, 127.0.0.1.
  const agent = await buildAgent({ token: agentToken, engine: () => Promise.resolve(connectEngine) });
  await agent.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => agent.close());
  const address = agent.server.address();
  if (address === null || typeof address === 'string') throw new Error('no agent address');
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const api = await harness({ vantage: { url: `http://127.0.0.1:${address.port}`, token: agentToken } });
  t.teardown(api.close);
  const accepted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, ports: '1' } });
  t.equal(accepted.statusCode, 202, accepted.body);
  const id = accepted.json<{ id: number }>().id;
  const { settled } = await import('../support/api.js');
  const scan = await settled(api.app, id);
  t.equal(scan.status, 'done', JSON.stringify(scan.error));
  t.equal((scan.report as { wan: { vantage: string; address: string } }).wan.vantage, 'agent');
  t.equal((scan.report as { wan: { address: string } }).wan.address, '127.0.0.1');
  const bodies = await Promise.all(['/v1/scans', `/v1/scans/${id}`, `/v1/scans/${id}/report`, `/v1/scans/${id}/report?format=text`, '/v1/exposure', '/v1/metrics'].map((url) => api.app.inject({ method: 'GET', url, headers: auth })));
  for (const response of bodies) {
    t.equal(response.statusCode, 200);
    t.notMatch(response.body, agentToken, 'the agent token never leaves the server');
  }
  const noAgent = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, wan: false } });
  t.notOk(noAgent.json<{ options: { vantageUrl?: string } }>().options.vantageUrl, 'wan: false uses no agent');
  await settled(api.app, noAgent.json<{ id: number }>().id);
});

t.test('errors inside the server are a bare 500 with a code', async (t) => {
  const api = await harness();
  t.teardown(api.close);
  await api.store.close();
  const response = await api.app.inject({ method: 'GET', url: '/v1/scans', headers: auth });
  t.equal(response.statusCode, 500);
  t.equal(errorCode(response), 'EXP_ERR_API_INTERNAL');
  t.notMatch(response.body, /history\.db|\/tmp|at .*\.ts/, 'no path, no stack');
});
