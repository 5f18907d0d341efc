import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { createError } from '../core/errors.js';
import { networkCidr } from '../core/address.js';
import type { LocalNetwork } from '../core/report.generated.js';

/** Non-internal IPv4 interfaces: where SSDP is sent and what counts as "the LAN". */
export function localIpv4Networks(only?: string): LocalNetwork[] {
  const found: LocalNetwork[] = [];
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if (only !== undefined && name !== only) continue;
    for (const info of addresses ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue;
      const prefix = Number(info.cidr?.split('/')[1] ?? 32);
      found.push({ interface: name, address: info.address, cidr: networkCidr(info.address, prefix) });
    }
  }
  if (only !== undefined && found.length === 0) {
    const known = Object.keys(os.networkInterfaces()).join(', ');
    throw createError('EXP_ERR_INTERFACE_NOT_FOUND', `Interface ${only} does not exist or has no IPv4 address`, {
      hint: `Choose one of: ${known || 'none found'}.`,
    });
  }
  return found;
}

/**
 * IPv4 default gateways from the kernel routing table. Linux only (/proc/net/route); elsewhere the list is empty
 * and discovery relies on multicast alone.
 */
export async function defaultGateways(only?: string): Promise<string[]> {
  let table: string;
  try {
    table = await readFile('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const gateways = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const [iface, destination, gatewayHex, flags] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || !gatewayHex || gatewayHex === '00000000') continue;
    if (only !== undefined && iface !== only) continue;
    // RTF_GATEWAY (0x2): the route goes through a router.
    if (flags && (Number.parseInt(flags, 16) & 0x2) === 0) continue;
    const value = Number.parseInt(gatewayHex, 16);
    // The kernel prints the address in host (little-endian) byte order.
    gateways.add([0, 8, 16, 24].map((shift) => (value >>> shift) & 0xff).join('.'));
  }
  return [...gateways];
}
