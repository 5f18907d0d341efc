import net from 'node:net';
import { createError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import { myQnapCloudName } from '../qnap/myqnapcloud-name.js';

const MAX_NAS = 16;
const MAX_NAMES = 8;

/** ADDRESS or ADDRESS:PORT, IPv4 only (the resolver for --myqnapcloud). */
function parseDnsServer(raw: string): string {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(raw);
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  if (!match?.[1] || !net.isIPv4(match[1]) || port < 1 || port > 65535) {
    throw createError('EXP_ERR_USAGE', `--dns-server ${raw} is not an IPv4 ADDRESS[:PORT]`, { hint: 'Example: --dns-server 192.168.1.1 or --dns-server 127.0.0.1:5353' });
  }
  return `${match[1]}:${port}`;
}

/**
 * --nas, --myqnapcloud and --dns-server. --nas addresses are checked for shape here and for being on a local
 * subnet when the scan starts (only then are the subnets known).
 */
export function qnapScanOptions(nas: string[] | undefined, names: string[] | undefined, dnsServer: string | undefined): Pick<ScanOptions, 'nas' | 'myqnapcloud' | 'dnsServer'> {
  const options: Pick<ScanOptions, 'nas' | 'myqnapcloud' | 'dnsServer'> = {};
  if (nas !== undefined) {
    for (const address of nas) {
      if (!net.isIPv4(address)) throw createError('EXP_ERR_NAS_NOT_ALLOWED', `--nas ${address.slice(0, 100)} is not an IPv4 address`, { hint: 'Give the NAS by its LAN IPv4 address, e.g. --nas 192.168.1.20 (names are refused: DNS could point anywhere).' });
    }
    if (nas.length > MAX_NAS) throw createError('EXP_ERR_USAGE', `--nas given ${nas.length} times; at most ${MAX_NAS}`);
    options.nas = [...new Set(nas)];
  }
  if (names !== undefined) {
    if (names.length > MAX_NAMES) throw createError('EXP_ERR_USAGE', `--myqnapcloud given ${names.length} times; at most ${MAX_NAMES}`);
    options.myqnapcloud = [...new Set(names.map(myQnapCloudName))];
  }
  if (dnsServer !== undefined) {
    if (names === undefined) throw createError('EXP_ERR_USAGE', '--dns-server is only used with --myqnapcloud', { hint: 'Add --myqnapcloud NAME, or drop --dns-server.' });
    options.dnsServer = parseDnsServer(dnsServer);
  }
  return options;
}
