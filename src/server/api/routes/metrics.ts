import type { FastifyPluginCallback } from 'fastify';
import { TOOL_VERSION } from '../../../version.js';
import { SEVERITIES } from '../../../rules/severity.js';
import type { ApiContext } from '../context.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics, type MetricFamily, type Sample } from '../metrics.js';
import { DEFAULT_SITE, SITE_QUERY_SCHEMA } from '../../../store/site.js';
import { SCAN_STATUSES, type ScanRecord } from '../../../store/types.js';
import { errorResponses } from '../schemas.js';

/**
 * Every gauge about the history is labelled by site, so one Prometheus scrape of a server on a shared database
 * shows each home or office apart (and alerts can say which). A history with no scans yet shows the default site.
 */
async function metricsFamilies(context: ApiContext, only: string | undefined): Promise<MetricFamily[]> {
  const listed = only === undefined ? await context.store.listSites() : [only];
  const sites = listed.length === 0 ? [DEFAULT_SITE] : listed;
  const latest: { site: string; scan: ScanRecord | undefined }[] = [];
  for (const site of sites) latest.push({ site, scan: (await context.store.latestDone(1, { site }))[0] });
  const counts = await context.store.countScansBySiteAndStatus();
  const per = (value: (scan: ScanRecord) => number | undefined): Sample[] =>
    latest.flatMap(({ site, scan }) => {
      const sample = scan ? value(scan) : undefined;
      return sample === undefined ? [] : [{ labels: { site }, value: sample }];
    });
  return [
    { name: 'exposure_build_info', help: 'exposure-scanner version.', type: 'gauge', samples: [{ labels: { version: TOOL_VERSION }, value: 1 }] },
    { name: 'exposure_last_scan_timestamp_seconds', help: 'When the latest finished scan of the site ended (Unix time).', type: 'gauge', samples: per((scan) => (scan.finishedAt ? Date.parse(scan.finishedAt) / 1000 : undefined)) },
    { name: 'exposure_risk_score', help: 'Risk score of the latest finished scan of the site, 0 (nothing reachable) to 100.', type: 'gauge', samples: per((scan) => scan.summary?.riskScore) },
    {
      name: 'exposure_findings',
      help: 'Findings of the latest finished scan of the site, by severity.',
      type: 'gauge',
      samples: latest.flatMap(({ site, scan }) => {
        const summary = scan?.summary;
        return summary ? SEVERITIES.map((severity) => ({ labels: { site, severity }, value: summary.counts[severity] })) : [];
      }),
    },
    { name: 'exposure_open_wan_ports', help: 'Ports open on the external address in the latest finished scan of the site.', type: 'gauge', samples: per((scan) => scan.summary?.openWanPorts) },
    { name: 'exposure_port_mappings', help: 'UPnP port mappings in the latest finished scan of the site.', type: 'gauge', samples: per((scan) => scan.summary?.mappings) },
    { name: 'exposure_gateways', help: 'Routers that answered UPnP in the latest finished scan of the site.', type: 'gauge', samples: per((scan) => scan.summary?.gateways) },
    {
      name: 'exposure_scans',
      help: 'Scans in the history, by site and status.',
      type: 'gauge',
      samples: sites.flatMap((site) => SCAN_STATUSES.map((status) => ({ labels: { site, status }, value: counts.find((count) => count.site === site && count.status === status)?.count ?? 0 }))),
    },
    { name: 'exposure_scan_queue_waiting', help: 'API scans waiting to run in this process.', type: 'gauge', samples: [{ value: context.queue.waiting }] },
  ];
}

export function metricsRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get<{ Querystring: { site?: string } }>(
      '/metrics',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Prometheus text exposition format (0.0.4)',
          produces: ['text/plain'],
          querystring: { type: 'object', additionalProperties: false, properties: { site: SITE_QUERY_SCHEMA } },
          response: { 200: { description: 'Prometheus metrics', type: 'string' }, ...errorResponses(400) },
        },
      },
      async (request, reply) =>
        reply
          .type(PROMETHEUS_CONTENT_TYPE)
          .serializer((payload) => payload as string)
          .send(renderMetrics(await metricsFamilies(context, request.query.site))),
    );
    done();
  };
}
