// The mDNS query against a responder on 127.0.0.1 that replays avahi-daemon 0.8's recorded answers, and hostile
// ones. Fake timers: the window and the follow-up move only when a test ticks, after the packets were handled.
import t, { type Test } from 'tap';
import { mdnsQuery, MDNS_LIMITS, type MdnsQueryOptions, type MdnsResult } from '../../src/net/mdns.js';
import { acceptIpv4FromMdns, acceptIpv6FromMdns } from '../../probes/ipv6-lan/mdns-scope.js';
import { testClock, type TestClock } from '../support/clock.js';
import { answerPacket, device, firstQuestionType, header, name, question, record, recorded, startResponder, withId, type Responder } from './mdns-responder.js';

const OWN = acceptIpv6FromMdns(new Set(['2001:db8:1:2::/64']), true);
const LAN4 = acceptIpv4FromMdns(['10.1.2.0/24']);
const avahi = recorded();

interface Run {
  clock: TestClock;
  responder: Responder;
  handled: (count: number) => Promise<void>;
  result: Promise<MdnsResult>;
}

/** Starts a query against a responder; `handled(n)` resolves once the query has handled n packets. */
async function run(t: Test, answer: (query: Buffer) => Buffer[], extra: Partial<MdnsQueryOptions> = {}): Promise<Run> {
  const clock = testClock();
  const responder = await startResponder(answer);
  t.teardown(() => responder.close());
  let count = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const result = mdnsQuery({
    destinations: [{ address: '127.0.0.1', port: responder.port }],
    timers: clock,
    acceptIpv6: OWN,
    acceptIpv4: LAN4,
    onPacket: () => {
      count++;
      for (const waiter of waiters) if (count >= waiter.count) waiter.resolve();
    },
    ...extra,
  });
  result.catch(() => undefined);
  const handled = (wanted: number): Promise<void> => (count >= wanted ? Promise.resolve() : new Promise((resolve) => waiters.push({ count: wanted, resolve })));
  return { clock, responder, handled, result };
}

t.test("avahi-daemon's recorded answers: the NAS by name, both families, its services and TXT facts", async (t) => {
  const { clock, responder, handled, result } = await run(t, () => [avahi.ptrOverIpv4, avahi.ptrOverIpv6]);
  await handled(2);
  await clock.tick(MDNS_LIMITS.windowMs);
  const answer = await result;
  t.equal(responder.queries.length, 1, 'one packet asked everything: no follow-up needed');
  t.equal(firstQuestionType(responder.queries[0] ?? Buffer.alloc(14)), 12, 'PTR');
  t.same(answer.asked, ['_qdiscover._tcp', '_http._tcp', '_smb._tcp', '_device-info._tcp', '_workstation._tcp']);
  t.same(answer.packets, { accepted: 2, malformed: 0, mismatched: 0, overLimit: 0 });
  t.equal(answer.hosts.length, 1);
  const host = answer.hosts[0];
  t.match(host, { name: 'labnas.local', ipv4: ['10.1.2.20'], ipv6: ['2001:db8:1:2::20'] });
  t.same(host?.services.map((service) => [service.type, service.instance, service.port]).sort(), [['_http._tcp', 'LabNAS', 8080], ['_qdiscover._tcp', 'LabNAS', 8080]]);
  t.same(host?.services.find((service) => service.type === '_qdiscover._tcp')?.txt, { model: 'TS-X64', displayModel: 'TS-464C', fwVer: '5.2.9', fwBuildNum: '20240902' }, 'only the TXT keys kept as facts');
  t.equal(answer.followUp, false);
  t.equal(answer.truncated, false);
});

t.test('an answer without addresses: one follow-up asks A and AAAA of the SRV target (the recorded answer to it)', async (t) => {
  const { clock, responder, handled, result } = await run(t, (query) => (firstQuestionType(query) === 12 ? [answerPacket(device('labnas', 8080, {}))] : [avahi.addresses]));
  await handled(1);
  await clock.tick(MDNS_LIMITS.windowMs / 2);
  await responder.queried(2);
  await handled(2);
  await clock.tick(MDNS_LIMITS.windowMs / 2);
  const answer = await result;
  t.equal(answer.followUp, true);
  t.equal(firstQuestionType(responder.queries[1] ?? Buffer.alloc(14)), 1, 'the follow-up asks A first');
  t.match(answer.hosts, [{ name: 'labnas.local', ipv4: ['10.1.2.20'], ipv6: ['2001:db8:1:2::20'] }]);
});

t.test('hostile answers', async (t) => {
  const target = name('evil.local');
  const ptr = record(name('_qdiscover._tcp.local'), 12, name('evil._qdiscover._tcp.local'));
  // a name that is only a pointer to itself (offset 12 + the question's length), one that points forward
  const questionBytes = question(name('_qdiscover._tcp.local'), 12);
  const selfAt = 12 + questionBytes.length;
  const loop = Buffer.concat([header(0, [1, 1, 0, 0]), questionBytes, Buffer.from([0xc0 | (selfAt >> 8), selfAt & 0xff]), Buffer.alloc(10)]);
  const forward = Buffer.concat([header(0, [1, 1, 0, 0]), questionBytes, Buffer.from([0xc0, selfAt + 2]), Buffer.alloc(10), name('x.local')]);
  const longLabel = Buffer.concat([header(0, [1, 1, 0, 0]), questionBytes, Buffer.from([0x40]), Buffer.alloc(64, 0x61), Buffer.from([0]), Buffer.alloc(10)]);
  const cut = avahi.ptrOverIpv4.subarray(0, Math.floor(avahi.ptrOverIpv4.length / 2));
  const claims = Buffer.from(answerPacket(device('claims', 80, { aaaa: [[0x2001, 0xdb8, 1, 2, 0, 0, 0, 0x99]] })));
  claims.writeUInt16BE(10_000, 6);
  const oversize = Buffer.concat([answerPacket(device('big', 80, { aaaa: [[0x2001, 0xdb8, 1, 2, 0, 0, 0, 0x98]] })), Buffer.alloc(9001)]);
  const cases: Array<[string, Buffer, keyof MdnsResult['packets']]> = [
    ['a compression loop', loop, 'malformed'],
    ['a pointer forward', forward, 'malformed'],
    ['a label longer than 63 bytes', longLabel, 'malformed'],
    ["a truncated packet (avahi's answer cut in half)", cut, 'malformed'],
    ['10,000 answer records claimed, 3 sent', claims, 'malformed'],
    ['a packet over 9,000 bytes', oversize, 'malformed'],
    ['a question we did not ask', Buffer.concat([header(0, [1, 3, 0, 0]), question(name('_ssh._tcp.local'), 12), ptr, record(name('evil._qdiscover._tcp.local'), 33, Buffer.concat([Buffer.alloc(6), target])), record(target, 28, Buffer.alloc(16, 0x20))]), 'mismatched'],
  ];
  for (const [label, packet, counter] of cases) {
    await t.test(label, async (t) => {
      // the responder sends the hostile packet, then avahi's real answer: the query goes on after the bad one
      const { clock, handled, result } = await run(t, () => [packet, avahi.ptrOverIpv4]);
      await handled(2);
      await clock.tick(MDNS_LIMITS.windowMs);
      const answer = await result;
      t.equal(answer.packets[counter], 1, `counted as ${counter}`);
      t.equal(answer.packets.accepted, 1, "avahi's answer still read");
      t.same(answer.hosts.map((host) => host.name), ['labnas.local'], 'nothing from the hostile packet');
    });
  }
});

// The responder repeats the query's ID in whatever it replays, so a wrong ID is sent apart, unpatched.
t.test('a wrong ID is not read', async (t) => {
  const { clock, responder, handled, result } = await run(t, () => [avahi.ptrOverIpv4]);
  await handled(1);
  const id = (responder.queries[0]?.readUInt16BE(0) ?? 0) ^ 0x1;
  await responder.send([withId(answerPacket(device('wrongid', 80, { a: [10, 1, 2, 66], aaaa: [[0x2001, 0xdb8, 1, 2, 0, 0, 0, 0x97]] })), id)]);
  await handled(2);
  await clock.tick(MDNS_LIMITS.windowMs);
  const answer = await result;
  t.equal(answer.packets.mismatched, 1);
  t.same(answer.hosts.map((host) => host.name), ['labnas.local']);
});

t.test('addresses outside this host\'s /64, not global, or off the LAN are dropped and counted', async (t) => {
  const foreign = device('foreign', 443, { a: [192, 0, 2, 7], aaaa: [[0x2001, 0xdb8, 0xdead, 0xbeef, 0, 0, 0, 1], [0xfe80, 0, 0, 0, 0, 0, 0, 1], [0x2001, 0xdb8, 1, 2, 0, 0, 0, 0x21]] });
  const { clock, handled, result } = await run(t, () => [answerPacket(foreign)]);
  await handled(1);
  await clock.tick(MDNS_LIMITS.windowMs);
  const answer = await result;
  t.match(answer.hosts, [{ name: 'foreign.local', ipv4: [], ipv6: ['2001:db8:1:2::21'] }], 'only the address in our /64');
  t.same(answer.dropped, { ipv4: 1, ipv6: 2 });
});

t.test('a flood: 300 packets, 300 devices: 256 packets read, 64 hosts kept', async (t) => {
  const packets = Array.from({ length: 300 }, (_, index) => answerPacket(device(`d${index}`, 80, { aaaa: [[0x2001, 0xdb8, 1, 2, 0, 0, 1, index]] })));
  const { clock, responder, handled, result } = await run(t, () => []);
  await responder.queried(1);
  const id = responder.queries[0]?.readUInt16BE(0) ?? 0;
  // in steps, each handled before the next, so the kernel's receive buffer never drops one (the count is exact)
  for (let start = 0; start < packets.length; start += 50) {
    await responder.send(packets.slice(start, start + 50).map((packet) => withId(packet, id)));
    await handled(Math.min(start + 50, packets.length));
  }
  await clock.tick(MDNS_LIMITS.windowMs);
  const answer = await result;
  t.equal(answer.packets.accepted, MDNS_LIMITS.maxPackets);
  t.equal(answer.packets.overLimit, 300 - MDNS_LIMITS.maxPackets);
  t.equal(answer.hosts.length, MDNS_LIMITS.maxHosts);
  t.equal(answer.truncated, true);
});

t.test('the signal ends the window: aborted, sockets closed', async (t) => {
  const controller = new AbortController();
  const { responder, result } = await run(t, () => [], { signal: controller.signal });
  await responder.queried(1);
  controller.abort();
  await t.rejects(result, { code: 'EXP_ERR_ABORTED' });
});

t.test('nowhere to send: EXP_ERR_IPV6_MDNS', async (t) => {
  await t.rejects(mdnsQuery({ timers: testClock() }), { code: 'EXP_ERR_IPV6_MDNS' });
});
