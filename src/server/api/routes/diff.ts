import type { FastifyPluginCallback } from 'fastify';
import { renderDiffText } from '../../../diff/render.js';
import { API_DIFF_WORDING, diffFromHistory } from '../../../diff/service.js';
import type { ApiContext } from '../context.js';
import { diffSchema, errorResponses, ref } from '../schemas.js';

const scanId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

export function diffRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { from?: number; to?: number; format: 'json' | 'text' } }>(
      '/diff',
      {
        schema: {
          tags: ['history'],
          summary: 'What changed between two finished scans (default: the two newest; from alone: from it to the newest)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { from: scanId, to: scanId, format: { type: 'string', enum: ['json', 'text'], default: 'json' } },
          },
          response: { 200: ref(diffSchema), ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        // As "exposure diff [FROM] [TO]", through the same service: the same pair, the same codes.
        const diff = await diffFromHistory(context.store, request.query, API_DIFF_WORDING);
        if (request.query.format === 'text') {
          return reply.type('text/plain; charset=utf-8').serializer((payload) => payload as string).send(renderDiffText(diff));
        }
        return diff;
      },
    );
    done();
  };
}
