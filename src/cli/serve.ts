import { createError } from '../core/errors.js';
import { ScanService } from '../scan/service.js';
import { ScanLimiter } from '../scan/service-limiter.js';
import path from 'node:path';
import { checkVantageTrust, scanEndpoint } from '../net/vantage-endpoint.js';
import { startScheduler } from '../schedule/scheduler.js';
import { DEFAULT_COVERAGE_ALERT_AFTER } from '../alerts/coverage-streak.js';
import { validateAlertOn, validateWebhook } from '../schedule/validate.js';
import { build, DEFAULT_API_LIMITS, type ServerVantage } from '../server/api/app.js';
import { defaultTokenFile, loadOrCreateToken } from '../server/token.js';
import { siteOrDefault } from '../store/site.js';
import { openHistory } from './preflight.js';
import { parseListen } from './listen.js';
import { SERVE_HELP } from './help.js';
import { numberOption } from './number-option.js';
import type { Io } from './io.js';
import { parseCommandArgs, usageError } from './usage.js';

const DEFAULT_SERVE_LISTEN = '127.0.0.1:7448';

const usage = (message: string) => usageError('serve', message);

/** Turns a validator's error into a usage error naming the option. */
function option<T>(name: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw usage(`${name}: ${(error as Error).message}`);
  }
}

/**
 * exposure serve: the REST API and the scheduler in one process, on one history database, sharing one scan slot.
 * Runs until SIGINT/SIGTERM (the signal): then the scheduler stops, the API stops listening, scans still running
 * are aborted and marked, and the database is closed.
 */
export async function serveCommand(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values } = parseCommandArgs('serve', argv, {
    help: { type: 'boolean', short: 'h' },
    listen: { type: 'string' },
    db: { type: 'string' },
    site: { type: 'string' },
    'token-file': { type: 'string' },
    webhook: { type: 'string', multiple: true },
    'alert-on': { type: 'string' },
    vantage: { type: 'string' },
    'vantage-token': { type: 'string' },
    'vantage-pin': { type: 'string' },
    'vantage-ca': { type: 'string' },
    vantage6: { type: 'string' },
    'rate-limit': { type: 'string' },
    'max-queued': { type: 'string' },
    jitter: { type: 'string' },
    'keep-days': { type: 'string' },
    'coverage-alert-after': { type: 'string' },
    'alert-retry': { type: 'string' },
    'public-docs': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(SERVE_HELP);
    return 0;
  }
  const listen = parseListen(values.listen ?? DEFAULT_SERVE_LISTEN, 'serve');
  const webhooks = option('--webhook', () => (values.webhook ?? []).map(validateWebhook));
  const alertOn = values['alert-on'] === undefined ? undefined : option('--alert-on', () => validateAlertOn(values['alert-on'] ?? ''));
  const rateLimitMax = numberOption('serve', 'rate-limit', values['rate-limit'], DEFAULT_API_LIMITS.rateLimitMax, 1, 100_000);
  const maxQueued = numberOption('serve', 'max-queued', values['max-queued'], DEFAULT_API_LIMITS.maxQueued, 1, 1000);
  const jitterSeconds = numberOption('serve', 'jitter', values.jitter, 30, 0, 3600, false);
  // The same defaults as "exposure watch": one year of history, alert retries from 30 s.
  const keepDays = numberOption('serve', 'keep-days', values['keep-days'], 365, 0, 100_000);
  const coverageAlertAfter = numberOption('serve', 'coverage-alert-after', values['coverage-alert-after'], DEFAULT_COVERAGE_ALERT_AFTER, 1, 100);
  const retrySeconds = numberOption('serve', 'alert-retry', values['alert-retry'], 30, 0.1, 3600, false);
  const vantageToken = values['vantage-token'] ?? process.env['EXPOSURE_VANTAGE_TOKEN'];
  let vantage: ServerVantage | undefined;
  // How to trust the agent's certificate, checked before anything starts (as exposure scan does).
  const vantageCa = values['vantage-ca'] === undefined ? undefined : path.resolve(values['vantage-ca']);
  checkVantageTrust(values.vantage, { ca: vantageCa, pin: values['vantage-pin'] });
  if (values.vantage6 !== undefined && values.vantage === undefined) throw usage('--vantage6 goes with --vantage: it is the same agent, reached over IPv6');
  if (values.vantage !== undefined) {
    scanEndpoint(values.vantage);
    if (!vantageToken) throw usage('--vantage needs the agent token: the EXPOSURE_VANTAGE_TOKEN environment variable (or --vantage-token T)');
    if (values.vantage6 !== undefined) scanEndpoint(values.vantage6, '--vantage6');
    vantage = { url: values.vantage, ...(values.vantage6 !== undefined ? { url6: values.vantage6 } : {}), token: vantageToken, ...(vantageCa !== undefined ? { ca: vantageCa } : {}), ...(values['vantage-pin'] !== undefined ? { pin: values['vantage-pin'] } : {}) };
  }

  // The site this server looks after: its scheduler runs only that site's schedules (so servers of several sites
  // can share one database), and scans and schedules created over the API that name no site get it.
  const site = siteOrDefault(values.site);
  const token = await loadOrCreateToken(values['token-file'] ?? defaultTokenFile('api-token'), 'EXP_ERR_API_CONFIG');
  const store = await openHistory(values.db);
  const log = (line: string): void => void io.stderr.write(`${new Date().toISOString()} ${line}\n`);
  try {
    // One scan service, one limit: the API's scans and the scheduler's wait in one line and run one at a time.
    const scans = new ScanService({ limiter: new ScanLimiter({ maxRunning: DEFAULT_API_LIMITS.maxConcurrent, maxWaiting: maxQueued }), onError: (error) => log(`exposure serve: ${error instanceof Error ? error.message : String(error)}`) });
    // Marks scans a stopped process left running as interrupted, before the API can show them as running.
    const scheduler = await startScheduler({
      store,
      site,
      run: scans,
      maxJitterMs: jitterSeconds * 1000,
      retentionDays: keepDays,
      coverageAlertAfter,
      outbox: { retryBaseMs: retrySeconds * 1000, pollMs: Math.min(5000, retrySeconds * 1000) },
      log,
      ...(vantage ? { vantageToken: vantage.token } : {}),
    });
    const app = await build({
      token: token.token,
      store,
      scans,
      limits: { rateLimitMax },
      ...(vantage ? { vantage } : {}),
      publicDocs: values['public-docs'] ?? false,
      // reload never rejects (it logs); the API does not wait for it.
      onSchedulesChanged: () => void scheduler.reload(),
      scheduleDefaults: { webhooks, site, ...(alertOn ? { alertOn } : {}) },
      // Errors only, on standard error: a 500's details stay on the server.
      logger: { level: 'error', stream: process.stderr },
    });
    try {
      await app.listen({ host: listen.host, port: listen.port });
    } catch (error) {
      await scheduler.stop();
      const code = (error as NodeJS.ErrnoException).code;
      throw createError('EXP_ERR_API_CONFIG', `Cannot listen on ${listen.host}:${listen.port}: ${code ?? (error as Error).message}`, {
        hint: code === 'EADDRINUSE' ? 'Another program uses that port: choose another with --listen.' : 'Check the address with "ip -br addr".',
      });
    }
    const address = app.server.address();
    const port = address !== null && typeof address === 'object' ? address.port : listen.port;
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    log(`exposure serve listening on http://${host}:${port} (API under /v1, documentation at /docs)`);
    log(`exposure serve: history in ${store.file}; site ${site}: ${scheduler.states().length} schedule(s) running`);
    log(`exposure serve: bearer token ${token.created ? 'created in' : 'read from'} ${token.file} (TOKEN=$(cat ${token.file}))`);
    if (!['127.0.0.1', '::1'].includes(listen.host)) log('Warning: listening beyond this machine without TLS: the token crosses the network in clear. Put a TLS proxy in front, or keep the default 127.0.0.1.');
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log('exposure serve: stopping');
    await scheduler.stop();
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}
