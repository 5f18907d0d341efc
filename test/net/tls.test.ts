// The certificate reader against real local servers: a TLS server with QNAP's default certificate, a plain HTTP
// port, a port that never speaks, and one where nothing listens. Everything on 127.0.0.1.
import t from 'tap';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { readCertificate } from '../../src/net/tls.js';
import { certificate } from '../support/fake-qnap.js';
import { closedPort } from '../support/ports.js';

const sockets = new Set<net.Socket>();
const keep = (socket: net.Socket): void => { sockets.add(socket); socket.on('error', () => undefined); };

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  return (server.address() as AddressInfo).port;
}


t.test('QNAP default certificate: subject and issuer read, self-signed', async (t) => {
  const server = https.createServer(certificate('qnap-default'), (_, response) => response.end('ok'));
  server.on('connection', keep);
  const result = await readCertificate('127.0.0.1', await listening(server), { timeoutMs: 3000 });
  t.ok(result.ok);
  if (!result.ok) return;
  t.equal(result.certificate.subject['CN'], 'QNAP NAS');
  t.equal(result.certificate.subject['O'], 'QNAP Systems, Inc.');
  t.equal(result.certificate.issuer['CN'], 'QNAP NAS');
  t.match(result.certificate.subjectText, /CN=QNAP NAS/);
  t.equal(result.certificate.selfSigned, true);
});

t.test('a port that never speaks is a timeout, not a refusal', async (t) => {
  const silent = net.createServer(keep);
  const started = Date.now();
  const result = await readCertificate('127.0.0.1', await listening(silent), { timeoutMs: 300 });
  t.notOk(result.ok);
  if (result.ok) return;
  t.equal(result.timedOut, true);
  t.equal(result.refused, false);
  t.equal(result.error.code, 'EXP_ERR_TLS');
  t.ok(Date.now() - started < 2000, 'bounded by the time limit');
});

t.test('plain HTTP answers the handshake with something else: neither a timeout nor a refusal', async (t) => {
  const server = http.createServer((_, response) => response.end('plain'));
  server.on('connection', keep);
  const result = await readCertificate('127.0.0.1', await listening(server), { timeoutMs: 3000 });
  t.notOk(result.ok);
  if (result.ok) return;
  t.equal(result.timedOut, false);
  t.equal(result.refused, false);
});

t.test('nothing listening is a refusal', async (t) => {
  const result = await readCertificate('127.0.0.1', await closedPort(), { timeoutMs: 3000 });
  t.notOk(result.ok);
  if (result.ok) return;
  t.equal(result.refused, true);
  t.equal(result.timedOut, false);
});
