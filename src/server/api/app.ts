import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import type { AlertOn, HistoryStore } from '../../store/types.js';
import { ScanService, type RunScan } from '../../scan/service.js';
import { ScanLimiter } from '../../scan/service-limiter.js';
import { TOOL_VERSION } from '../../version.js';
import { bearerToken, tokenMatches } from '../token.js';
import { installErrorHandlers, sendError } from './errors.js';
import { ScanQueue } from './scan-queue.js';
import type { ApiContext, ServerVantage } from './context.js';
import { decimalIntegersOnly } from './url-integers.js';
import { REQUEST_SCHEMAS, SHARED_SCHEMAS } from './schemas.js';
import { scanRoutes } from './routes/scans.js';
import { exposureRoutes } from './routes/exposure.js';
import { metricsRoutes } from './routes/metrics.js';
import { scheduleRoutes } from './routes/schedules.js';
import { diffRoutes } from './routes/diff.js';
import { alertRoutes } from './routes/alerts.js';
import { rejudgeRoutes } from './routes/rejudge.js';

export interface ApiLimits {
  /** Largest request body; scan and schedule requests are a few hundred bytes. */
  bodyLimit: number;
  /** Requests per client address per window, every route (failed authentications count). */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Scans waiting to run; one more is refused (503). Ignored when `scans` is given: its limiter holds the limits. */
  maxQueued: number;
  /** Scans at once. Ignored when `scans` is given. */
  maxConcurrent: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  bodyLimit: 64 * 1024,
  rateLimitMax: 300,
  rateLimitWindowMs: 60_000,
  maxQueued: 8,
  maxConcurrent: 1,
};

export type { ApiContext, ServerVantage } from './context.js';

export interface ApiOptions {
  token: string;
  store: HistoryStore;
  /**
   * The scan service (exposure serve shares one with its scheduler, so both draw from one limit). Default: one of
   * the API's own, limited by `limits.maxConcurrent` and `limits.maxQueued`, running `run`.
   */
  scans?: ScanService;
  /** The scan runner of the default service (default runScan); tests give one they control. */
  run?: RunScan;
  vantage?: ServerVantage;
  limits?: Partial<ApiLimits>;
  logger?: FastifyServerOptions['logger'];
  /** Serve /docs without the token (the document holds no data; a browser cannot send a bearer header). */
  publicDocs?: boolean;
  /** Called after a schedule was created or deleted, so a running scheduler picks the change up. */
  onSchedulesChanged?: () => void;
  /** For schedules (and scans) created over the API that name none: exposure serve --webhook, --alert-on, --site. */
  scheduleDefaults?: { webhooks?: string[]; alertOn?: AlertOn; site?: string };
}

const OPEN_ROUTES = new Set(['/v1/healthz']);
const DOCS_PREFIX = '/docs';

/**
 * Request validation: bodies strictly (no coercion, no silently removed fields: an unknown field is an error);
 * query strings and path parameters with type coercion, since everything in a URL arrives as text.
 */
function validators(): { body: Ajv; url: Ajv } {
  const make = (options: AjvOptions): Ajv => {
    const ajv = new Ajv({ strict: false, allErrors: false, removeAdditional: false, useDefaults: false, ...options });
    addFormats.default(ajv);
    for (const schema of REQUEST_SCHEMAS) ajv.addSchema(schema);
    return ajv;
  };
  return { body: make({ coerceTypes: false }), url: make({ coerceTypes: 'array' }) };
}

/** The REST API as a fastify instance, not listening: `exposure serve` listens, tests inject(). */
export async function build(options: ApiOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_API_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyLimit,
    requestTimeout: 30_000,
    trustProxy: false,
    // Scan and schedule ids in paths are short; nothing legitimate needs long URLs.
    routerOptions: { maxParamLength: 100 },
  });
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? ajv.body : ajv.url).compile(schema));
  // Responses are built from typed values, and the tests check them against the same schemas; the response
  // schemas document, they do not filter (a serializer that drops unknown fields would hide a contract break).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Only JSON bodies: a form or text body is a 415, never parsed into something a handler might trust.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limits.bodyLimit }, app.getDefaultJsonParser('error', 'error'));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  installErrorHandlers(app);
  app.addHook('preValidation', decimalIntegersOnly);

  const scans =
    options.scans ??
    new ScanService({
      limiter: new ScanLimiter({ maxRunning: limits.maxConcurrent, maxWaiting: limits.maxQueued }),
      ...(options.run ? { run: options.run } : {}),
      onError: (error) => app.log.error(error),
    });
  const queue = new ScanQueue({ service: scans, store: options.store });
  app.addHook('onClose', async () => queue.close());

  await app.register(rateLimit, {
    // Applied below as an app-wide hook instead of per route: then it also runs before the token check and on
    // unknown routes, so every failed guess and every probe for routes uses up the client's budget.
    global: false,
    max: limits.rateLimitMax,
    timeWindow: limits.rateLimitWindowMs,
    keyGenerator: (request) => request.socket.remoteAddress ?? 'unknown',
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`Too many requests: at most ${context.max} per ${context.after}`), { statusCode: 429 }),
  });
  app.addHook('onRequest', app.rateLimit());
  // Added after the limiter, so it runs after it.
  app.addHook('onRequest', async (request, reply) => {
    // The matched route's pattern, not the raw URL: no spelling of a path can borrow an open route's exemption.
    // Unknown routes (no pattern) need the token too, so the 404s tell a stranger nothing.
    const route = request.routeOptions.url;
    if (route !== undefined && OPEN_ROUTES.has(route)) return;
    if (options.publicDocs && route !== undefined && (route === DOCS_PREFIX || route.startsWith(`${DOCS_PREFIX}/`))) return;
    if (!tokenMatches(options.token, bearerToken(request.headers.authorization))) {
      await sendError(reply.header('www-authenticate', 'Bearer'), 401, 'EXP_ERR_API_UNAUTHORIZED', 'A valid bearer token is required');
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'exposure-scanner REST API',
        version: TOOL_VERSION,
        description: 'Scans, history, change detection and schedules of exposure-scanner. Every route except /v1/healthz needs `Authorization: Bearer <token>` (the token is in ~/.config/exposure-scanner/api-token). Errors are `{error:{code,message}}` with the codes of docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      // Components named after the schema titles (ApiScan, ExposureReport-Finding), not def-0, def-1.
      buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json['title'] === 'string' ? json['title'] : `schema-${index}`),
    },
  });
  // The UI's files come from node_modules (no CDN); its validator badge (which calls out) is off by default.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null }, staticCSP: true });

  const context: ApiContext = { store: options.store, queue, vantage: options.vantage, onSchedulesChanged: options.onSchedulesChanged ?? (() => undefined), scheduleDefaults: options.scheduleDefaults ?? {} };
  app.get('/v1/healthz', { schema: { tags: ['health'], summary: 'Liveness (no token needed)', security: [], response: { 200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, version: { type: 'string' } } } } } }, () =>
    Promise.resolve({ ok: true, version: TOOL_VERSION }),
  );
  await app.register(scanRoutes(context), { prefix: '/v1' });
  await app.register(exposureRoutes(context), { prefix: '/v1' });
  await app.register(diffRoutes(context), { prefix: '/v1' });
  await app.register(rejudgeRoutes(context), { prefix: '/v1' });
  await app.register(scheduleRoutes(context), { prefix: '/v1' });
  await app.register(alertRoutes(context), { prefix: '/v1' });
  await app.register(metricsRoutes(context), { prefix: '/v1' });
  return app;
}
