import type { FastifyPluginCallback } from 'fastify';
import { createError } from '../../../core/errors.js';
import { diffReports } from '../../../diff/diff.js';
import { renderDiffText } from '../../../diff/render.js';
import type { ExposureReport } from '../../../core/report.generated.js';
import type { HistoryStore } from '../../../store/types.js';
import type { ApiContext } from '../app.js';
import { diffSchema, errorResponses, ref } from '../schemas.js';

const scanId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

function reportOf(store: HistoryStore, id: number): ExposureReport {
  const scan = store.getScan(id);
  if (!scan) throw createError('EXP_ERR_SCAN_NOT_FOUND', `No scan ${id}`);
  const report = store.getReport(id);
  if (!report) throw createError('EXP_ERR_API_SCAN_NOT_READY', `Scan ${id} is ${scan.status}; only done scans can be compared`);
  return report;
}

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
      (request, reply) => {
        let { from, to } = request.query;
        // As "exposure diff [FROM] [TO]": the newest done scans fill what is left out.
        if (to === undefined) {
          const latest = context.store.latestDone(2);
          if (from === undefined) from = latest[1]?.id;
          to = latest[0]?.id;
        }
        if (from === undefined || to === undefined) throw createError('EXP_ERR_NOT_ENOUGH_HISTORY', 'The history holds fewer than two finished scans; run another scan first');
        const diff = diffReports(reportOf(context.store, from), reportOf(context.store, to), { from, to });
        if (request.query.format === 'text') {
          return reply.type('text/plain; charset=utf-8').serializer((payload) => payload as string).send(renderDiffText(diff));
        }
        return diff;
      },
    );
    done();
  };
}
