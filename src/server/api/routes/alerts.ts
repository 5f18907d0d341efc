import type { FastifyPluginCallback } from 'fastify';
import { alertView } from '../../../alerts/render.js';
import type { AlertStatus } from '../../../store/types.js';
import type { ApiContext } from '../context.js';
import { alertListSchema, errorResponses, ref } from '../schemas.js';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['pending', 'delivered', 'abandoned'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

export function alertRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { status?: AlertStatus; limit: number } }>(
      '/alerts',
      { schema: { tags: ['alerts'], summary: 'The webhook outbox, newest first: sent, waiting for a retry, or given up', querystring, response: { 200: ref(alertListSchema), ...errorResponses(400) } } },
      (request) => {
        const { status, limit } = request.query;
        const schedules = context.store.listSchedules();
        return { alerts: context.store.listAlerts({ limit, ...(status ? { status } : {}) }).map((alert) => alertView(alert, schedules)) };
      },
    );
    done();
  };
}
