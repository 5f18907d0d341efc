import t from 'tap';
import dgram from 'node:dgram';
import { parseSsdpAnswer, ssdpSearch, IGD_SEARCH_TARGETS, type SsdpAnswer } from '../../src/net/ssdp.js';
import { testClock } from '../support/clock.js';

const ANSWER = (location: string, usn = 'uuid:1::urn:schemas-upnp-org:device:InternetGatewayDevice:1') =>
  Buffer.from(`HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSN: ${usn}\r\nEXT:\r\nSERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: ${location}\r\n\r\n`);

t.test('parses an answer; ignores what is not one', async (t) => {
  t.same(parseSsdpAnswer(ANSWER('http://10.0.0.1:5000/rootDesc.xml'), '10.0.0.1'), {
    from: '10.0.0.1',
    location: 'http://10.0.0.1:5000/rootDesc.xml',
    st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
    usn: 'uuid:1::urn:schemas-upnp-org:device:InternetGatewayDevice:1',
    server: 'Debian/12 UPnP/1.1 MiniUPnPd/2.3.1',
  });
  t.equal(parseSsdpAnswer(Buffer.from('NOTIFY * HTTP/1.1\r\nLOCATION: http://x/\r\n\r\n'), '1.2.3.4'), undefined);
  t.equal(parseSsdpAnswer(Buffer.from('HTTP/1.1 200 OK\r\nST: x\r\n\r\n'), '1.2.3.4'), undefined, 'no LOCATION');
  t.equal(parseSsdpAnswer(Buffer.alloc(9000, 'a'), '1.2.3.4'), undefined, 'oversized');
});

t.test('unicast search: every target asked, all answers within the window collected and de-duplicated', async (t) => {
  const responder = dgram.createSocket('udp4');
  const seen: string[] = [];
  responder.on('message', (message, remote) => {
    const st = /\r\nST: (.*)\r\n/.exec(message.toString())?.[1] ?? '';
    seen.push(st);
    responder.send(ANSWER('http://127.0.0.1:5000/rootDesc.xml'), remote.port, remote.address);
    responder.send(ANSWER('http://127.0.0.1:5000/other.xml', 'uuid:2'), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => responder.bind(0, '127.0.0.1', resolve));
  t.teardown(() => responder.close());
  const started = Date.now();
  const result = await ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 300, port: (responder.address()).port });
  t.ok(Date.now() - started >= 290, 'waits for the whole window');
  t.same([...new Set(seen)].sort(), [...IGD_SEARCH_TARGETS].sort());
  t.equal(result.answers.length, 2, 'de-duplicated by USN and LOCATION');
  t.equal(result.truncated, false);
});

t.test('answers are capped', async (t) => {
  const responder = dgram.createSocket('udp4');
  let n = 0;
  responder.on('message', (_, remote) => {
    for (let i = 0; i < 20; i++) responder.send(ANSWER(`http://127.0.0.1/${n++}`, `uuid:${n}`), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => responder.bind(0, '127.0.0.1', resolve));
  t.teardown(() => responder.close());
  const result = await ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 300, maxAnswers: 10, port: (responder.address()).port });
  t.equal(result.answers.length, 10);
  t.equal(result.truncated, true);
});

/** An IGD on a loopback address that answers every M-SEARCH at once; `client` is where the searches came from. */
async function loopbackIgd(t: Teardown, address: string): Promise<{ port: number; client: () => number }> {
  const socket = dgram.createSocket('udp4');
  let client: number | undefined;
  socket.on('message', (_message, remote) => {
    client = remote.port;
    socket.send(ANSWER(`http://${address}:5000/rootDesc.xml`, `uuid:${address}`), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  t.teardown(() => socket.close());
  const searcher = (): number => {
    if (client === undefined) throw new Error('no M-SEARCH came in yet');
    return client;
  };
  return { port: socket.address().port, client: searcher };
}

interface Teardown {
  teardown: (fn: () => unknown) => void;
}

/** Collects answers as they arrive and lets the test wait, on real I/O, until n have come in. */
function answerLog(): { answers: SsdpAnswer[]; onAnswer: (answer: SsdpAnswer) => void; reached: (n: number) => Promise<void> } {
  const answers: SsdpAnswer[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  return {
    answers,
    onAnswer: (answer) => {
      answers.push(answer);
      for (const waiter of waiting.filter((w) => answers.length >= w.n)) waiter.resolve();
    },
    reached: (n) => (answers.length >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
  };
}

function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

const fromGateway = (answer: SsdpAnswer): boolean => answer.from === '127.0.0.1';

t.test('early stop: once the default gateway answered, discovery ends after the grace, with a second IGD that answered within it', async (t) => {
  const clock = testClock();
  const gateway = await loopbackIgd(t, '127.0.0.1');
  const second = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => second.bind(0, '127.0.0.2', resolve));
  t.teardown(() => second.close());
  const log = answerLog();
  const search = ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 5000, port: gateway.port, timers: clock, earlyStop: { when: fromGateway, graceMs: 300 }, onAnswer: log.onAnswer });
  const settled = settledFlag(search);
  await log.reached(1);
  // A second IGD on the LAN answers (to the multicast search, in life) while the grace runs.
  second.send(ANSWER('http://127.0.0.2:5000/rootDesc.xml', 'uuid:second'), gateway.client(), '127.0.0.1');
  await log.reached(2);
  await clock.tick(299);
  t.notOk(settled(), 'still listening within the grace');
  await clock.tick(1);
  const result = await search;
  t.equal(result.stoppedEarly, true);
  t.equal(result.listenedMs, 300, 'listened for the grace, not the 5 s window');
  t.same(result.answers.map((answer) => answer.from).sort(), ['127.0.0.1', '127.0.0.2']);
});

t.test('early stop: without an answer it accepts, the whole window runs', async (t) => {
  const clock = testClock();
  const gateway = await loopbackIgd(t, '127.0.0.1');
  const log = answerLog();
  // The answer comes from 127.0.0.1, but the default gateway is another address: nothing to stop early for.
  const search = ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 2000, port: gateway.port, timers: clock, earlyStop: { when: (answer) => answer.from === '127.0.0.9', graceMs: 300 }, onAnswer: log.onAnswer });
  const settled = settledFlag(search);
  await log.reached(1);
  await clock.tick(1999);
  t.notOk(settled(), 'still listening before the window ends');
  await clock.tick(1);
  const result = await search;
  t.equal(result.stoppedEarly, false);
  t.equal(result.listenedMs, 2000);
  t.equal(result.answers.length, 1);
});

t.test('early stop: a grace that would outlast the window does not extend it', async (t) => {
  const clock = testClock();
  const gateway = await loopbackIgd(t, '127.0.0.1');
  const log = answerLog();
  const search = ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 200, port: gateway.port, timers: clock, earlyStop: { when: fromGateway, graceMs: 300 }, onAnswer: log.onAnswer });
  await log.reached(1);
  await clock.tick(200);
  const result = await search;
  t.equal(result.stoppedEarly, false);
  t.equal(result.listenedMs, 200);
});

t.test('early stop: cancelling during the grace rejects with EXP_ERR_ABORTED', async (t) => {
  const clock = testClock();
  const gateway = await loopbackIgd(t, '127.0.0.1');
  const log = answerLog();
  const controller = new AbortController();
  const search = ssdpSearch({ interfaceAddresses: [], unicastTargets: ['127.0.0.1'], windowMs: 5000, port: gateway.port, timers: clock, earlyStop: { when: fromGateway, graceMs: 300 }, onAnswer: log.onAnswer, signal: controller.signal });
  await log.reached(1);
  controller.abort();
  await t.rejects(search, { code: 'EXP_ERR_ABORTED' });
});
