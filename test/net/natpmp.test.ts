import t from 'tap';
import dgram from 'node:dgram';
import { natPmpExternalAddress, parseNatPmpAnswer } from '../../src/net/natpmp.js';

async function fakeNatPmp(reply: (request: Buffer) => Buffer | undefined): Promise<{ port: number; requests: number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  const state = { requests: 0 };
  socket.on('message', (message, remote) => {
    state.requests++;
    const answer = reply(message);
    if (answer) socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: (socket.address()).port, get requests() { return state.requests; }, close: () => socket.close() };
}

t.test('reads the external address (RFC 6886 §3.2)', async (t) => {
  const server = await fakeNatPmp((request) => {
    t.same([...request], [0, 0], 'version 0, opcode 0');
    return Buffer.from([0, 128, 0, 0, 0, 0, 1, 0, 11, 22, 33, 44]);
  });
  t.teardown(server.close);
  const answer = await natPmpExternalAddress('127.0.0.1', { port: server.port, timeoutMs: 1000 });
  t.same(answer, { version: 0, resultCode: 0, epochSeconds: 256, externalIp: '11.22.33.44' });
});

t.test('absent: a closed port is known at once (ICMP unreachable), not after the timeout', async (t) => {
  const server = await fakeNatPmp(() => undefined);
  const { port } = server;
  server.close();
  const started = Date.now();
  t.equal(await natPmpExternalAddress('127.0.0.1', { port, timeoutMs: 3000 }), undefined);
  t.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
});

t.test('silent gateway: undefined after the timeout, with one retry', async (t) => {
  const server = await fakeNatPmp(() => undefined);
  t.teardown(server.close);
  t.equal(await natPmpExternalAddress('127.0.0.1', { port: server.port, timeoutMs: 400 }), undefined);
  t.equal(server.requests, 2);
});

t.test('parses PCP and error answers; ignores junk', async (t) => {
  t.same(parseNatPmpAnswer(Buffer.from([2, 0x80, 0, 1, 0, 0, 0, 0])), { version: 2, resultCode: 1, epochSeconds: null, externalIp: null });
  t.same(parseNatPmpAnswer(Buffer.from([0, 128, 0, 3, 0, 0, 0, 9])), { version: 0, resultCode: 3, epochSeconds: 9, externalIp: null });
  t.equal(parseNatPmpAnswer(Buffer.from([0, 1, 0])), undefined);
  t.equal(parseNatPmpAnswer(Buffer.from([0, 129, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])), undefined, 'not an external-address answer');
});
