import t from 'tap';
import dgram from 'node:dgram';
import { parseSsdpAnswer, ssdpSearch, IGD_SEARCH_TARGETS } from '../../src/net/ssdp.js';

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
