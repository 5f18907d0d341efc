import net from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import requestSchema from '../../../schemas/agent-scan-request.schema.json' with { type: 'json' };
import responseSchema from '../../../schemas/agent-scan-response.schema.json' with { type: 'json' };
import { runOutsideChecks } from '../../../probes/wan-scan/outside-checks.js';
import { parsePortSpec } from '../../net/portscan/port-spec.js';
import type { PortScanEngine } from '../../net/portscan/types.js';
import { isExposureError, type ErrorCode } from '../../core/errors.js';
import type { AgentScanRequest } from '../../core/agent.generated.js';
import { AGENT_RESPONSE_BUDGET_BYTES } from '../../core/agent-limits.js';
import { fitAnswer } from './fit-answer.js';
import { sendError } from '../reply.js';
import { bearerToken, tokenMatches } from '../token.js';

export interface AgentLimits {
  /** Largest port set one request may ask for. */
  maxPorts: number;
  /** Longest scan one request may ask for. */
  maxDurationSeconds: number;
  /** Scans running at once, all clients together (one per client at a time in any case). */
  maxConcurrentScans: number;
  /** Scan requests per client per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  // `--ports all` is the scan a worried owner wants most; the time a scan may take is bounded by maxDurationSeconds.
  maxPorts: 65_535,
  maxDurationSeconds: 300,
  maxConcurrentScans: 2,
  rateLimitMax: 6,
  rateLimitWindowMs: 10 * 60 * 1000,
};

export interface AgentOptions {
  token: string;
  engine: () => Promise<PortScanEngine>;
  limits?: Partial<AgentLimits>;
  logger?: boolean;
  https?: { key: Buffer; cert: Buffer };
  /** One line per refused or failed request: time, status, code, client address (never a header, so never the token). */
  log?: (line: string) => void;
}

const DEFAULT_PORTS = 'qnap,common';
/** Requests are tiny; anything larger is not a client of ours. */
const BODY_LIMIT = 16 * 1024;

/** The caller's own IPv4 address: the only thing this agent will ever scan. Proxies are not trusted. */
export function callerAddress(remote: string | undefined): string | undefined {
  if (!remote) return undefined;
  const address = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
  return net.isIPv4(address) ? address : undefined;
}

/**
 * The vantage agent: a small service on a VPS that scans whoever asks it, and nobody else. A request cannot name
 * a target (the schema has no such field and refuses unknown ones); the address scanned is the socket's peer.
 */
export async function buildAgent(options: AgentOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_AGENT_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // A request must arrive whole within this (slow-loris clients hold no socket for long); the scan's own
    // duration is bounded separately.
    requestTimeout: 30_000,
    trustProxy: false,
    ...(options.https ? { https: options.https } : {}),
    // Reject, never silently drop, what the schema does not allow: a "target" field must fail loudly.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  /** The scans running, by caller address, with the time each must be done by (for Retry-After). */
  const running = new Map<string, number>();
  /** The code each refused request was answered with, for its log line. */
  const refusals = new WeakMap<FastifyRequest, ErrorCode>();
  const fail = (reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply => {
    refusals.set(reply.request, code);
    return sendError(reply, status, code, message);
  };

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation) return fail(reply, 400, 'EXP_ERR_AGENT_BAD_REQUEST', `Invalid request: ${error.message}`);
    if (error.statusCode === 413) return fail(reply, 413, 'EXP_ERR_AGENT_BAD_REQUEST', 'Request body too large');
    if (error.statusCode === 415 || error.statusCode === 400) return fail(reply, error.statusCode, 'EXP_ERR_AGENT_BAD_REQUEST', error.message);
    // The limiter has set Retry-After (and the X-RateLimit-* headers) already.
    if (error.statusCode === 429) return fail(reply, 429, 'EXP_ERR_AGENT_RATE_LIMITED', error.message);
    app.log.error(error);
    // Never a stack trace to a client.
    return fail(reply, 500, 'EXP_ERR_VANTAGE', 'The agent failed to complete the scan');
  });
  app.setNotFoundHandler((_request, reply) => fail(reply, 404, 'EXP_ERR_AGENT_BAD_REQUEST', 'No such route'));

  if (options.log) {
    const log = options.log;
    app.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode >= 400) {
        // The route, not the URL the client sent (it is the client's text); the peer as the socket has it.
        const route = request.routeOptions.url ?? 'no such route';
        log(`${new Date().toISOString()} exposure agent: ${reply.statusCode < 500 ? 'refused' : 'failed'} ${reply.statusCode} ${refusals.get(request) ?? 'unknown'} from ${request.socket.remoteAddress ?? 'unknown'} (${request.method} ${route})`);
      }
      done();
    });
  }

  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.socket.remoteAddress ?? 'unknown',
    // An Error, so that the error handler above has its message (a plain object reached it with none).
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many scan requests from this address: at most ${context.max} per ${Math.round(limits.rateLimitWindowMs / 1000)} s; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`), {
        statusCode: 429,
      }),
  });

  app.get('/v1/healthz', () => Promise.resolve({ ok: true }));

  app.post<{ Body: AgentScanRequest }>(
    '/v1/scan',
    {
      schema: { body: requestSchema, response: { 200: responseSchema } },
      // The limiter runs first, so failed token guesses count against the limit too.
      onRequest: [
        app.rateLimit({ max: limits.rateLimitMax, timeWindow: limits.rateLimitWindowMs }),
        async (request, reply) => {
          if (!tokenMatches(options.token, bearerToken(request.headers.authorization))) {
            return fail(reply.header('www-authenticate', 'Bearer'), 401, 'EXP_ERR_AGENT_UNAUTHORIZED', 'A valid bearer token is required');
          }
          return undefined;
        },
      ],
    },
    async (request, reply) => {
      const target = callerAddress(request.socket.remoteAddress);
      if (!target) return fail(reply, 400, 'EXP_ERR_AGENT_UNSUPPORTED_CLIENT', 'The agent scans IPv4 callers only; connect to it over IPv4');
      let ports: number[];
      try {
        ports = parsePortSpec(request.body.ports ?? DEFAULT_PORTS);
      } catch (error) {
        return fail(reply, 400, 'EXP_ERR_AGENT_BAD_REQUEST', error instanceof Error ? error.message : 'Invalid ports');
      }
      if (ports.length > limits.maxPorts) return fail(reply, 413, 'EXP_ERR_AGENT_TOO_LARGE', `At most ${limits.maxPorts} ports per scan; asked for ${ports.length}`);
      // A client does not know this agent's limit: a longer wish is cut to it, not refused.
      const seconds = Math.min(request.body.timeoutSeconds ?? limits.maxDurationSeconds, limits.maxDurationSeconds);
      const busyUntil = running.get(target);
      if (busyUntil !== undefined) {
        const retry = Math.max(1, Math.ceil((busyUntil - Date.now()) / 1000));
        return fail(reply.header('retry-after', String(retry)), 429, 'EXP_ERR_AGENT_BUSY', `A scan of this address is already running; it ends within ${retry} s`);
      }
      if (running.size >= limits.maxConcurrentScans) return fail(reply.header('retry-after', '30'), 503, 'EXP_ERR_AGENT_BUSY', 'The agent is busy; try again shortly');

      const hardLimitMs = seconds * 1000 + 5000;
      running.set(target, Date.now() + hardLimitMs);
      // A client that hangs up cancels its scan: no work for nobody.
      const controller = new AbortController();
      // The response's 'close' before its end means the client went away (the request's own 'close' only
      // says its body was read).
      const onClose = (): void => {
        if (!reply.raw.writableEnded) controller.abort();
      };
      reply.raw.on('close', onClose);
      try {
        const result = await runOutsideChecks({
          target,
          ports,
          engine: await options.engine(),
          serviceDetection: request.body.serviceDetection ?? false,
          udp: request.body.udp ?? true,
          ...(request.body.igd ? { igd: request.body.igd } : {}),
          // The fingerprints, like the scan, only ever look at the caller: runOutsideChecks takes no other target.
          fingerprint: request.body.fingerprint ?? false,
          timeoutMs: seconds * 1000,
          signal: AbortSignal.any([controller.signal, AbortSignal.timeout(hardLimitMs)]),
        });
        // Within what every client reads (a host answering on every port with a banner would not be).
        return await reply.send(fitAnswer(result, AGENT_RESPONSE_BUDGET_BYTES));
      } catch (error) {
        if (isExposureError(error)) {
          const status = error.code === 'EXP_ERR_TIMEOUT' ? 504 : error.code === 'EXP_ERR_ABORTED' ? 499 : 500;
          return await fail(reply, status, error.code, error.message);
        }
        throw error;
      } finally {
        running.delete(target);
        reply.raw.off('close', onClose);
      }
    },
  );
  return app;
}
