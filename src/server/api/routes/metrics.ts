import type { FastifyPluginCallback } from 'fastify';
import { TOOL_VERSION } from '../../../version.js';
import { SEVERITIES } from '../../../rules/severity.js';
import type { ApiContext } from '../context.js';
import { PROMETHEUS_CONTENT_TYPE, renderMetrics, type MetricFamily } from '../metrics.js';
import { errorResponses } from '../schemas.js';

function metricsFamilies(context: ApiContext): MetricFamily[] {
  const latest = context.store.latestDone(1)[0];
  const summary = latest?.summary ?? null;
  const finishedAt = latest?.finishedAt ? Date.parse(latest.finishedAt) / 1000 : undefined;
  const single = (value: number | undefined): { value: number }[] => (value === undefined ? [] : [{ value }]);
  return [
    { name: 'exposure_build_info', help: 'exposure-scanner version.', type: 'gauge', samples: [{ labels: { version: TOOL_VERSION }, value: 1 }] },
    { name: 'exposure_last_scan_timestamp_seconds', help: 'When the latest finished scan ended (Unix time).', type: 'gauge', samples: single(finishedAt) },
    { name: 'exposure_risk_score', help: 'Risk score of the latest finished scan, 0 (nothing reachable) to 100.', type: 'gauge', samples: single(summary?.riskScore) },
    {
      name: 'exposure_findings',
      help: 'Findings of the latest finished scan, by severity.',
      type: 'gauge',
      samples: summary ? SEVERITIES.map((severity) => ({ labels: { severity }, value: summary.counts[severity] })) : [],
    },
    { name: 'exposure_open_wan_ports', help: 'Ports open on the external address in the latest finished scan.', type: 'gauge', samples: single(summary?.openWanPorts) },
    { name: 'exposure_port_mappings', help: 'UPnP port mappings in the latest finished scan.', type: 'gauge', samples: single(summary?.mappings) },
    { name: 'exposure_gateways', help: 'Routers that answered UPnP in the latest finished scan.', type: 'gauge', samples: single(summary?.gateways) },
    {
      name: 'exposure_scans',
      help: 'Scans in the history, by status.',
      type: 'gauge',
      samples: Object.entries(context.store.countScansByStatus()).map(([status, value]) => ({ labels: { status }, value })),
    },
    { name: 'exposure_scan_queue_waiting', help: 'API scans waiting to run in this process.', type: 'gauge', samples: [{ value: context.queue.waiting }] },
  ];
}

export function metricsRoutes(context: ApiContext): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Prometheus text exposition format (0.0.4)',
          produces: ['text/plain'],
          response: { 200: { description: 'Prometheus metrics', type: 'string' }, ...errorResponses() },
        },
      },
      (_request, reply) =>
        reply
          .type(PROMETHEUS_CONTENT_TYPE)
          .serializer((payload) => payload as string)
          .send(renderMetrics(metricsFamilies(context))),
    );
    done();
  };
}
