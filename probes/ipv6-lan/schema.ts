import type { JsonSchema } from '../../src/core/probe.js';

const text = (maxLength: number): JsonSchema => ({ type: 'string', maxLength });
const count: JsonSchema = { type: 'integer', minimum: 0 };
const warning: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: text(64), message: text(2000), upnpErrorCode: { type: 'integer' }, probe: text(60) },
};

/** report.probes['ipv6-lan']['ipv6-address'][]: one global IPv6 address of the LAN (types.ts Ipv6LanAddress). */
export const ADDRESS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'prefix', 'sources', 'thisHost', 'temporary', 'router'],
  properties: {
    address: text(45),
    prefix: text(50),
    sources: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { enum: ['interface', 'neighbour', 'nas-host'] } },
    thisHost: { type: 'boolean' },
    interface: text(32),
    mac: { type: 'string', pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' },
    ipv4: text(15),
    nas: { type: 'object', additionalProperties: false, required: ['vendor'], properties: { vendor: text(100), model: text(200) } },
    temporary: { type: ['boolean', 'null'] },
    router: { type: 'boolean' },
  },
};

/** report.probes['ipv6-lan']['ipv6-inventory'][]: how the addresses were looked for (types.ts Ipv6Inventory). */
export const INVENTORY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['interfaces', 'neighbourTable', 'nasHosts', 'mdns', 'warm', 'dropped', 'documentationPrefixes', 'addressesTruncated', 'warnings'],
  properties: {
    interfaces: { type: 'object', additionalProperties: false, required: ['read', 'globalAddresses'], properties: { read: { type: 'boolean' }, globalAddresses: count } },
    neighbourTable: {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'entries', 'truncated', 'rejected'],
      properties: { status: { enum: ['read', 'failed', 'not-run'] }, entries: count, truncated: { type: 'boolean' }, rejected: count, error: text(500) },
    },
    nasHosts: { type: 'object', additionalProperties: false, required: ['recognised', 'withIpv6'], properties: { recognised: count, withIpv6: count } },
    mdns: { const: 'not-tried' },
    warm: { const: 'not-sent' },
    dropped: { type: 'object', additionalProperties: false, required: ['linkLocal', 'ula', 'documentation', 'other'], properties: { linkLocal: count, ula: count, documentation: count, other: count } },
    documentationPrefixes: { type: 'boolean' },
    addressesTruncated: { type: 'boolean' },
    warnings: { type: 'array', maxItems: 32, items: warning },
  },
};

/** report.probes['ipv6-lan']['ipv6-firewall'][]: one router's IPv6 firewall (src/net/igd-firewall.ts Ipv6FirewallReading). */
export const FIREWALL_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['gateway', 'offered', 'enabled', 'inboundPinholeAllowed', 'readBy'],
  properties: {
    gateway: text(64),
    friendlyName: text(200),
    offered: { type: 'boolean' },
    enabled: { type: ['boolean', 'null'] },
    inboundPinholeAllowed: { type: ['boolean', 'null'] },
    readBy: { enum: ['upnp-igd', 'ipv6-lan', 'none'] },
    error: warning,
  },
};
