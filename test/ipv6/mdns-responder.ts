/**
 * A stand-in mDNS responder on 127.0.0.1 for the unit tests: it answers each query the way a legacy unicast
 * responder does (by unicast to the query's source port, with the query's ID), replaying packets a test hands it:
 * avahi-daemon's recorded answers (fixtures/avahi-0.8-legacy-unicast.json) or hostile ones built below.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Recorded {
  queries: { ptr: string; addresses: string };
  answers: Record<'ptrOverIpv4' | 'ptrOverIpv6' | 'addressesOverIpv4', Array<{ from: string; bytes: string }>>;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/avahi-0.8-legacy-unicast.json', import.meta.url));

export function recorded(): { ptrOverIpv4: Buffer; ptrOverIpv6: Buffer; addresses: Buffer } {
  const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;
  const first = (list: Array<{ bytes: string }>): Buffer => Buffer.from(list[0]?.bytes ?? '', 'base64');
  return { ptrOverIpv4: first(file.answers.ptrOverIpv4), ptrOverIpv6: first(file.answers.ptrOverIpv6), addresses: first(file.answers.addressesOverIpv4) };
}

/** The query's first question type (12 PTR, 1 A, 33 SRV ...), to choose the answer. */
export function firstQuestionType(query: Buffer): number {
  let position = 12;
  while (position < query.length && query[position] !== 0) position += 1 + (query[position] ?? 0);
  return query.readUInt16BE(position + 1);
}

/** The packet with `id` in place of its own (a responder repeats the query's ID). */
export function withId(packet: Buffer, id: number): Buffer {
  const copy = Buffer.from(packet);
  if (copy.length >= 2) copy.writeUInt16BE(id, 0);
  return copy;
}

export interface Responder {
  port: number;
  queries: Buffer[];
  /** Resolves once `count` queries have come in. */
  queried: (count: number) => Promise<void>;
  /** Sends more packets to the source of the last query (as a flood would, after the answer). */
  send: (packets: readonly Buffer[]) => Promise<void>;
  close: () => Promise<void>;
}

export async function startResponder(answer: (query: Buffer) => Buffer[]): Promise<Responder> {
  const socket = dgram.createSocket('udp4');
  const queries: Buffer[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let last: dgram.RemoteInfo | undefined;
  const sendTo = (packets: readonly Buffer[], to: dgram.RemoteInfo): Promise<void> =>
    Promise.all(packets.map((packet) => new Promise<void>((resolve) => socket.send(packet, to.port, to.address, () => resolve())))).then(() => undefined);
  socket.on('message', (query, remote) => {
    queries.push(query);
    last = remote;
    const id = query.readUInt16BE(0);
    void sendTo(answer(query).map((packet) => withId(packet, id)), remote).then(() => {
      for (const waiter of waiters.filter((entry) => queries.length >= entry.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, () => resolve()));
  return {
    port: socket.address().port,
    queries,
    queried: (count) => (queries.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    send: (packets) => (last ? sendTo(packets, last) : Promise.reject(new Error('no query yet'))),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

// --- hostile packets, byte by byte ---------------------------------------------------------------------------

export const name = (dotted: string): Buffer => Buffer.concat([...dotted.split('.').map((label) => Buffer.concat([Buffer.from([Buffer.byteLength(label)]), Buffer.from(label)])), Buffer.from([0])]);

export function header(id: number, counts: [number, number, number, number], flags = 0x8400): Buffer {
  const buffer = Buffer.alloc(12);
  buffer.writeUInt16BE(id, 0);
  buffer.writeUInt16BE(flags, 2);
  counts.forEach((count, index) => buffer.writeUInt16BE(count, 4 + 2 * index));
  return buffer;
}

export function question(owner: Buffer, type: number): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([owner, tail]);
}

export function record(owner: Buffer, type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(0x8001, 2);
  fixed.writeUInt32BE(120, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([owner, fixed, data]);
}

export const srvData = (port: number, target: Buffer): Buffer => {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(port, 4);
  return Buffer.concat([fixed, target]);
};

export function ipv6Bytes(groups: number[]): Buffer {
  const buffer = Buffer.alloc(16);
  groups.forEach((group, index) => buffer.writeUInt16BE(group, 2 * index));
  return buffer;
}

/** An answer to our PTR query (first question echoed) with the given answer records. */
export function answerPacket(records: Buffer[], id = 0): Buffer {
  return Buffer.concat([header(id, [1, records.length, 0, 0]), question(name('_qdiscover._tcp.local'), 12), ...records]);
}

/** One device: its instance under _qdiscover._tcp, its SRV to host.local, and the addresses given. */
export function device(host: string, port: number, addresses: { a?: number[]; aaaa?: number[][] }): Buffer[] {
  const instance = name(`${host}._qdiscover._tcp.local`);
  const target = name(`${host}.local`);
  return [
    record(name('_qdiscover._tcp.local'), 12, instance),
    record(instance, 33, srvData(port, target)),
    ...(addresses.a ? [record(target, 1, Buffer.from(addresses.a))] : []),
    ...(addresses.aaaa ?? []).map((groups) => record(target, 28, ipv6Bytes(groups))),
  ];
}
