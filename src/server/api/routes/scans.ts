import type { FastifyPluginCallback } from 'fastify';
import { createError, isExposureError } from '../../../core/errors.js';
import type { ScanRecord, ScanStatus } from '../../../store/types.js';
import { SCAN_STATUSES } from '../../../store/types.js';
import { SITE_QUERY_SCHEMA } from '../../../store/site.js';
import type { ApiContext } from '../context.js';
import { DEFAULT_REPORT_FORMAT, REPORT_FORMATS } from '../formats.js';
import { errorResponses, idParams, ref, scanListSchema, scanRequestSchema, scanSchema, reportSchema } from '../schemas.js';
import { scanOptionsFromRequest, type ApiScanRequest } from '../scan-request.js';
import { sendError } from '../errors.js';

/** Report formats can be served whole: a report is validated and bounded when it is built. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function scanRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.post<{ Body: ApiScanRequest }>(
      '/scans',
      {
        schema: {
          tags: ['scans'],
          summary: 'Start a scan (queued; poll GET /v1/scans/{id})',
          body: ref(scanRequestSchema),
          response: {
            202: { description: 'Accepted: the scan is queued', ...ref(scanSchema) },
            ...errorResponses(400, 403, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        // Checked here, before anything is recorded: a refused scan leaves no row behind.
        const options = scanOptionsFromRequest(request.body, context.vantage);
        let record: ScanRecord;
        try {
          record = await context.queue.submit(options, context.scheduleDefaults.site);
        } catch (error) {
          // The shared limit's line is full (API and scheduled scans): a client may retry, so it is told when.
          if (isExposureError(error, 'EXP_ERR_API_BUSY')) return sendError(reply.header('retry-after', '30'), 503, 'EXP_ERR_API_BUSY', error.message);
          throw error;
        }
        return reply.code(202).header('location', `/v1/scans/${record.id}`).send(record);
      },
    );

    app.get<{ Querystring: { limit?: number; cursor?: string; status?: ScanStatus; site?: string } }>(
      '/scans',
      {
        schema: {
          tags: ['scans'],
          summary: 'List scans, newest first, a page at a time',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
              cursor: { type: 'string', minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' },
              status: { type: 'string', enum: [...SCAN_STATUSES] },
              site: SITE_QUERY_SCHEMA,
            },
          },
          response: { 200: ref(scanListSchema), ...errorResponses(400) },
        },
      },
      async (request) => {
        const page = await context.store.listScans({
          ...(request.query.limit !== undefined ? { limit: request.query.limit } : {}),
          ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}),
          ...(request.query.status !== undefined ? { status: request.query.status } : {}),
          ...(request.query.site !== undefined ? { site: request.query.site } : {}),
        });
        return { items: page.items, nextCursor: page.nextCursor };
      },
    );

    app.get<{ Params: { id: number } }>(
      '/scans/:id',
      {
        schema: {
          tags: ['scans'],
          summary: 'One scan: its status, and its report once done',
          params: idParams,
          response: { 200: ref(scanSchema), ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const record = await context.store.getScan(request.params.id);
        if (!record) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${request.params.id}`);
        const report = record.status === 'done' ? await context.store.getReport(record.id) : undefined;
        return { ...record, ...(report ? { report } : {}) };
      },
    );

    app.get<{ Params: { id: number }; Querystring: { format: string } }>(
      '/scans/:id/report',
      {
        schema: {
          tags: ['scans'],
          summary: 'The report of a done scan, rendered',
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { type: 'string', enum: Object.keys(REPORT_FORMATS), default: DEFAULT_REPORT_FORMAT } },
          },
          produces: [...new Set(Object.values(REPORT_FORMATS).map((format) => format.contentType.split(';')[0] ?? ''))],
          response: { 200: { description: 'The report (format=json: schemas/report.schema.json)', ...ref(reportSchema) }, ...errorResponses(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const record = await context.store.getScan(request.params.id);
        if (!record) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${request.params.id}`);
        const report = record.status === 'done' ? await context.store.getReport(record.id) : undefined;
        if (!report) throw createError('EXP_ERR_API_SCAN_NOT_READY', `Scan ${record.id} is ${record.status}; only done scans have a report`);
        const format = REPORT_FORMATS[request.query.format] ?? REPORT_FORMATS[DEFAULT_REPORT_FORMAT];
        if (!format) throw new Error('no default report format');
        // Rendered text goes out as a string: the JSON serializer must not quote it again.
        return reply
          .type(format.contentType)
          .header('content-security-policy', REPORT_CSP)
          .header('x-content-type-options', 'nosniff')
          .serializer((payload) => payload as string)
          .send(format.render(report));
      },
    );
    done();
  };
}
