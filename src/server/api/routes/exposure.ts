import type { FastifyPluginCallback } from 'fastify';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { ApiContext } from '../context.js';
import { exposureOf, NO_EXPOSURE, type ApiExposure } from '../exposure.js';
import { errorResponses, exposureSchema, ref } from '../schemas.js';

export function exposureRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { site?: string } }>(
      '/exposure',
      {
        schema: {
          tags: ['exposure'],
          summary: 'The latest finished scan in flat, stable keys (for a Home Assistant REST sensor)',
          querystring: { type: 'object', additionalProperties: false, properties: { site: SITE_QUERY_SCHEMA } },
          response: { 200: ref(exposureSchema), ...errorResponses(400) },
        },
      },
      async (request): Promise<ApiExposure> => {
        const { site } = request.query;
        const [latest] = await context.store.latestDone(1, site === undefined ? {} : { site });
        const report = latest ? await context.store.getReport(latest.id) : undefined;
        return latest && report ? exposureOf(latest.id, report) : NO_EXPOSURE;
      },
    );
    done();
  };
}
