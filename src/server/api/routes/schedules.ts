import type { FastifyPluginCallback } from 'fastify';
import { createError } from '../../../core/errors.js';
import { webhookOrigin } from '../../../alerts/outbox.js';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { AlertOn, Schedule } from '../../../store/types.js';
import type { ApiContext } from '../context.js';
import { errorResponses, idParams, ref, scheduleRequestSchema, scheduleSchema } from '../schemas.js';
import { scanOptionsFromRequest, type ApiScanRequest } from '../scan-request.js';

interface ApiScheduleRequest {
  name: string;
  site?: string;
  cron: string;
  scan?: ApiScanRequest;
  webhooks?: string[];
  alertOn?: AlertOn;
  enabled?: boolean;
}

/** A schedule as the API shows it: each webhook by its origin only, since a webhook's path or query is often its secret. */
export type ApiSchedule = Omit<Schedule, 'webhooks'> & { webhookOrigins: string[] };

export function scheduleView(schedule: Schedule): ApiSchedule {
  const { webhooks, ...rest } = schedule;
  return { ...rest, webhookOrigins: webhooks.map(webhookOrigin) };
}

/**
 * The store's own checks quote a refused webhook whole; these run first and name it by its place in the list, so
 * a refusal never sends a secret path back (or into a log line). Same rules: http(s), no user:password.
 */
function checkWebhooks(webhooks: readonly string[]): void {
  webhooks.forEach((raw, index) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw createError('EXP_ERR_SCHEDULE_INVALID', `webhooks[${index}] is not a URL`, { hint: 'Give a full URL, e.g. https://hooks.slack.com/services/... or http://127.0.0.1:8123/api/webhook/ID' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw createError('EXP_ERR_SCHEDULE_INVALID', `webhooks[${index}] is not http or https`, { hint: 'Only http:// and https:// webhooks are supported' });
    if (url.username !== '' || url.password !== '') {
      throw createError('EXP_ERR_SCHEDULE_INVALID', `webhooks[${index}] (${url.origin}) must not contain a user name or password`, { hint: 'Put the secret in the path (as Slack and Home Assistant do)' });
    }
  });
}

export function scheduleRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { site?: string } }>(
      '/schedules',
      {
        schema: {
          tags: ['schedules'],
          summary: 'Every schedule (of one site with ?site=)',
          querystring: { type: 'object', additionalProperties: false, properties: { site: SITE_QUERY_SCHEMA } },
          response: { 200: { type: 'array', items: ref(scheduleSchema) }, ...errorResponses(400) },
        },
      },
      async (request) => (await context.store.listSchedules(request.query.site === undefined ? {} : { site: request.query.site })).map(scheduleView),
    );

    app.get<{ Params: { id: number } }>(
      '/schedules/:id',
      { schema: { tags: ['schedules'], summary: 'One schedule', params: idParams, response: { 200: ref(scheduleSchema), ...errorResponses(400, 404) } } },
      async (request) => {
        const schedule = await context.store.getSchedule(request.params.id);
        if (!schedule) throw createError('EXP_ERR_SCHEDULE_NOT_FOUND', `No schedule ${request.params.id}`);
        return scheduleView(schedule);
      },
    );

    app.post<{ Body: ApiScheduleRequest }>(
      '/schedules',
      {
        schema: {
          tags: ['schedules'],
          summary: 'Create a schedule: a cron expression and the scan it runs',
          body: ref(scheduleRequestSchema),
          response: { 201: { description: 'Created', ...ref(scheduleSchema) }, ...errorResponses(400, 403, 413, 415) },
        },
      },
      async (request, reply) => {
        const { name, cron, scan, enabled } = request.body;
        const site = request.body.site ?? context.scheduleDefaults.site;
        const webhooks = request.body.webhooks ?? context.scheduleDefaults.webhooks;
        const alertOn = request.body.alertOn ?? context.scheduleDefaults.alertOn;
        checkWebhooks(webhooks ?? []);
        // The scan a schedule will run passes the same checks, now, as one started by POST /v1/scans.
        const options = scanOptionsFromRequest(scan ?? {}, context.vantage);
        const schedule = await context.store.createSchedule({
          name,
          ...(site !== undefined ? { site } : {}),
          cron,
          // The store drops the vantage token and callbacks itself.
          options,
          ...(webhooks !== undefined ? { webhooks } : {}),
          ...(alertOn !== undefined ? { alertOn } : {}),
          ...(enabled !== undefined ? { enabled } : {}),
        });
        context.onSchedulesChanged();
        return reply.code(201).header('location', `/v1/schedules/${schedule.id}`).send(scheduleView(schedule));
      },
    );

    app.delete<{ Params: { id: number } }>(
      '/schedules/:id',
      { schema: { tags: ['schedules'], summary: 'Delete a schedule (its scans stay in the history)', params: idParams, response: { 204: { description: 'Deleted', type: 'null' }, ...errorResponses(400, 404) } } },
      async (request, reply) => {
        if (!(await context.store.deleteSchedule(request.params.id))) throw createError('EXP_ERR_SCHEDULE_NOT_FOUND', `No schedule ${request.params.id}`);
        context.onSchedulesChanged();
        return reply.code(204).send();
      },
    );
    done();
  };
}
