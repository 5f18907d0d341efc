/**
 * The DNS message format as mDNS uses it (RFC 1035 §4, RFC 6762 §18): a query encoder and a decoder for answers.
 * Every answer comes from some device on the LAN, so the decoder bounds everything before it works on it: the packet
 * size, the records read, a name's length (255 bytes, 63 per label), and compression pointers, which must point
 * strictly backwards (a loop then cannot exist) and at most MAX_POINTER_JUMPS times.
 */

import { ipv6Text } from './portscan/ipv6.js';

export const DNS_TYPE = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33 } as const;

export const PACKET_LIMITS = {
  /** RFC 6762 §17: an mDNS packet is at most 9,000 bytes; anything larger is not read at all. */
  maxPacketBytes: 9000,
  maxNameBytes: 255,
  /** More jumps than this is not compression but an attempt to make the reader loop. */
  maxPointerJumps: 20,
  /** Records read from one packet (questions included); a 9,000-byte packet can claim 65,535 of each section. */
  maxRecords: 256,
  /** TXT strings read from one record. */
  maxTxtStrings: 32,
} as const;

/** A name as its labels (raw bytes): an instance name may hold dots and any UTF-8, so no dotted text is exact. */
export type Labels = readonly Buffer[];

export interface Question {
  labels: Labels;
  type: number;
}

export type RecordData =
  | { kind: 'A' | 'AAAA'; address: string }
  | { kind: 'PTR'; target: Labels }
  | { kind: 'SRV'; port: number; target: Labels }
  | { kind: 'TXT'; strings: Buffer[] }
  | { kind: 'other' };

export interface ResourceRecord {
  labels: Labels;
  type: number;
  data: RecordData;
}

export interface DnsMessage {
  id: number;
  /** QR bit: an answer. */
  response: boolean;
  opcode: number;
  rcode: number;
  questions: Question[];
  /** Answer and additional records (authority records carry nothing mDNS answers need). */
  records: ResourceRecord[];
  /** The packet claimed more records than PACKET_LIMITS.maxRecords: the rest were not read. */
  cut: boolean;
}

/** Why a packet was not read; the caller counts it and moves on. */
export class PacketError extends Error {}

/** A comparison key for a name: DNS names compare ASCII-case-insensitively; '.' and '\' inside a label are escaped. */
export function nameKey(labels: Labels): string {
  return labels.map((label) => label.toString('utf8').toLowerCase().replace(/[\\.]/g, '\\$&')).join('.');
}

/** Labels of a dotted name that has no dots inside its labels (the service types we ask for). */
export function labelsOf(dotted: string): Buffer[] {
  return dotted
    .split('.')
    .filter((label) => label !== '')
    .map((label) => Buffer.from(label, 'utf8'));
}

export function encodeQuery(id: number, questions: readonly Question[]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(questions.length, 4);
  parts.push(header);
  for (const question of questions) {
    for (const label of question.labels) {
      if (label.length === 0 || label.length > 63) throw new PacketError(`a label of ${label.length} bytes cannot be sent`);
      parts.push(Buffer.from([label.length]), label);
    }
    const tail = Buffer.alloc(5);
    tail.writeUInt16BE(question.type, 1);
    // Class IN without the unicast-response bit: a query from a port other than 5353 is answered by unicast anyway
    // (RFC 6762 §6.7), and the bit would only matter to a responder that ignores the source port.
    tail.writeUInt16BE(1, 3);
    parts.push(tail);
  }
  return Buffer.concat(parts);
}

function readName(packet: Buffer, start: number): { labels: Buffer[]; next: number } {
  const labels: Buffer[] = [];
  let position = start;
  // Every pointer must go below the start of the stretch being read: the reads strictly move backwards, so they end.
  let floor = start;
  let next = -1;
  let jumps = 0;
  let bytes = 1;
  for (;;) {
    const length = packet[position];
    if (length === undefined) throw new PacketError('a name runs past the end of the packet');
    if ((length & 0xc0) === 0xc0) {
      const low = packet[position + 1];
      if (low === undefined) throw new PacketError('a compression pointer runs past the end of the packet');
      const target = ((length & 0x3f) << 8) | low;
      if (target >= floor) throw new PacketError('a compression pointer does not point backwards');
      if (++jumps > PACKET_LIMITS.maxPointerJumps) throw new PacketError('too many compression pointers in one name');
      if (next < 0) next = position + 2;
      position = target;
      floor = target;
      continue;
    }
    // 0x40 and 0x80 are the extended and reserved label types (RFC 6891 §5, RFC 2673): never in an mDNS answer.
    if ((length & 0xc0) !== 0) throw new PacketError('a label longer than 63 bytes');
    if (length === 0) {
      if (next < 0) next = position + 1;
      return { labels, next };
    }
    bytes += length + 1;
    if (bytes > PACKET_LIMITS.maxNameBytes) throw new PacketError('a name longer than 255 bytes');
    if (position + 1 + length > packet.length) throw new PacketError('a label runs past the end of the packet');
    labels.push(packet.subarray(position + 1, position + 1 + length));
    position += 1 + length;
  }
}

function readData(packet: Buffer, type: number, start: number, length: number): RecordData {
  const end = start + length;
  const data = packet.subarray(start, end);
  if (type === DNS_TYPE.A) {
    if (length !== 4) throw new PacketError('an A record that is not 4 bytes');
    return { kind: 'A', address: [...data].join('.') };
  }
  if (type === DNS_TYPE.AAAA) {
    if (length !== 16) throw new PacketError('an AAAA record that is not 16 bytes');
    return { kind: 'AAAA', address: ipv6Text(BigInt(`0x${data.toString('hex')}`)) };
  }
  if (type === DNS_TYPE.PTR || type === DNS_TYPE.SRV) {
    const offset = type === DNS_TYPE.SRV ? 6 : 0;
    if (length < offset + 1) throw new PacketError('a record too short for its type');
    const name = readName(packet, start + offset);
    if (name.next > end) throw new PacketError('a name runs past its record');
    return type === DNS_TYPE.PTR ? { kind: 'PTR', target: name.labels } : { kind: 'SRV', port: packet.readUInt16BE(start + 4), target: name.labels };
  }
  if (type === DNS_TYPE.TXT) {
    const strings: Buffer[] = [];
    let position = 0;
    while (position < length && strings.length < PACKET_LIMITS.maxTxtStrings) {
      const size = data[position] ?? 0;
      if (position + 1 + size > length) throw new PacketError('a TXT string runs past its record');
      strings.push(data.subarray(position + 1, position + 1 + size));
      position += 1 + size;
    }
    return { kind: 'TXT', strings };
  }
  return { kind: 'other' };
}

/** Decodes one packet, or throws PacketError; a packet that is cut anywhere is not read at all. */
export function decodeMessage(packet: Buffer): DnsMessage {
  if (packet.length > PACKET_LIMITS.maxPacketBytes) throw new PacketError(`a packet of ${packet.length} bytes (the limit is ${PACKET_LIMITS.maxPacketBytes})`);
  if (packet.length < 12) throw new PacketError('a packet shorter than a DNS header');
  const flags = packet.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((offset) => packet.readUInt16BE(offset));
  const [questionCount = 0, answerCount = 0, authorityCount = 0, additionalCount = 0] = counts;
  const claimed = questionCount + answerCount + authorityCount + additionalCount;
  const budget = Math.min(claimed, PACKET_LIMITS.maxRecords);
  const message: DnsMessage = {
    id: packet.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    questions: [],
    records: [],
    cut: claimed > budget,
  };
  let position = 12;
  for (let index = 0; index < budget; index++) {
    const name = readName(packet, position);
    position = name.next;
    if (position + 4 > packet.length) throw new PacketError('a record runs past the end of the packet');
    const type = packet.readUInt16BE(position);
    if (index < questionCount) {
      message.questions.push({ labels: name.labels, type });
      position += 4;
      continue;
    }
    if (position + 10 > packet.length) throw new PacketError('a record runs past the end of the packet');
    const length = packet.readUInt16BE(position + 8);
    const start = position + 10;
    if (start + length > packet.length) throw new PacketError('record data runs past the end of the packet');
    position = start + length;
    const authority = index >= questionCount + answerCount && index < questionCount + answerCount + authorityCount;
    // The class's top bit is mDNS's cache-flush flag; only IN (1) carries addresses.
    if (authority || (packet.readUInt16BE(start - 8) & 0x7fff) !== 1) continue;
    message.records.push({ labels: name.labels, type, data: readData(packet, type, start, length) });
  }
  return message;
}
