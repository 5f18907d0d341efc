import net from 'node:net';
import type { AddressClass } from './report.generated.js';

export function ipv4ToNumber(address: string): number | undefined {
  if (!net.isIPv4(address)) return undefined;
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

interface Block {
  base: number;
  bits: number;
}

/**
 * The blocks asked about are few (this machine's subnets, loopback) and asked about once per mapping, 1,000 times on
 * a large table: each is parsed once. Bounded, since a CIDR can come from outside (a router's answer).
 */
const parsedBlocks = new Map<string, Block>();
const MAX_PARSED_BLOCKS = 256;

function cachedBlock(cidr: string): Block {
  const known = parsedBlocks.get(cidr);
  if (known) return known;
  const parsed = block(cidr);
  if (parsedBlocks.size < MAX_PARSED_BLOCKS) parsedBlocks.set(cidr, parsed);
  return parsed;
}

function block(cidr: string): Block {
  const [address = '', bits = '32'] = cidr.split('/');
  const base = ipv4ToNumber(address);
  if (base === undefined) throw new Error(`bad CIDR constant ${cidr}`);
  return { base, bits: Number(bits) };
}

function inBlock(value: number, { base, bits }: Block): boolean {
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(value / size) === Math.floor(base / size);
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(block);
const CGNAT = block('100.64.0.0/10');
/** IANA IPv4 special-purpose registry (RFC 6890 and successors), less the blocks classified above. */
const RESERVED = [
  '0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '192.0.0.0/24', '192.0.2.0/24', '192.31.196.0/24', '192.52.193.0/24',
  '192.88.99.0/24', '192.175.48.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
].map(block);

/**
 * Only a public external address can be reached from the internet. Anything else means another NAT sits between
 * this router and the internet (double NAT, or the ISP's carrier-grade NAT), so UPnP mappings here do not, by
 * themselves, expose anything.
 */
export function classifyIPv4(address: string | null | undefined): AddressClass {
  const value = address ? ipv4ToNumber(address) : undefined;
  if (value === undefined) return 'unknown';
  if (PRIVATE.some((b) => inBlock(value, b))) return 'private';
  if (inBlock(value, CGNAT)) return 'cgnat';
  if (RESERVED.some((b) => inBlock(value, b))) return 'reserved';
  return 'public';
}

/**
 * Whether the address is one a host on the subnet can have: in the CIDR and, on a subnet with room for them
 * (/30 and larger), neither its network nor its broadcast address (a request there reaches every host, or none).
 */
export function isHostInCidr(address: string, cidr: string): boolean {
  const value = ipv4ToNumber(address);
  if (value === undefined || !isInCidr(address, cidr)) return false;
  const bits = Number(cidr.split('/')[1] ?? '32');
  if (!(bits <= 30)) return true;
  const size = 2 ** (32 - bits);
  const offset = value % size;
  return offset !== 0 && offset !== size - 1;
}

export function isInCidr(address: string, cidr: string): boolean {
  const value = ipv4ToNumber(address);
  if (value === undefined) return false;
  try {
    return inBlock(value, cachedBlock(cidr));
  } catch {
    return false;
  }
}

/** Network CIDR (e.g. 10.1.2.0/24) of an interface address and its prefix length. */
export function networkCidr(address: string, prefixLength: number): string {
  const value = ipv4ToNumber(address) ?? 0;
  const size = 2 ** (32 - prefixLength);
  const base = Math.floor(value / size) * size;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefixLength}`;
}
