/**
 * A tiny authoritative-only DNS server on UDP (127.0.0.1:0 in unit tests, a lab namespace in the lab): answers A
 * questions from a fixed table, NXDOMAIN for anything else, and records every question. Tests point the
 * scanner at it with --dns-server, so no query ever reaches a real resolver.
 */
import dgram from 'node:dgram';

export interface FakeDnsOptions {
  /** name (lower case, no trailing dot) -> IPv4 addresses */
  records: Record<string, string[]>;
  host?: string;
  port?: number;
  /** Never answer (timeouts). */
  silent?: boolean;
}

export interface FakeDns {
  host: string;
  port: number;
  server: string;
  questions: string[];
  close(): Promise<void>;
}

function readName(message: Buffer, offset: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let position = offset;
  for (let count = 0; count < 128; count++) {
    const length = message[position];
    if (length === undefined || length > 63) return undefined;
    position += 1;
    if (length === 0) return { name: labels.join('.').toLowerCase(), end: position };
    labels.push(message.subarray(position, position + length).toString('latin1'));
    position += length;
  }
  return undefined;
}

export function answer(query: Buffer, records: FakeDnsOptions['records']): Buffer | undefined {
  if (query.length < 17) return undefined;
  const question = readName(query, 12);
  if (!question || question.end + 4 > query.length) return undefined;
  const type = query.readUInt16BE(question.end);
  const addresses = type === 1 ? (records[question.name] ?? []) : [];
  const known = question.name in records;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, index) => record.writeUInt8(Number(octet), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, question.end + 4), ...answers]);
}

export async function startFakeDns(options: FakeDnsOptions): Promise<FakeDns> {
  const socket = dgram.createSocket('udp4');
  const questions: string[] = [];
  socket.on('message', (message, remote) => {
    const name = readName(message, 12)?.name;
    if (name !== undefined) questions.push(name);
    if (options.silent) return;
    const reply = answer(message, options.records);
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => socket.bind(options.port ?? 0, host, resolve));
  const { port } = socket.address();
  return { host, port, server: `${host}:${port}`, questions, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
