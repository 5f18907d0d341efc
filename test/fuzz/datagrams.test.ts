/**
 * Property tests of the two UDP answer parsers: SSDP (src/net/ssdp.ts) and NAT-PMP (src/net/natpmp.ts). Any host
 * on the LAN can send either; both parsers return undefined for what they do not understand and never throw.
 */
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { parseSsdpAnswer } from '../../src/net/ssdp.js';
import { parseNatPmpAnswer } from '../../src/net/natpmp.js';
import { FUZZ, mutated, nastyString, within } from '../support/fuzz.js';

const SSDP = readFileSync(new URL('../fixtures/miniupnpd-2.3.1/ssdp-response.txt', import.meta.url), 'latin1');
const NATPMP = readFileSync(new URL('../fixtures/miniupnpd-2.3.1/natpmp-external-address.bin', import.meta.url));
const BUDGET_MS = 50;

function checkSsdp(message: Buffer): void {
  within(BUDGET_MS, 'parseSsdpAnswer', () => {
    const answer = parseSsdpAnswer(message, '192.168.1.1');
    if (!answer) return;
    if (message.length > 8192) throw new Error('read an oversized datagram');
    if (answer.from !== '192.168.1.1' || answer.location === '') throw new Error(`answer ${JSON.stringify(answer)}`);
    for (const value of [answer.location, answer.st, answer.usn, answer.server]) {
      // One header value: capped, and never spanning lines (a value cannot smuggle a second header).
      if (value.length > 1024 || value.includes('\n')) throw new Error(`header value ${JSON.stringify(value.slice(0, 80))}`);
      if (value !== value.trim()) throw new Error('value not trimmed');
    }
  });
}

t.test('parseSsdpAnswer: never throws; values capped, single-line and trimmed', async () => {
  const header = fc.tuple(fc.constantFrom('LOCATION', 'location', 'ST', 'USN', 'SERVER', 'Location ', ' LOCATION', 'X', ''), fc.constantFrom(':', ': ', '::', ''), nastyString(80)).map(([name, colon, value]) => `${name}${colon}${value}`);
  const message = fc.oneof(
    fc.tuple(fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.0 200', 'HTTP/1.1 2000', 'NOTIFY * HTTP/1.1', 'HTTP/1.1 404 Not Found', ''), fc.array(header, { maxLength: 12 }), fc.constantFrom('\r\n', '\n', '\r')).map(([status, headers, eol]) => Buffer.from([status, ...headers, '', ''].join(eol), 'latin1')),
    mutated(SSDP, nastyString(20)).map((text) => Buffer.from(text, 'latin1')),
    fc.uint8Array({ maxLength: 9000 }).map((bytes) => Buffer.from(bytes)),
  );
  fc.assert(fc.property(message, checkSsdp), FUZZ(1000));
});

t.test('parseSsdpAnswer: long and repeated headers', async (t) => {
  const long = Buffer.from(`HTTP/1.1 200 OK\r\nLOCATION: http://192.168.1.1/${'a'.repeat(8000)}\r\n\r\n`, 'latin1');
  t.equal(parseSsdpAnswer(long, '192.168.1.1')?.location.length, 1024, 'capped at 1024');
  const repeated = Buffer.from(`HTTP/1.1 200 OK\r\n${'LOCATION: http://192.168.1.1/\r\n'.repeat(250)}`, 'latin1');
  t.equal(parseSsdpAnswer(repeated, '192.168.1.1')?.location, 'http://192.168.1.1/', 'the first of repeated headers wins');
  checkSsdp(Buffer.from(`HTTP/1.1 200 OK\r\n${':'.repeat(8100)}`, 'latin1'));
  checkSsdp(Buffer.from(`HTTP/1.1 200 OK${'\n'.repeat(8100)}`, 'latin1'));
  checkSsdp(Buffer.alloc(8192, 0));
});

t.test('parseNatPmpAnswer: never throws; what it returns is well formed', async () => {
  const datagram = fc.oneof(
    fc.uint8Array({ maxLength: 1100 }).map((bytes) => Buffer.from(bytes)),
    fc.tuple(fc.constantFrom(0, 1, 2, 255), fc.constantFrom(0, 128, 129, 130, 255), fc.uint8Array({ maxLength: 14 })).map(([version, opcode, rest]) => Buffer.from([version, opcode, ...rest])),
    fc.tuple(fc.nat({ max: 11 }), fc.integer({ min: 0, max: 255 })).map(([at, value]) => {
      const copy = Buffer.from(NATPMP);
      copy[at] = value;
      return copy;
    }),
  );
  fc.assert(
    fc.property(datagram, (message) => {
      const answer = parseNatPmpAnswer(message);
      if (!answer) return;
      if (answer.version !== 0 && answer.version !== 2) throw new Error(`version ${answer.version}`);
      if (!Number.isInteger(answer.resultCode) || answer.resultCode < 0 || answer.resultCode > 0xffff) throw new Error(`result ${answer.resultCode}`);
      if (answer.epochSeconds !== null && (!Number.isInteger(answer.epochSeconds) || answer.epochSeconds < 0 || answer.epochSeconds > 0xffffffff)) throw new Error(`epoch ${answer.epochSeconds}`);
      if (answer.externalIp !== null && (!net.isIPv4(answer.externalIp) || answer.resultCode !== 0)) throw new Error(`address ${answer.externalIp} with result ${answer.resultCode}`);
    }),
    FUZZ(1000),
  );
});
