import type { FastifyPluginCallback } from 'fastify';
import { alertView } from '../../../alerts/render.js';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { AlertStatus } from '../../../store/types.js';
import type { ApiContext } from '../context.js';
import { alertListSchema, errorResponses, ref } from '../schemas.js';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['pending', 'delivered', 'abandoned'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    site: SITE_QUERY_SCHEMA,
  },
} as const;

export function alertRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { status?: AlertStatus; limit: number; site?: string } }>(
      '/alerts',
      { schema: { tags: ['alerts'], summary: 'The webhook outbox, newest first: sent, waiting for a retry, or given up', querystring, response: { 200: ref(alertListSchema), ...errorResponses(400) } } },
      async (request) => {
        const { status, limit, site } = request.query;
        const schedules = await context.store.listSchedules(site === undefined ? {} : { site });
        return { alerts: (await context.store.listAlerts({ limit, ...(status ? { status } : {}), ...(site === undefined ? {} : { site }) })).map((alert) => alertView(alert, schedules)) };
      },
    );
    done();
  };
}
