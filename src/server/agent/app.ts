import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import requestSchema from '../../../schemas/agent-scan-request.schema.json' with { type: 'json' };
import responseSchema from '../../../schemas/agent-scan-response.schema.json' with { type: 'json' };
import whoamiSchema from '../../../schemas/agent-whoami-response.schema.json' with { type: 'json' };
import type { PortScanEngine } from '../../net/portscan/types.js';
import { scanTarget, type ScanTarget } from '../../net/portscan/target.js';
import { ipv6Text, ipv6Value, prefixOf } from '../../net/portscan/ipv6.js';
import { isExposureError, type ErrorCode } from '../../core/errors.js';
import type { AgentScanRequest, AgentWhoamiResponse } from '../../core/agent.generated.js';
import { AGENT_RESPONSE_BUDGET_BYTES } from '../../core/agent-limits.js';
import { fitAnswer } from './fit-answer.js';
import { planScan } from './scan-plan.js';
import { runPlan } from './run-plan.js';
import { SourcePortLog, type SourcePortLogOptions } from './source-ports.js';
import type { Ipv6ScopeOptions } from './ipv6-scope.js';
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
  /** GET /v1/whoami requests per client per window: a client calls it a few times before each scan. */
  whoamiRateLimitMax: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  // `--ports all` is the scan a worried owner wants most; the time a scan may take is bounded by maxDurationSeconds.
  maxPorts: 65_535,
  maxDurationSeconds: 300,
  maxConcurrentScans: 2,
  rateLimitMax: 6,
  rateLimitWindowMs: 10 * 60 * 1000,
  whoamiRateLimitMax: 30,
};

export interface AgentOptions {
  token: string;
  engine: () => Promise<PortScanEngine>;
  limits?: Partial<AgentLimits>;
  logger?: boolean;
  https?: { key: Buffer; cert: Buffer };
  /** One line per refused or failed request: time, status, code, client address (never a header, so never the token). */
  log?: (line: string) => void;
  /** Which IPv6 targets a caller may name: its /64 (default) or /56, and the documentation prefixes for the lab. */
  ipv6?: Partial<Ipv6ScopeOptions>;
  /** The source-port record's bounds and clock (tests give a fake clock). */
  sourcePorts?: Partial<SourcePortLogOptions>;
}

/** Requests are tiny; anything larger is not a client of ours. */
const BODY_LIMIT = 16 * 1024;

/**
 * The caller's own address: an IPv4 address (an IPv4-mapped peer of a dual-stack socket is its IPv4 address) or
 * an IPv6 one, canonical. What the agent scans is this or, over IPv6, addresses of its prefix. Proxies are not
 * trusted.
 */
export function callerTarget(remote: string | undefined): ScanTarget | undefined {
  if (!remote) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote)?.[1];
  return scanTarget(mapped ?? remote);
}

/** The caller's address as text, or undefined when the socket has none the agent can scan. */
export function callerAddress(remote: string | undefined): string | undefined {
  return callerTarget(remote)?.address;
}

/**
 * Whom the rate limits and the one-scan-at-a-time rule count: an IPv4 address, or an IPv6 caller's /64 (a home
 * has 2^64 addresses of its own: counted one by one, they would lift every limit).
 */
export function clientKey(remote: string | undefined): string {
  const caller = callerTarget(remote);
  if (caller === undefined) return remote ?? 'unknown';
  if (caller.family === 4) return caller.address;
  const value = ipv6Value(caller.address) ?? 0n;
  return `${ipv6Text(prefixOf(value, 64))}/64`;
}

/**
 * The vantage agent: a small service on a VPS that scans whoever asks it, and nobody else. A request cannot name
 * an IPv4 target (the schema has no such field and refuses unknown ones): the address scanned is the socket's
 * peer, and on a shared (MAP-E) address only the caller's own ports. Over IPv6 a request may name addresses, but
 * only inside the peer's own /64 (or /56): the rules are in scan-plan.ts, decision 0020.
 */
export async function buildAgent(options: AgentOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_AGENT_LIMITS, ...options.limits };
  const ipv6: Ipv6ScopeOptions = { prefixLength: 64, allowDocumentationPrefixes: false, ...options.ipv6 };
  const sourcePorts = new SourcePortLog(options.sourcePorts);
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
    keyGenerator: (request) => clientKey(request.socket.remoteAddress),
    // An Error, so that the error handler above has its message (a plain object reached it with none).
    errorResponseBuilder: (request, context) =>
      Object.assign(new Error(`Too many ${request.routeOptions.url === '/v1/whoami' ? 'whoami' : 'scan'} requests from this address: at most ${context.max} per ${Math.round(limits.rateLimitWindowMs / 1000)} s; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`), {
        statusCode: 429,
      }),
  });

  const authorised = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!tokenMatches(options.token, bearerToken(request.headers.authorization))) {
      return fail(reply.header('www-authenticate', 'Bearer'), 401, 'EXP_ERR_AGENT_UNAUTHORIZED', 'A valid bearer token is required');
    }
    // Only callers with the token add to the record: a stranger on the same shared address cannot fill it.
    const caller = callerTarget(request.socket.remoteAddress);
    const port = request.socket.remotePort;
    if (caller !== undefined && port !== undefined) sourcePorts.record(caller.address, port);
    return undefined;
  };

  app.get('/v1/healthz', () => Promise.resolve({ ok: true }));

  app.get(
    '/v1/whoami',
    {
      schema: { response: { 200: whoamiSchema } },
      onRequest: [app.rateLimit({ max: limits.whoamiRateLimitMax, timeWindow: limits.rateLimitWindowMs }), authorised],
    },
    (request, reply) => {
      const caller = callerTarget(request.socket.remoteAddress);
      const port = request.socket.remotePort;
      if (!caller || port === undefined) return fail(reply, 400, 'EXP_ERR_AGENT_UNSUPPORTED_CLIENT', 'The agent cannot tell the address this request came from');
      const answer: AgentWhoamiResponse = { address: caller.address, family: caller.family === 4 ? 'IPv4' : 'IPv6', port, seenPorts: sourcePorts.seen(caller.address).slice(0, 64) };
      return reply.send(answer);
    },
  );

  app.post<{ Body: AgentScanRequest }>(
    '/v1/scan',
    {
      schema: { body: requestSchema, response: { 200: responseSchema } },
      // The limiter runs first, so failed token guesses count against the limit too.
      onRequest: [app.rateLimit({ max: limits.rateLimitMax, timeWindow: limits.rateLimitWindowMs }), authorised],
    },
    async (request, reply) => {
      const caller = callerTarget(request.socket.remoteAddress);
      if (!caller) return fail(reply, 400, 'EXP_ERR_AGENT_UNSUPPORTED_CLIENT', 'The agent cannot tell the address this request came from');
      const plan = planScan({ caller, request: request.body, seenPorts: sourcePorts.seen(caller.address), maxPorts: limits.maxPorts, ipv6 });
      if (plan.refused) return fail(reply, plan.status, plan.code, plan.message);
      // A client does not know this agent's limit: a longer wish is cut to it, not refused.
      const seconds = Math.min(request.body.timeoutSeconds ?? limits.maxDurationSeconds, limits.maxDurationSeconds);
      const client = clientKey(request.socket.remoteAddress);
      const busyUntil = running.get(client);
      if (busyUntil !== undefined) {
        const retry = Math.max(1, Math.ceil((busyUntil - Date.now()) / 1000));
        return fail(reply.header('retry-after', String(retry)), 429, 'EXP_ERR_AGENT_BUSY', `A scan of this address is already running; it ends within ${retry} s`);
      }
      if (running.size >= limits.maxConcurrentScans) return fail(reply.header('retry-after', '30'), 503, 'EXP_ERR_AGENT_BUSY', 'The agent is busy; try again shortly');

      const hardLimitMs = seconds * 1000 + 5000;
      running.set(client, Date.now() + hardLimitMs);
      // A client that hangs up cancels its scan: no work for nobody.
      const controller = new AbortController();
      // The response's 'close' before its end means the client went away (the request's own 'close' only
      // says its body was read).
      const onClose = (): void => {
        if (!reply.raw.writableEnded) controller.abort();
      };
      reply.raw.on('close', onClose);
      try {
        const result = await runPlan(plan, {
          engine: await options.engine(),
          serviceDetection: request.body.serviceDetection ?? false,
          // The fingerprints, like the scan, only ever look at the plan's targets: the caller, or its own prefix.
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
        running.delete(client);
        reply.raw.off('close', onClose);
      }
    },
  );
  return app;
}
