/**
 * Hostile input to the REST API (issue 13 item 2): input cannot buy CPU, malformed numbers are a 400 with a code
 * and never a 500, and no secret (a webhook's path or query, the API token, the vantage token) comes back out of
 * any route, error message, log line, metric or stored row. Everything runs on 127.0.0.1: the scans of this file
 * never start (a fake runner holds them) or go to loopback fakes.
 */
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { auth, errorCode, harness, schemaErrors, settled, TOKEN, type Harness } from '../support/api.js';
import { errorSchema, scheduleSchema } from '../../src/server/api/schemas.js';
import { DEFAULT_API_LIMITS } from '../../src/server/api/app.js';
import type { RunScan } from '../../src/scan/service.js';
import { MAX_SPEC_ITEMS, MAX_SPEC_LENGTH } from '../../src/net/portscan/port-spec.js';
import { UNSAFE_CHARS } from '../../src/core/unsafe-chars.js';
import { startFakeIgd } from '../support/fake-igd.js';

/** Holds every scan until the server closes: requests are parsed, checked and queued, and nothing is scanned. */
const holdScans: RunScan = (_options, signal) =>
  new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

/** The largest port list the limits accept, each item the costliest kind: 1,024 items of "all" in 4,095 characters. */
const LARGEST_PORTS = Array.from({ length: MAX_SPEC_ITEMS }, () => 'all').join(',');

/** A log that keeps every line, to look for secrets in. */
function capturedLog(): { lines: string[]; logger: { level: string; stream: Writable } } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: { level: 'trace', stream } };
}

/** The history database as bytes (with its write-ahead log): what a stolen file would give away. */
async function databaseBytes(api: Harness): Promise<string> {
  const parts = await Promise.all(['history.db', 'history.db-wal'].map((name) => readFile(path.join(api.dir, name)).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts).toString('latin1');
}

t.test('/v1/healthz answers within 100 ms while the API parses the largest requests its limits accept', async (t) => {
  t.equal(LARGEST_PORTS.length, 4095);
  t.ok(LARGEST_PORTS.length <= MAX_SPEC_LENGTH);
  const api = await harness({ run: holdScans, limits: { rateLimitMax: 10_000 } });
  t.teardown(api.close);
  // Says when a large request has been read and is about to be handled (its port list parsed): the health check
  // is sent from then on, so it cannot slip in ahead of the work it is measured against.
  let handling: () => void = () => undefined;
  api.app.addHook('preHandler', async (request) => {
    if (request.method === 'POST') handling();
  });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  // Bodies as large as the body limit allows (JSON whitespace is legal padding), fields at their own limits.
  const padded = (body: object): string => {
    const json = JSON.stringify(body);
    return json + ' '.repeat(DEFAULT_API_LIMITS.bodyLimit - 1 - Buffer.byteLength(json));
  };
  const scanBody = padded({ wan: false, ports: LARGEST_PORTS, timeoutSeconds: 3600, maxMappings: 131072 });
  const webhooks = Array.from({ length: 10 }, (_, index) => `http://127.0.0.1:9/${index}/`.padEnd(2048, 'x'));
  const scheduleBody = (name: string): string => padded({ name, cron: '0 3 * * *', enabled: false, webhooks, scan: { wan: false, ports: LARGEST_PORTS } });
  // Raw requests, written whole: the client's own work in this process stays out of the measurement.
  const port = (api.app.server.address() as AddressInfo).port;
  const send = (head: string, body = ''): Promise<{ status: number; ms: number }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let answer = '';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n${body ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nauthorization: ${auth.authorization}\r\n` : ''}\r\n${body}`);
      });
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(answer.slice(9, 12)), ms: performance.now() - started }));
    });
  // One of each first, as a server that has been running has compiled its validators already.
  t.equal((await send('POST /v1/scans HTTP/1.1', scanBody)).status, 202);
  t.equal((await send('POST /v1/schedules HTTP/1.1', scheduleBody('warm'))).status, 201);
  const latencies: number[] = [];
  // CPU time of this process while the health check waits, not wall time: tap runs test files side by side on two
  // cores, and waiting for a core says nothing about the API blocking its own loop.
  const cpu: number[] = [];
  const statuses = new Map<number, number>();
  for (let wave = 0; wave < 5; wave++) {
    // While the server reads and checks the largest scan and schedule requests, a health check comes in.
    const inside = new Promise<void>((resolve) => {
      handling = resolve;
    });
    const heavy = [send('POST /v1/scans HTTP/1.1', scanBody), send('POST /v1/schedules HTTP/1.1', scheduleBody(`load ${wave}`))];
    await inside;
    const before = process.cpuUsage();
    const health = await send('GET /v1/healthz HTTP/1.1');
    const used = process.cpuUsage(before);
    latencies.push(health.ms);
    cpu.push((used.user + used.system) / 1000);
    t.equal(health.status, 200);
    for (const { status } of await Promise.all(heavy)) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  t.comment(`healthz latencies: ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms wall, ${cpu.map((ms) => ms.toFixed(1)).join(', ')} ms CPU; answers ${JSON.stringify([...statuses])}`);
  t.ok(Math.max(...cpu) < 100, `healthz within 100 ms of CPU (${Math.max(...cpu).toFixed(1)} ms)`);
  // The heavy requests were accepted (parsed in full), not refused early: 202 queued, 503 queue full, 201 created.
  t.equal([...statuses.keys()].filter((status) => ![201, 202, 503].includes(status)).length, 0);
  t.equal(statuses.get(201), 5, 'every schedule was created');
  const scan = (await api.app.inject({ method: 'GET', url: '/v1/scans?limit=1', headers: auth })).json<{ items: Array<{ options: { ports: string } }> }>();
  t.equal(scan.items[0]?.options.ports, LARGEST_PORTS, 'the largest spec was accepted as it is');
});

t.test('a port list over a limit is refused before it is expanded, with a code', async (t) => {
  const api = await harness({ run: holdScans });
  t.teardown(api.close);
  for (const [name, ports] of [
    ['too many items', '1,'.repeat(MAX_SPEC_ITEMS) + '1'],
    ['too long', 'all,'.repeat(1100)],
    ['bad item after many sets', `${'all,'.repeat(1000)}x`],
  ] as const) {
    const started = process.cpuUsage();
    const response = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { wan: false, ports } });
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    t.equal(response.statusCode, 400, name);
    t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', name);
    t.ok(ms < 200, `${name}: answered in ${ms.toFixed(1)} ms of CPU`);
  }
  t.same((await api.store.listScans()).items, []);
});

/** Every spelling of a number that is not a plain decimal integer, and numbers out of any range. */
const BAD_URL_INTEGERS = ['1.5', '1e3', '-1', '0x10', '1.0', '+1', '%201', '1%20', '01', '1_000', '%D9%A1', '99999999999999999999', '9007199254740993', 'NaN', 'Infinity', '-0', '1,2', '%00'];

t.test('malformed numbers in paths and query strings are a 400 with a code, never a 404 or a 500', async (t) => {
  const api = await harness({ run: holdScans });
  t.teardown(api.close);
  // A scan and a schedule exist, so that a lenient reading (1e3 as 1000, 01 as 1) would find something.
  const created = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { wan: false } });
  t.equal(created.statusCode, 202);
  t.equal((await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'one', cron: '0 3 * * *', enabled: false } })).statusCode, 201);
  const urls: Array<[string, string]> = [];
  for (const value of BAD_URL_INTEGERS) {
    urls.push(
      ['GET', `/v1/scans/${value}`],
      ['GET', `/v1/scans/${value}/report`],
      ['GET', `/v1/schedules/${value}`],
      ['DELETE', `/v1/schedules/${value}`],
      ['GET', `/v1/scans?limit=${value}`],
      ['GET', `/v1/alerts?limit=${value}`],
      ['GET', `/v1/diff?from=${value}`],
      ['GET', `/v1/diff?from=1&to=${value}`],
    );
  }
  urls.push(['GET', '/v1/scans?limit=5&limit=6'], ['GET', '/v1/scans?limit='], ['GET', '/v1/diff?from=1&from=2&to=1'], ['GET', '/v1/alerts?limit[]=5']);
  for (const [method, url] of urls) {
    const response = await api.app.inject({ method: method as 'GET', url, headers: auth });
    t.equal(response.statusCode, 400, `${method} ${url}`);
    t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', `${method} ${url}`);
    t.equal(schemaErrors(errorSchema, response.json()), null);
  }
  // Plain decimal integers still work.
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/scans/1', headers: auth })).statusCode, 200);
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/scans?limit=1', headers: auth })).statusCode, 200);
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/scans/424242', headers: auth })).statusCode, 404, 'a well-formed unknown id is a 404');
  t.equal((await api.app.inject({ method: 'GET', url: '/v1/schedules/1', headers: auth })).statusCode, 200);
  t.equal((await api.store.listSchedules()).length, 1, 'no DELETE went through');
  // Cursors are text: anything that is not one the history gave out is a 400 too.
  for (const cursor of ['x', 'c2Nhbjox' + 'A'.repeat(80), Buffer.from('scan:1e3').toString('base64url'), Buffer.from('scan:-1').toString('base64url'), Buffer.from('scan:99999999999999999999').toString('base64url'), '%00']) {
    const response = await api.app.inject({ method: 'GET', url: `/v1/scans?cursor=${cursor}`, headers: auth });
    t.equal(response.statusCode, 400, `cursor ${cursor.slice(0, 20)}`);
  }
});

t.test('malformed numbers in bodies are a 400 with a code: fractions where whole numbers are meant, out of range, not numbers', async (t) => {
  const api = await harness({ run: holdScans });
  t.teardown(api.close);
  const fields = ['timeoutSeconds', 'discoveryWindowMs', 'requestTimeoutMs', 'maxMappings', 'maxInFlight'];
  // Raw JSON: 1e400 is Infinity once parsed, -0 is a number below every minimum.
  const values = ['1.5', '100.25', '0', '-0', '-1', '1e21', '1e400', '-1e400', '9007199254740993', '"10"', 'null', 'true', '[]', '{}', '[10]'];
  for (const field of fields) {
    for (const value of values) {
      for (const [url, wrap] of [
        ['/v1/scans', (scan: string) => `{"wan": false, ${scan}}`],
        ['/v1/schedules', (scan: string) => `{"name": "n", "cron": "0 3 * * *", "scan": {"wan": false, ${scan}}}`],
      ] as const) {
        const response = await api.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: wrap(`"${field}": ${value}`) });
        t.equal(response.statusCode, 400, `${url} ${field}: ${value}`);
        t.equal(errorCode(response), 'EXP_ERR_API_BAD_REQUEST', `${url} ${field}: ${value}`);
      }
    }
  }
  t.same((await api.store.listScans()).items, [], 'nothing refused was recorded');
  t.same(await api.store.listSchedules(), []);
  const whole = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { wan: false, timeoutSeconds: 90 } });
  t.equal(whole.statusCode, 202, 'whole seconds are fine');
});

t.test('webhooks are returned by origin only: in answers, in errors and in log lines', async (t) => {
  const log = capturedLog();
  const secretHook = 'https://hooks.example.com/services/T0SECRETPATH/B0?token=QUERYSECRET#FRAGSECRET';
  const api = await harness({ run: holdScans, logger: log.logger, scheduleDefaults: { webhooks: ['http://127.0.0.1:9/DEFAULTSECRET'] } });
  t.teardown(api.close);
  const secrets = /SECRETPATH|QUERYSECRET|FRAGSECRET|DEFAULTSECRET|USERSECRET|PASSSECRET|NOSCHEMESECRET|FTPSECRET/;
  const answers: string[] = [];
  const created = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'hooked', cron: '0 3 * * *', enabled: false, webhooks: [secretHook, 'http://127.0.0.1:8123/api/webhook/x'] } });
  t.equal(created.statusCode, 201, created.body);
  answers.push(created.body);
  const schedule = created.json<{ id: number; webhookOrigins: string[] }>();
  t.same(schedule.webhookOrigins, ['https://hooks.example.com', 'http://127.0.0.1:8123']);
  t.equal(schemaErrors(scheduleSchema, schedule), null);
  const defaulted = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'defaulted', cron: '0 3 * * *', enabled: false } });
  t.same(defaulted.json<{ webhookOrigins: string[] }>().webhookOrigins, ['http://127.0.0.1:9'], 'the server\'s default webhook too');
  answers.push(defaulted.body);
  for (const url of ['/v1/schedules', `/v1/schedules/${schedule.id}`, '/v1/alerts', '/v1/metrics', '/v1/scans', '/docs/json']) {
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    t.equal(response.statusCode, 200, url);
    answers.push(response.body);
  }
  t.same((await api.store.getSchedule(schedule.id))?.webhooks, [secretHook, 'http://127.0.0.1:8123/api/webhook/x'], 'stored whole: alerts still reach it');
  // Refused webhooks are named by their place in the list, never quoted.
  for (const [name, webhook, message] of [
    ['no scheme', 'hooks.example.com/services/NOSCHEMESECRET', /webhooks\[1\] is not a URL/],
    ['not http', 'ftp://files.example.com/FTPSECRET', /webhooks\[1\] is not http or https/],
    ['credentials', 'https://USERSECRET:PASSSECRET@hooks.example.com/x', /webhooks\[1\] \(https:\/\/hooks\.example\.com\) must not contain a user name or password/],
  ] as const) {
    const response = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: `bad ${name}`, cron: '0 3 * * *', webhooks: ['http://127.0.0.1:9/ok', webhook] } });
    t.equal(response.statusCode, 400, name);
    t.equal(errorCode(response), 'EXP_ERR_SCHEDULE_INVALID', name);
    t.match(response.json<{ error: { message: string } }>().error.message, message, name);
    answers.push(response.body);
  }
  t.equal((await api.store.listSchedules()).length, 2, 'nothing refused was stored');
  for (const answer of answers) t.notMatch(answer, secrets, 'no webhook path, query, fragment or credentials in an answer');
  t.ok(log.lines.length > 0, 'the server logged');
  for (const line of log.lines) t.notMatch(line, secrets, 'nor in a log line');
});

t.test('tokens never come back out: not the API token, not the vantage token, not in the history file', async (t) => {
  const vantageToken = 'VANTAGE-SECRET-'.padEnd(48, 'v');
  let agentSawToken = false;
  // A loopback agent that refuses every scan (401): the scan stops, nothing is scanned.
  const agent = createServer((request: IncomingMessage, response) => {
    agentSawToken ||= request.headers.authorization === `Bearer ${vantageToken}`;
    request.resume();
    response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'EXP_ERR_AGENT_UNAUTHORIZED', message: 'A valid bearer token is required' } }));
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => agent.close(() => resolve())));
  const igd = await startFakeIgd();
  t.teardown(igd.close);
  const log = capturedLog();
  const api = await harness({ logger: log.logger, vantage: { url: `http://127.0.0.1:${(agent.address() as AddressInfo).port}`, token: vantageToken } });
  t.teardown(api.close);
  const answers: string[] = [];
  const accepted = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { gateway: igd.url, ports: '1', vantage: true } });
  t.equal(accepted.statusCode, 202, accepted.body);
  answers.push(accepted.body);
  const id = accepted.json<{ id: number }>().id;
  const scan = await settled(api.app, id);
  t.ok(agentSawToken, 'the agent was asked with the token');
  t.equal(scan.status, 'failed', 'the refused scan failed');
  const schedule = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'with agent', cron: '0 3 * * *', enabled: false, scan: { vantage: true, gateway: igd.url } } });
  t.equal(schedule.statusCode, 201, schedule.body);
  answers.push(schedule.body);
  t.notOk(JSON.stringify(await api.store.listSchedules()).includes('VANTAGE-SECRET'), 'the stored schedule has no token');
  for (const url of ['/v1/scans', `/v1/scans/${id}`, `/v1/scans/${id}/report`, '/v1/schedules', '/v1/exposure', '/v1/metrics', '/v1/alerts', '/v1/diff', '/docs/json', '/v1/healthz', '/v1/nothing']) {
    const response = await api.app.inject({ method: 'GET', url, headers: auth });
    answers.push(response.body);
  }
  // A wrong token is not repeated back; neither is the right one.
  for (const authorization of [`Bearer ${TOKEN}WRONG-GUESS-SECRET`, `Bearer ${vantageToken}`]) {
    const response = await api.app.inject({ method: 'GET', url: '/v1/scans', headers: { authorization } });
    t.equal(response.statusCode, 401);
    answers.push(response.body);
  }
  const bytes = await databaseBytes(api);
  t.ok(bytes.length > 0, 'the history file was read');
  t.notOk(bytes.includes('VANTAGE-SECRET'), 'no vantage token anywhere in the history file');
  t.notOk(bytes.includes(TOKEN), 'no API token in the history file');
  // An internal error last (the store is closed under the server): a bare 500 and a logged error, neither with a token.
  await api.store.close();
  const failed = await api.app.inject({ method: 'GET', url: '/v1/scans', headers: auth });
  t.equal(failed.statusCode, 500);
  answers.push(failed.body);
  t.ok(log.lines.some((line) => line.includes('"level":50')), 'the 500 was logged');
  for (const answer of answers) {
    t.notOk(answer.includes(TOKEN), 'no API token in an answer');
    t.notOk(answer.includes('VANTAGE-SECRET'), 'no vantage token in an answer');
    t.notOk(answer.includes('WRONG-GUESS-SECRET'), 'a guess is not echoed');
  }
  for (const line of log.lines) {
    t.notOk(line.includes(TOKEN), 'no API token in a log line');
    t.notOk(line.includes('VANTAGE-SECRET'), 'no vantage token in a log line');
  }
});

t.test('error messages that quote input are escaped and capped', async (t) => {
  const log = capturedLog();
  const api = await harness({ run: holdScans, logger: log.logger });
  t.teardown(api.close);
  const cases: Array<[string, string, object]> = [
    ['schedule name', '/v1/schedules', { name: 'a\u001b[2Jb\u202e', cron: '0 3 * * *' }],
    ['cron', '/v1/schedules', { name: 'ok', cron: '\u001b]0;pwned\u0007 * * * *' }],
    ['long cron', '/v1/schedules', { name: 'ok', cron: `${'1,'.repeat(99)}x` }],
    ['long host', '/v1/scans', { wan: false, gateway: `http://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.example/x` }],
    ['port item', '/v1/scans', { wan: false, ports: `80,${'9'.repeat(3000)}` }],
  ];
  for (const [name, url, payload] of cases) {
    const response = await api.app.inject({ method: 'POST', url, headers: auth, payload });
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${name}: ${response.statusCode}`);
    const message = response.json<{ error: { message: string } }>().error.message;
    t.notOk(new RegExp(UNSAFE_CHARS.source, 'u').test(message), `${name}: no control or invisible character`);
    t.ok(message.length <= 600, `${name}: ${message.length} characters`);
  }
  const schedule = await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'a\u001b[2Jb', cron: '0 3 * * *' } });
  t.match(schedule.json<{ error: { message: string } }>().error.message, /a\\x1b\[2Jb/, 'the input is shown, escaped');
  const host = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: cases[3]?.[2] ?? {} });
  t.match(host.json<{ error: { message: string } }>().error.message, /g\.\.\.\. Give the router by its LAN IP address/, 'cut, and the hint kept');
  const path404 = await api.app.inject({ method: 'GET', url: `/v1/${'%1b'.repeat(10)}${'x'.repeat(500)}`, headers: auth });
  t.equal(path404.statusCode, 404);
  t.ok(path404.json<{ error: { message: string } }>().error.message.length <= 420, 'the path a 404 quotes is cut');
});

t.test('metrics carry no webhook and no label value a client chose', async (t) => {
  const api = await harness({ run: holdScans });
  t.teardown(api.close);
  const name = 'x" 1 injected_metric{a="b';
  t.equal((await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name: 'label test', cron: '0 3 * * *', enabled: false, webhooks: ['https://hooks.example.com/METRICSECRET'] } })).statusCode, 201);
  t.equal((await api.app.inject({ method: 'POST', url: '/v1/schedules', headers: auth, payload: { name, cron: '0 3 * * *' } })).statusCode, 400);
  const scan = await api.app.inject({ method: 'POST', url: '/v1/scans', headers: auth, payload: { wan: false, ports: '8080' } });
  t.equal(scan.statusCode, 202, scan.body);
  const metrics = await api.app.inject({ method: 'GET', url: '/v1/metrics', headers: auth });
  t.equal(metrics.statusCode, 200);
  t.notMatch(metrics.body, /METRICSECRET|hooks\.example|label test|injected_metric|8080/);
  // Every label value is from a closed set (severities, scan statuses, the version) or a site name, which only the
  // operator sets (serve --site, watch --site) and which src/store/site.ts holds to SITE_PATTERN.
  const values = [...metrics.body.matchAll(/([a-z_]+)="([^"]*)"/g)].map((match) => `${match[1]}=${match[2]}`);
  t.ok(values.length > 0);
  for (const value of values) t.match(value, /^(severity=(info|low|medium|high|critical)|status=(queued|running|done|failed|interrupted)|version=[0-9][0-9A-Za-z.+-]*|site=[a-z0-9][a-z0-9._-]{0,39})$/, value);
});
