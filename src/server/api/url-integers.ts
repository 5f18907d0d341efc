import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

/**
 * Whole numbers in a URL (ids in paths, limit, from, to) are written in decimal digits and nothing else. The URL
 * validator coerces text to numbers the way JavaScript does, which also takes 1e3, 0x10, 1.0, +1 and " 1" for
 * numbers: five spellings of one scan, and a huge exponent that is a number but no id. Checked on the raw text,
 * before coercion; ajv then checks the range. 16 digits at most: past that no id or limit is real.
 */
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

type Part = 'params' | 'querystring';

/** The names of the integer fields of a route's params or querystring schema (plain objects, no $ref). */
function integerFields(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
  if (!properties) return [];
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

const cache = new WeakMap<object, Record<Part, string[]>>();

function fieldsOf(schema: Record<string, unknown>): Record<Part, string[]> {
  let fields = cache.get(schema);
  if (!fields) {
    fields = { params: integerFields(schema['params']), querystring: integerFields(schema['querystring']) };
    cache.set(schema, fields);
  }
  return fields;
}

/** preValidation hook: a 400 EXP_ERR_API_BAD_REQUEST for any other spelling of a URL integer. */
export async function decimalIntegersOnly(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const schema = request.routeOptions.schema as Record<string, unknown> | undefined;
  if (!schema) return undefined;
  const fields = fieldsOf(schema);
  const values: Record<Part, Record<string, unknown>> = {
    params: (request.params ?? {}) as Record<string, unknown>,
    querystring: (request.query ?? {}) as Record<string, unknown>,
  };
  for (const part of ['params', 'querystring'] as const) {
    for (const name of fields[part]) {
      const raw = values[part][name];
      if (raw === undefined) continue;
      const all = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      if (all.some((value) => typeof value !== 'string' || !DECIMAL.test(value))) {
        // An async hook that answers returns the reply, so fastify stops there.
        return sendError(reply, 400, 'EXP_ERR_API_BAD_REQUEST', `Invalid request: ${part}/${name} must be a whole number written in decimal digits`);
      }
    }
  }
  return undefined;
}
