import type { FastifyPluginCallback } from 'fastify';
import type { ApiContext } from '../context.js';
import { exposureOf, NO_EXPOSURE, type ApiExposure } from '../exposure.js';
import { errorResponses, exposureSchema, ref } from '../schemas.js';

export function exposureRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get(
      '/exposure',
      {
        schema: {
          tags: ['exposure'],
          summary: 'The latest finished scan in flat, stable keys (for a Home Assistant REST sensor)',
          response: { 200: ref(exposureSchema), ...errorResponses() },
        },
      },
      (): ApiExposure => {
        const latest = context.store.latestDone(1)[0];
        const report = latest ? context.store.getReport(latest.id) : undefined;
        return latest && report ? exposureOf(latest.id, report) : NO_EXPOSURE;
      },
    );
    done();
  };
}
