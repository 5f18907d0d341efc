import { readFile } from 'node:fs/promises';
import { createError } from '../core/errors.js';
import { ENGINE_CHOICES, selectEngine, type EngineChoice } from '../net/portscan/engines.js';
import { buildAgent, DEFAULT_AGENT_LIMITS } from '../server/agent/app.js';
import { loadOrCreateToken } from '../server/token.js';
import { spkiPinOfPem } from '../net/spki-pin.js';
import { AGENT_HELP } from './help.js';
import { numberOption } from './number-option.js';
import type { Io } from './io.js';
import { parseListen } from './listen.js';
import { parseCommandArgs, usageError } from './usage.js';

const usage = (message: string) => usageError('agent', message);

/** The port the agent listens on when --listen is not given. */
const DEFAULT_AGENT_PORT = 7447;

/** Runs until SIGINT/SIGTERM (the signal), then closes the server and lets running scans finish or abort. */
export async function agentCommand(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values } = parseCommandArgs('agent', argv, {
    help: { type: 'boolean', short: 'h' },
    listen: { type: 'string' },
    'token-file': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    engine: { type: 'string' },
    'max-ports': { type: 'string' },
    'max-duration': { type: 'string' },
    'max-concurrent': { type: 'string' },
    'rate-limit': { type: 'string' },
    'syn-scan': { type: 'boolean' },
    'ipv6-scope': { type: 'string' },
    'allow-documentation-prefixes': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(AGENT_HELP);
    return 0;
  }
  // No --listen, or a bare port: both address families (dual stack), falling back to IPv4 where IPv6 is off.
  const bare = values.listen === undefined || /^\d{1,5}$/.test(values.listen);
  const listen = bare ? { host: '::', port: values.listen === undefined ? DEFAULT_AGENT_PORT : parseListen(`[::]:${values.listen}`, 'agent').port } : parseListen(values.listen, 'agent');
  const scope = values['ipv6-scope'] ?? '64';
  if (scope !== '64' && scope !== '56') throw usage('--ipv6-scope must be 64 (the caller\'s /64, the default) or 56 (its /56)');
  const engineChoice = values.engine ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(engineChoice)) throw usage(`--engine must be one of ${ENGINE_CHOICES.join(', ')}`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw usage('--tls-cert and --tls-key go together');
  const limits = {
    maxPorts: numberOption('agent', 'max-ports', values['max-ports'], DEFAULT_AGENT_LIMITS.maxPorts, 1, 65535),
    maxDurationSeconds: numberOption('agent', 'max-duration', values['max-duration'], DEFAULT_AGENT_LIMITS.maxDurationSeconds, 10, 3600),
    maxConcurrentScans: numberOption('agent', 'max-concurrent', values['max-concurrent'], DEFAULT_AGENT_LIMITS.maxConcurrentScans, 1, 16),
    rateLimitMax: numberOption('agent', 'rate-limit', values['rate-limit'], DEFAULT_AGENT_LIMITS.rateLimitMax, 1, 1000),
  };
  const engine = await selectEngine(engineChoice as EngineChoice, values['syn-scan'] ?? false);
  const token = await loadOrCreateToken(values['token-file']);
  const https =
    values['tls-cert'] !== undefined && values['tls-key'] !== undefined
      ? {
          cert: await readFile(values['tls-cert']).catch(() => {
            throw createError('EXP_ERR_AGENT_CONFIG', `Cannot read --tls-cert ${values['tls-cert'] ?? ''}`);
          }),
          key: await readFile(values['tls-key']).catch(() => {
            throw createError('EXP_ERR_AGENT_CONFIG', `Cannot read --tls-key ${values['tls-key'] ?? ''}`);
          }),
        }
      : undefined;
  let pin: string | undefined;
  if (https) {
    try {
      pin = spkiPinOfPem(https.cert);
    } catch {
      throw createError('EXP_ERR_AGENT_CONFIG', `--tls-cert ${values['tls-cert'] ?? ''} holds no PEM certificate`, { hint: 'Give the certificate in PEM ("-----BEGIN CERTIFICATE-----"), the leaf first.' });
    }
  }
  const allowDocumentationPrefixes = values['allow-documentation-prefixes'] ?? false;
  const app = await buildAgent({
    token: token.token,
    engine: () => Promise.resolve(engine),
    limits,
    ...(https ? { https } : {}),
    log: (line) => void io.stderr.write(`${line}\n`),
    ipv6: { prefixLength: scope === '56' ? 56 : 64, allowDocumentationPrefixes },
  });
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    // A machine with IPv6 off cannot bind "::"; the default then serves IPv4 alone, as agents did before.
    const code = (error as NodeJS.ErrnoException).code;
    if (!bare || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error;
    io.stderr.write(`IPv6 is not available here (${code}); listening on IPv4 only.\n`);
    listen.host = '0.0.0.0';
    await app.listen({ host: listen.host, port: listen.port });
  }
  const scheme = https ? 'https' : 'http';
  const shown = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  io.stderr.write(`exposure agent listening on ${scheme}://${shown}:${listen.port} (engine ${engine.name}${listen.host === '::' ? ', IPv4 and IPv6' : ''})\n`);
  if (scope === '56') io.stderr.write('IPv6 targets may be anywhere in the caller\'s /56 (--ipv6-scope 56): a caller can have other homes\' addresses scanned where a provider puts several homes in one /56.\n');
  if (allowDocumentationPrefixes) io.stderr.write('Warning: --allow-documentation-prefixes treats 2001:db8::/32 and 3fff::/20 as global addresses. It is for the test lab only.\n');
  if (pin !== undefined) {
    // What a scanner needs to trust a self-signed certificate: its key's pin, to compare or to paste.
    io.stderr.write(`Pin: ${pin} (SHA-256 of the certificate's public key). Scan with:\n\n  --vantage-pin ${pin}\n\n`);
  }
  if (token.created) io.stderr.write(`A new token was created in ${token.file}:\n\n  ${token.token}\n\nGive it to the scanner as EXPOSURE_VANTAGE_TOKEN. It is not shown again.\n`);
  else io.stderr.write(`Token: ${token.file}\n`);
  if (!https && !['127.0.0.1', '::1'].includes(listen.host)) io.stderr.write('Warning: no TLS; the token crosses the network in clear. Use --tls-cert and --tls-key.\n');
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await app.close();
  return 0;
}
