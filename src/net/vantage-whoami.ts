import net from 'node:net';
import { abortError, createError, isExposureError, type ExposureError } from '../core/errors.js';
import type { AgentWhoamiResponse } from '../core/agent.generated.js';
import { connect, exchange, failureText, scanEndpoint, unavailable, type Answer, type VantageTrust } from './vantage-client.js';

/** Connections asked: enough to see that the source ports stay in one port set, few enough to cost one round trip. */
export const WHOAMI_REQUESTS = 4;
/** A whoami answer is about 400 bytes at most (64 ports); anything past this is not an answer. */
export const MAX_WHOAMI_BYTES = 16 * 1024;
const MAX_PORTS_KEPT = 64;
const WHOAMI_KEYS = new Set(['address', 'family', 'port', 'seenPorts']);

export interface WhoamiResult {
  /** The caller's address as the agent saw it, distinct, in the order of the answers (more than one: a NAT pool). */
  addresses: string[];
  family: 'IPv4' | 'IPv6';
  /** Distinct source ports: each connection's own, then every one the agent remembered; at most 64. */
  ports: number[];
  /** How many of the requests were answered. */
  answered: number;
  /** Why the other requests were not. */
  failures: string[];
}

const isPort = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535;

/**
 * schemas/agent-whoami-response.schema.json, checked by hand (four fields; ajv would cost its load at every scan):
 * test/access/vantage-whoami.test.ts holds it against the schema. Stricter in one point: the address must be an IP.
 */
export function parseWhoami(body: unknown): AgentWhoamiResponse {
  const bad = (problem: string): ExposureError =>
    createError('EXP_ERR_VANTAGE', `The agent's whoami answer does not match schemas/agent-whoami-response.schema.json: ${problem}`, { hint: 'The agent may run another version of exposure-scanner; update both sides.' });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('not an object');
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !WHOAMI_KEYS.has(key));
  if (extra !== undefined) throw bad(`unexpected field ${JSON.stringify(extra.slice(0, 40))}`);
  const { address, family, port, seenPorts } = record;
  if (typeof address !== 'string' || address.length > 45 || net.isIP(address) === 0) throw bad('address is not an IP address');
  if (family !== 'IPv4' && family !== 'IPv6') throw bad('family is not IPv4 or IPv6');
  if (!isPort(port)) throw bad('port is not a port number');
  if (!Array.isArray(seenPorts) || seenPorts.length > 64 || !seenPorts.every(isPort)) throw bad('seenPorts is not a list of at most 64 port numbers');
  return { address, family, port, seenPorts };
}

export function whoamiEndpoint(vantageUrl: string): URL {
  return new URL('/v1/whoami', scanEndpoint(vantageUrl));
}

async function askOnce(endpoint: URL, token: string, trust: VantageTrust, signal: AbortSignal): Promise<AgentWhoamiResponse> {
  let socket: net.Socket;
  try {
    socket = await connect(endpoint, trust, signal);
  } catch (error) {
    if (isExposureError(error) || signal.aborted) throw error;
    throw unavailable(createError('EXP_ERR_VANTAGE', `Cannot reach the agent at ${endpoint.origin}: ${failureText(error)}`, { hint: 'Check --vantage, that the agent runs, and that its port is open in the VPS firewall.' }));
  }
  let answer: Answer;
  try {
    // A fresh connection per request: each shows the agent another source port of ours.
    answer = await exchange(socket, endpoint, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, maxBytes: MAX_WHOAMI_BYTES, what: ' for whoami' }, signal);
  } catch (error) {
    if (isExposureError(error) || signal.aborted) throw error;
    throw unavailable(createError('EXP_ERR_VANTAGE', `The agent at ${endpoint.origin} failed to answer whoami: ${failureText(error)}`, { hint: 'The agent may have stopped or restarted; run again.' }));
  } finally {
    socket.destroy();
  }
  if (answer.status < 200 || answer.status > 299) {
    throw createError('EXP_ERR_VANTAGE', `The agent answered whoami with HTTP ${answer.status}`, {
      hint: answer.status === 401 ? 'Check the token: --vantage-token or EXPOSURE_VANTAGE_TOKEN must match the agent token file.' : answer.status === 404 ? 'The agent is older than GET /v1/whoami; update it.' : 'See the agent code in docs/errors.md.',
      httpStatus: answer.status,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw createError('EXP_ERR_VANTAGE', `The agent answered whoami (HTTP ${answer.status}) with something that is not JSON`, { httpStatus: answer.status });
  }
  return parseWhoami(body);
}

/**
 * Asks the agent how it sees us, `count` times at once, each on its own connection (same trust and bounds as the
 * scan request): the address tells CGNAT and DS-Lite apart from a public line, the source ports tell a MAP-E port
 * set. Answers that fail are listed; only when none is answered does it throw (the first failure, a refusal before
 * a passing outage).
 */
export async function requestWhoami(
  vantageUrl: string,
  token: string,
  options: { signal: AbortSignal; timeoutMs: number; trust?: VantageTrust; count?: number },
): Promise<WhoamiResult> {
  const endpoint = whoamiEndpoint(vantageUrl);
  const count = Math.min(Math.max(1, Math.floor(options.count ?? WHOAMI_REQUESTS)), 16);
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const settled = await Promise.allSettled(Array.from({ length: count }, () => askOnce(endpoint, token, options.trust ?? {}, signal)));
  if (options.signal.aborted) throw abortError(options.signal, 'The whoami check');
  const answers = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const errors = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const tooSlow = (): ExposureError =>
    unavailable(createError('EXP_ERR_VANTAGE', `The agent at ${endpoint.origin} did not answer whoami within ${Math.round(options.timeoutMs / 1000)} s`, { hint: 'The agent may be overloaded; run again later.' }));
  const failures = errors.map((error) => (signal.aborted && !isExposureError(error) ? tooSlow() : error));
  if (answers.length === 0) {
    const refusal = failures.find((error) => isExposureError(error) && error.httpStatus !== undefined && error.httpStatus < 500);
    const first = refusal ?? failures[0];
    throw isExposureError(first) ? first : signal.aborted ? tooSlow() : createError('EXP_ERR_VANTAGE', `whoami failed: ${failureText(first)}`);
  }
  const ports: number[] = [];
  for (const answer of answers) ports.push(answer.port);
  for (const answer of answers) ports.push(...answer.seenPorts);
  const first = answers[0] as AgentWhoamiResponse;
  return {
    addresses: [...new Set(answers.map((answer) => answer.address))],
    family: first.family,
    ports: [...new Set(ports)].slice(0, MAX_PORTS_KEPT),
    answered: answers.length,
    failures: failures.map((error) => (error instanceof Error ? error.message : String(error)).slice(0, 300)),
  };
}
