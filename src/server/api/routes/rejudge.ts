import type { FastifyPluginCallback } from 'fastify';
import { API_DIFF_WORDING } from '../../../diff/service.js';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { ApiContext } from '../context.js';
import { REJUDGE_FORMATS } from '../formats.js';
import { errorResponses, idParams, ref, rejudgeSchema } from '../schemas.js';

export function rejudgeRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Params: { id: number }; Querystring: { site?: string; format: 'json' | 'text' } }>(
      '/scans/:id/rejudge',
      {
        schema: {
          tags: ['history'],
          summary: 'A stored scan judged again with the vendor data loaded now, and what that changes (read-only)',
          description:
            'The facts the scan recorded, held against the vendor packs loaded now (the shipped ones and the folders the scan was recorded with): verdicts that differ, findings new, resolved or re-rated, the headline and packs then and now. The same object as "exposure history rejudge ID --format json". A scan without a report is 409 EXP_ERR_SCAN_STATE; a device recognised by a pack folder this server no longer has is 409 EXP_ERR_REJUDGE_PACK_MISSING.',
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { site: SITE_QUERY_SCHEMA, format: { type: 'string', enum: Object.keys(REJUDGE_FORMATS), default: 'json' } },
          },
          response: { 200: ref(rejudgeSchema), ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        // Loaded on first use: judging pulls in the rules, the report build and the packs.
        const { rejudgeFromHistory, API_REJUDGE_PACK_HINT } = await import('../../../diff/rejudge.js');
        // As "exposure history rejudge ID", through the same service: the same packs, the same codes.
        const rejudged = await rejudgeFromHistory(context.store, { id: request.params.id, site: request.query.site }, { ...API_DIFF_WORDING, packHint: API_REJUDGE_PACK_HINT });
        if (request.query.format === 'text') {
          return reply.type(REJUDGE_FORMATS.text.contentType).serializer((payload) => payload as string).send(REJUDGE_FORMATS.text.render(rejudged));
        }
        return rejudged;
      },
    );
    done();
  };
}
