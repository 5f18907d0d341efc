import { createError, isExposureError } from '../../src/core/errors.js';
import { now, type Observation } from '../../src/core/observation.js';
import type { InternetDbView } from '../../src/core/passive-view.js';
import type { ProbeAction, ProbeContext } from '../../src/core/probe.js';
import { chooseWanAddress } from './address.js';
import { boundedGet } from './client.js';
import { DEFAULT_INTERNETDB_ENDPOINT, endpointOrigin, passiveEndpointProblem } from './endpoint.js';
import { INTERNETDB_LIMITS, parseInternetDbAnswer } from './parse.js';

/** Its own limit inside the scan's: a slow third party costs at most this, never the rest of the report. */
export const INTERNETDB_TIMEOUT_MS = 8000;

const EMPTY = { ports: [], cpes: [], vulns: [], tags: [], hostnames: [] } satisfies Partial<InternetDbView>;

function observation(data: InternetDbView): Observation {
  return { probe: 'passive-internetdb', kind: 'internetdb', subject: data.address ?? 'wan', at: now(), data };
}

function reasonOf(error: unknown, endpoint: string): { code: string; message: string } {
  if (isExposureError(error)) {
    // The scan's own cancellation or deadline is this view's timeout too.
    if (error.code === 'EXP_ERR_TIMEOUT' || error.code === 'EXP_ERR_ABORTED') return { code: 'EXP_ERR_PASSIVE_TIMEOUT', message: `${endpoint} did not answer before the scan's time limit` };
    return { code: error.code, message: error.message };
  }
  return { code: 'EXP_ERR_PASSIVE_UNAVAILABLE', message: `${endpoint}: ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * Asks Shodan InternetDB what it last saw on the WAN IPv4 address. Opt-in (--passive internetdb): it sends the
 * address to a third party. One GET, bounded in bytes, time and counts; 404 is "unknown to Shodan"; anything else
 * that is not a usable 200 fails this view alone, recorded in the observation (the rules turn it into
 * coverage.passive), never thrown.
 */
export const passiveInternetDbProbe: ProbeAction = {
  appliesTo: (context) => context.options.passive?.includes('internetdb') === true && context.options.wan,
  async run(context: ProbeContext): Promise<Observation[]> {
    const given = context.options.passiveEndpoint ?? DEFAULT_INTERNETDB_ENDPOINT;
    const problem = passiveEndpointProblem(given);
    if (problem !== undefined) throw createError('EXP_ERR_USAGE', `--passive-endpoint: ${problem}`);
    const endpoint = endpointOrigin(given);
    const choice = chooseWanAddress(context.observations);
    if (choice.address === null) {
      return [observation({ source: 'internetdb', endpoint, status: 'skipped', address: null, addressFrom: null, reason: { code: 'EXP_ERR_PASSIVE_NO_ADDRESS', message: `No public WAN IPv4 address to ask about (${choice.reason}); nothing was sent.` }, ...EMPTY })];
    }
    const base = { source: 'internetdb', endpoint, address: choice.address, addressFrom: choice.from } as const;
    const timeoutMs = Math.min(INTERNETDB_TIMEOUT_MS, context.deadline - Date.now());
    if (timeoutMs <= 0) return [observation({ ...base, status: 'failed', reason: { code: 'EXP_ERR_PASSIVE_TIMEOUT', message: `No time was left in the scan to ask ${endpoint}` }, ...EMPTY })];
    context.progress(`Asking ${endpoint} what it last saw on ${choice.address}`);
    const started = Date.now();
    try {
      const answer = await boundedGet(new URL(`/${choice.address}`, endpoint), { maxBytes: INTERNETDB_LIMITS.maxBytes, timeoutMs, signal: context.signal });
      const durationMs = Date.now() - started;
      if (answer.status === 404) return [observation({ ...base, status: 'unknown', httpStatus: 404, durationMs, ...EMPTY })];
      if (answer.status !== 200) {
        const code = answer.status === 429 ? 'EXP_ERR_PASSIVE_RATE_LIMITED' : 'EXP_ERR_PASSIVE_UNAVAILABLE';
        const message = answer.status === 429 ? `${endpoint} answered 429 Too Many Requests` : `${endpoint} answered HTTP ${answer.status}${answer.status >= 300 && answer.status < 400 ? ' (a redirect, not followed)' : ''}`;
        return [observation({ ...base, status: 'failed', httpStatus: answer.status, durationMs, reason: { code, message }, ...EMPTY })];
      }
      const parsed = parseInternetDbAnswer(answer.body);
      if (parsed === undefined) return [observation({ ...base, status: 'failed', httpStatus: 200, durationMs, reason: { code: 'EXP_ERR_PASSIVE_INVALID', message: `${endpoint} sent an answer that is not a JSON object` }, ...EMPTY })];
      return [observation({ ...base, status: 'found', httpStatus: 200, durationMs, ...parsed })];
    } catch (error) {
      return [observation({ ...base, status: 'failed', durationMs: Date.now() - started, reason: reasonOf(error, endpoint), ...EMPTY })];
    }
  },
};
