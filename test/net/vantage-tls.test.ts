// A self-signed agent certificate, trusted by its pin (--vantage-pin, like curl --pinnedpubkey) or by a CA file
// (--vantage-ca); refused without either, and refused before a single request byte (so the token) is sent.
// Fixtures (test/fixtures/vantage, valid for 100 years), made with:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=exposure-agent-test \
//     -addext subjectAltName=IP:127.0.0.1 -days 36500 -keyout agent.key -out agent.crt
//   (other.crt: -subj /CN=other.test -addext subjectAltName=DNS:other.test)
// Their pins, by curl's own recipe:
//   openssl x509 -in agent.crt -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64
import t, { type Test } from 'tap';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { buildAgent } from '../../src/server/agent/app.js';
import { requestVantageScan, type VantageTrust } from '../../src/net/vantage-client.js';
import { parsePins, spkiPinOfPem } from '../../src/net/spki-pin.js';
import { parseScanArgs } from '../../src/cli/scan-args.js';
import { agentCommand } from '../../src/cli/agent.js';
import { capture } from '../support/cli.js';
import { closedPort } from '../support/ports.js';
import { recordingEngine } from '../support/recording-engine.js';

const fixture = (name: string): URL => new URL(`../fixtures/vantage/${name}`, import.meta.url);
const AGENT = { cert: await readFile(fixture('agent.crt')), key: await readFile(fixture('agent.key')) };
const OTHER = { cert: await readFile(fixture('other.crt')), key: await readFile(fixture('other.key')) };
const AGENT_CA = fileURLToPath(fixture('agent.crt'));
const OTHER_CA = fileURLToPath(fixture('other.crt'));
// From openssl (above), not from our own code.
const AGENT_PIN = 'sha256/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=';
const OTHER_PIN = 'sha256/EgoKMWXHSObgmiK6M/orstpKIz5Dbz5X9fwGcKNBLj0=';
const TOKEN = 't'.repeat(43);

t.test('the pin is the SHA-256 of the DER SubjectPublicKeyInfo, as curl and openssl compute it', async (t) => {
  t.equal(spkiPinOfPem(AGENT.cert), AGENT_PIN);
  t.equal(spkiPinOfPem(OTHER.cert), OTHER_PIN);
  t.same(parsePins(`${AGENT_PIN};${OTHER_PIN.replace('sha256/', 'sha256//')}`), [AGENT_PIN, OTHER_PIN], "several pins; curl's sha256// too");
  for (const bad of ['', 'sha256/', 'sha1/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=', 'sha256/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0', `${AGENT_PIN}x`, 'sha256/!!!!K67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=', ';;']) {
    t.throws(() => parsePins(bad), { code: 'EXP_ERR_USAGE' }, JSON.stringify(bad));
  }
});

/** The real agent over HTTPS with the fixture certificate; its engine only records whom it was asked to scan. */
async function httpsAgent(t: Test, certificate = AGENT) {
  const { engine, targets } = recordingEngine();
  const app = await buildAgent({ token: TOKEN, engine: () => Promise.resolve(engine), https: certificate });
  let requests = 0;
  app.addHook('onRequest', (_request, _reply, done) => {
    requests++;
    done();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { url: `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`, targets, requests: () => requests };
}

function ask(url: string, trust: VantageTrust) {
  return requestVantageScan(url, TOKEN, { ports: '1-3', udp: false }, { signal: new AbortController().signal, timeoutMs: 10_000, trust });
}

t.test('a self-signed agent is trusted by its pin, by its certificate as --vantage-ca, and by nothing else', async (t) => {
  const agent = await httpsAgent(t);
  for (const [name, trust] of [
    ['its pin', { pin: AGENT_PIN }],
    ["curl's form of its pin", { pin: AGENT_PIN.replace('sha256/', 'sha256//') }],
    ['one of two pins (a key rollover)', { pin: `${OTHER_PIN}; ${AGENT_PIN}` }],
    ['its certificate as the CA', { ca: AGENT_CA }],
    ['both', { ca: AGENT_CA, pin: AGENT_PIN }],
  ] as const) {
    const answer = await ask(agent.url, trust);
    t.equal(answer.address, '127.0.0.1', name);
    t.equal(answer.ports.length, 3);
  }
  const before = agent.requests();
  const refused = [
    ['nothing (the system CAs)', {}, /DEPTH_ZERO_SELF_SIGNED_CERT/],
    ['another pin', { pin: OTHER_PIN }, /not the pinned one: its key has the pin sha256\/oPFIK67nXQ8euzFu6Ej0YzpKZhfsTHMEVCxN0V593Y0=, not the pinned sha256\/EgoKMWXH/],
    ['another CA', { ca: OTHER_CA }, /could not be verified/],
    ['the right pin, but another CA', { ca: OTHER_CA, pin: AGENT_PIN }, /could not be verified/],
  ] as const;
  for (const [name, trust, message] of refused) {
    await t.rejects(ask(agent.url, trust), { code: 'EXP_ERR_VANTAGE_TLS', message }, name);
  }
  t.equal(agent.requests(), before, 'no refused connection carried a request');
  t.same(agent.targets, Array(5).fill('127.0.0.1'), 'only the trusted requests were scans');
});

t.test('without a pin or CA, the refusal shows the key it saw and says how to pin it', async (t) => {
  const agent = await httpsAgent(t);
  const error = (await ask(agent.url, {}).then(
    () => ({ message: 'trusted', hint: '' }),
    (caught: unknown) => caught as { message: string; hint: string },
  ));
  t.match(error.message, `Its key has the pin ${AGENT_PIN}`);
  t.match(error.hint, /--vantage-pin sha256\/\.\.\..*--vantage-ca cert\.pem/s);
  t.match(error.hint, /only if it is the one on the agent's "Pin:" line/);
});

t.test('--vantage-ca checks the host name too: a certificate for other.test does not serve 127.0.0.1', async (t) => {
  const agent = await httpsAgent(t, OTHER);
  await t.rejects(ask(agent.url, { ca: OTHER_CA }), { code: 'EXP_ERR_VANTAGE_TLS', message: /ERR_TLS_CERT_ALTNAME_INVALID/ });
  t.equal((await ask(agent.url, { pin: OTHER_PIN })).address, '127.0.0.1', 'a pin names the key: the name does not matter');
});

/** A bare TLS server that keeps every byte it decrypts, and answers 401 to a whole request. */
async function recorder(t: Test) {
  const received: Buffer[] = [];
  const closed: Array<Promise<void>> = [];
  const server = tls.createServer(AGENT, (socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      received.push(data);
      if (Buffer.concat(received).includes('\r\n\r\n')) socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":{"code":"EXP_ERR_AGENT_UNAUTHORIZED","message":"no"}}');
    });
  });
  // The TCP connections, whether or not the server side finished its handshake before the client left.
  let connections = 0;
  server.on('connection', (socket: import('node:net').Socket) => {
    connections++;
    closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    /** What arrived, once every connection is closed (a byte in flight would have arrived by then). */
    text: async () => {
      await Promise.all(closed);
      return Buffer.concat(received).toString('latin1');
    },
  };
}

t.test('the pin is checked before any request byte is written: a refused server receives nothing, not even the token', async (t) => {
  for (const [name, trust] of [
    ['another pin', { pin: OTHER_PIN }],
    ['no pin and no CA', {}],
  ] as const) {
    const server = await recorder(t);
    // The message names the key the client saw: the client had the server's certificate when it decided.
    await t.rejects(ask(server.url, trust), { code: 'EXP_ERR_VANTAGE_TLS', message: AGENT_PIN }, name);
    t.equal(server.connections(), 1, `${name}: one connection`);
    t.equal(await server.text(), '', `${name}: no byte of the request arrived`);
  }
  // The control: with the right pin, the same server gets the request, token and all.
  const server = await recorder(t);
  await t.rejects(ask(server.url, { pin: AGENT_PIN }), { code: 'EXP_ERR_VANTAGE', httpStatus: 401 });
  t.match(await server.text(), `POST /v1/scan HTTP/1.1\r\nauthorization: Bearer ${TOKEN}`);
});

t.test('scan options: --vantage-pin and --vantage-ca are checked when the command line is read', async (t) => {
  const base = ['--vantage', 'https://127.0.0.1:7447', '--vantage-token', TOKEN];
  const scan = parseScanArgs([...base, '--vantage-pin', AGENT_PIN, '--vantage-ca', 'test/fixtures/vantage/agent.crt']).scan;
  t.equal(scan.vantagePin, AGENT_PIN);
  t.equal(scan.vantageCa, AGENT_CA, 'the CA path is made absolute (watch stores it; a service runs elsewhere)');
  const refused: Array<[string[], RegExp]> = [
    [[...base, '--vantage-pin', 'sha256/abc'], /is not a pin/],
    [[...base, '--vantage-ca', '/nonexistent/ca.pem'], /Cannot read --vantage-ca \/nonexistent\/ca\.pem: ENOENT/],
    [[...base, '--vantage-ca', fileURLToPath(fixture('agent.key'))], /holds no PEM certificate/],
    [['--vantage', 'http://127.0.0.1:7447', '--vantage-token', TOKEN, '--vantage-pin', AGENT_PIN], /needs an https: --vantage URL/],
    [['--vantage-pin', AGENT_PIN], /goes with --vantage URL/],
  ];
  for (const [argv, message] of refused) t.throws(() => parseScanArgs(argv), { code: 'EXP_ERR_USAGE', message }, argv.join(' '));
});

t.test('exposure agent prints its pin at start, ready to paste', async (t) => {
  const port = await closedPort();
  // Resolves when the pin line is written: the test waits for the output, never for a time.
  let text = '';
  let printed = (): void => undefined;
  const pinShown = new Promise<void>((resolve) => (printed = resolve));
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      if (text.includes('--vantage-pin')) printed();
      done();
    },
  });
  const controller = new AbortController();
  const tokenDir = await mkdtemp(path.join(tmpdir(), 'agent-pin-test-'));
  t.teardown(() => rm(tokenDir, { recursive: true, force: true }));
  const tokenFile = path.join(tokenDir, 'token');
  const running = agentCommand(['--listen', `127.0.0.1:${port}`, '--tls-cert', AGENT_CA, '--tls-key', fileURLToPath(fixture('agent.key')), '--token-file', tokenFile, '--engine', 'connect'], { stdout: capture().stream, stderr }, controller.signal);
  await pinShown;
  controller.abort();
  t.equal(await running, 0);
  t.match(text, `Pin: ${AGENT_PIN}`);
  t.match(text, `\n  --vantage-pin ${AGENT_PIN}\n`);
});
