/**
 * Records the real avahi-daemon's answers to the scanner's mDNS query into test/ipv6/fixtures/ (see the README
 * there).
 *
 *   npx tsx test/ipv6/record-mdns.ts record
 *
 * Without `record` it does nothing (tap loads every file of the folder). Needs root, the lab tools and avahi-daemon;
 * the query goes from the lab's scanner namespace to 224.0.0.251 and ff02::fb on the lab's bridge, every packet
 * stays inside the lab's namespaces.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startLab, type Lab } from '../lab/lab.js';
import { startAvahi } from '../lab/avahi.js';
import { DNS_TYPE, encodeQuery, labelsOf } from '../../src/net/mdns-packet.js';
import { MDNS_SERVICE_TYPES } from '../../src/net/mdns.js';
import { LAB_NAS_AVAHI } from './mdns-fixture.js';

const OUT = resolve('test/ipv6/fixtures');

// One query from an ephemeral port (legacy unicast), every answer for 1.5 s, as JSON lines with the bytes in base64.
const LISTEN = `
const dgram = require('node:dgram');
const [family, group, iface, query] = process.argv.slice(1);
const socket = dgram.createSocket({ type: family, ipv6Only: family === 'udp6' });
socket.on('message', (m, r) => process.stdout.write(JSON.stringify({ from: r.address, bytes: m.toString('base64') }) + '\\n'));
socket.bind({ address: family === 'udp6' ? '::' : iface, port: 0 }, () => {
  socket.setMulticastInterface(family === 'udp6' ? '::%' + 'eth0' : iface);
  socket.setMulticastTTL(255);
  socket.send(Buffer.from(query, 'base64'), 5353, group, () => setTimeout(() => socket.close(), 1500));
});
`;

async function ask(lab: Lab, family: 'udp4' | 'udp6', query: Buffer): Promise<Array<{ from: string; bytes: string }>> {
  const group = family === 'udp6' ? 'ff02::fb%eth0' : '224.0.0.251';
  const result = await lab.exec(lab.scanner, process.execPath, ['-e', LISTEN, family, group, lab.scanner.address, query.toString('base64')], { timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(result.stderr);
  return result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { from: string; bytes: string });
}

async function main(): Promise<void> {
  const lab = await startLab({ net: { a: 1, b: 2 }, ipv6: true, uuid: 'e5c0a5e0-2a3b-4c1d-8e0f-000000000002' });
  try {
    for (const [host, address] of [[lab.scanner, '2001:db8:1:2::10'], [lab.nas, '2001:db8:1:2::20']] as const) {
      await lab.exec(host, 'ip', ['-6', 'addr', 'add', `${address}/64`, 'dev', 'eth0']);
    }
    const avahi = startAvahi(lab, lab.nas, LAB_NAS_AVAHI);
    await avahi.ready;
    const first = encodeQuery(0x5a17, MDNS_SERVICE_TYPES.map((type) => ({ labels: labelsOf(type), type: DNS_TYPE.PTR })));
    const target = labelsOf(`${LAB_NAS_AVAHI.hostName}.local`);
    const followUp = encodeQuery(0x5a18, [{ labels: target, type: DNS_TYPE.A }, { labels: target, type: DNS_TYPE.AAAA }]);
    const recorded = {
      avahi: execFileSync('avahi-daemon', ['--version']).toString().trim(),
      date: new Date().toISOString(),
      queries: { ptr: first.toString('base64'), addresses: followUp.toString('base64') },
      answers: {
        ptrOverIpv4: await ask(lab, 'udp4', first),
        ptrOverIpv6: await ask(lab, 'udp6', first),
        addressesOverIpv4: await ask(lab, 'udp4', followUp),
      },
    };
    const file = resolve(OUT, 'avahi-0.8-legacy-unicast.json');
    writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
    process.stdout.write(`recorded ${file}\n${avahi.log()}\n`);
  } finally {
    await lab.down();
  }
}

if (process.argv[2] === 'record') await main();
