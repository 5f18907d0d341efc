import { reportSchemaRef, type JsonSchema } from '../../src/core/probe.js';

const text = (maxLength: number): JsonSchema => ({ type: 'string', maxLength });
const count: JsonSchema = { type: 'integer', minimum: 0 };

/** report.probes['wan6-scan']['ipv6-scan'][]: the IPv6 outside view (types.ts Ipv6Scan). */
export const SCAN_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'requested', 'portsAsked', 'targets', 'hosts', 'refused', 'warnings'],
  properties: {
    status: { enum: ['scanned', 'skipped', 'failed'] },
    requested: { type: 'boolean' },
    code: { type: 'string', pattern: '^EXP_ERR_[A-Z0-9_]+$' },
    reason: text(1000),
    agentUrl: text(300),
    callerAddress: text(45),
    prefix: text(64),
    engine: { enum: ['nmap', 'connect'] },
    durationMs: { type: 'number', minimum: 0 },
    portSpec: text(4096),
    portsAsked: count,
    targets: { type: 'array', maxItems: 64, items: text(45) },
    hosts: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'open', 'closed', 'filtered', 'openFiltered'],
        properties: { address: text(45), open: { type: 'array', maxItems: 65535, items: reportSchemaRef('WanPort') }, closed: count, filtered: count, openFiltered: count },
      },
    },
    refused: { type: 'array', maxItems: 64, items: { type: 'object', additionalProperties: false, required: ['address', 'reason'], properties: { address: text(45), reason: text(300) } } },
    warnings: { type: 'array', maxItems: 100, items: text(2000) },
  },
};
