import { createHash } from 'node:crypto';
import type { Gateway, Mapping } from '../core/report.generated.js';

/**
 * The parts of a finding id that name a router and a mapping on it. Ids are compared across scans (diff, alerts),
 * so they are functions of what a finding is about and never of the discovery order or of how many routers
 * answered: a second IGD on the LAN must not rename the first one's findings. README "Finding ids" documents the
 * grammar.
 */

const HASH_HEX = 8;

/** A UDN as the device gives it, or undefined when it gives none (the parser stores a missing UDN as ''). */
function udnOf(gateway: Gateway): string | undefined {
  const udn = gateway.udn?.trim().toLowerCase();
  return udn ? udn : undefined;
}

/**
 * `udn-<8 hex>`: the first 8 hex digits of the SHA-256 of the UDN (trimmed, lower-cased; `printf %s uuid:... |
 * sha256sum`). Hashed, not copied: a UDN is device-controlled text of any length, and vendors share long UUID
 * prefixes (every FRITZ!Box's root UDN starts uuid:75802409-bccb-40e7-8e6c-, then its MAC), so neither the raw
 * UDN nor a prefix of it is a short, safe and distinct token.
 */
function udnToken(udn: string): string[] {
  return ['udn', createHash('sha256').update(udn, 'utf8').digest('hex').slice(0, HASH_HEX)];
}

/** LOCATION host and port (`10-0-0-1-5000` once slugged): the fallback when a router names no UDN. */
function locationToken(gateway: Gateway): string[] {
  try {
    const url = new URL(gateway.location);
    return [url.hostname, url.port || (url.protocol === 'https:' ? '443' : '80')];
  } catch {
    return [gateway.address];
  }
}

/**
 * Id parts naming one router among `gateways` (the routers of the same scan): `udn-<hash>`, or `loc-<host>-<port>`
 * without a UDN. Two routers claiming one UDN (a device impersonating another, or one router read at two
 * addresses) cannot be told apart by it, so both get their LOCATION host and port appended.
 */
export function routerIdParts(gateway: Gateway, gateways: readonly Gateway[]): string[] {
  const udn = udnOf(gateway);
  if (udn === undefined) return ['loc', ...locationToken(gateway)];
  const shared = gateways.some((other) => other !== gateway && other.location !== gateway.location && udnOf(other) === udn);
  return shared ? [...udnToken(udn), ...locationToken(gateway)] : udnToken(udn);
}

/**
 * The connection service a mapping was read from, when it is not the usual WANIPConnection: a router can hold an
 * IP and a PPP connection (or UPnP and TR-064 names for them), each with a table of its own, and the same port in
 * two tables is two mappings.
 */
function connectionParts(mapping: Mapping): string[] {
  const match = /^urn:([^:]+):service:([^:]+):\d+$/.exec(mapping.service ?? '');
  if (!mapping.service || !match) return mapping.service ? ['svc', mapping.service.slice(0, 60)] : [];
  const [, namespace = '', name = ''] = match;
  const kind = name === 'WANIPConnection' ? [] : name === 'WANPPPConnection' ? ['ppp'] : [name.slice(0, 40)];
  if (namespace === 'schemas-upnp-org') return kind;
  return [namespace === 'dslforum-org' ? 'tr064' : namespace.slice(0, 40), ...(kind.length > 0 ? kind : ['ip'])];
}

/**
 * Id parts naming one mapping on its router: what UPnP itself keys a mapping by (protocol, external port, remote
 * host) and, when it is not WANIPConnection, the connection service (`ppp`, `tr064-ip`, `tr064-ppp`).
 */
export function mappingIdParts(mapping: Mapping): Array<string | number> {
  return [...connectionParts(mapping), mapping.protocol, mapping.externalPort, ...(mapping.remoteHost ? ['from', mapping.remoteHost] : [])];
}

/** A mapping's identity on one router, for telling a repeated table entry from a second mapping. */
export function mappingKey(mapping: Mapping): string {
  return mappingIdParts(mapping).join(' ');
}
