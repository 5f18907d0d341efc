import type { FastifyPluginCallback } from 'fastify';
import { API_DIFF_WORDING, diffFromHistory } from '../../../diff/service.js';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { ApiContext } from '../context.js';
import { DIFF_FORMATS } from '../formats.js';
import { diffSchema, errorResponses, ref } from '../schemas.js';

const scanId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

export function diffRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { from?: number; to?: number; site?: string; format: 'json' | 'text' } }>(
      '/diff',
      {
        schema: {
          tags: ['history'],
          summary: 'What changed between two finished scans (default: the two newest; from alone: from it to the newest)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { from: scanId, to: scanId, site: SITE_QUERY_SCHEMA, format: { type: 'string', enum: Object.keys(DIFF_FORMATS), default: 'json' } },
          },
          response: { 200: ref(diffSchema), ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        // As "exposure diff [FROM] [TO]", through the same service: the same pair, the same codes.
        const diff = await diffFromHistory(context.store, request.query, API_DIFF_WORDING);
        if (request.query.format === 'text') {
          return reply.type(DIFF_FORMATS.text.contentType).serializer((payload) => payload as string).send(DIFF_FORMATS.text.render(diff));
        }
        return diff;
      },
    );
    done();
  };
}
