import { createError } from '../core/errors.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../core/options.js';
import { parsePortSpec } from '../net/portscan/port-spec.js';
import { scanEndpoint } from '../net/vantage-endpoint.js';
import { localIpv4Networks } from '../net/interfaces.js';
import { Scope } from '../core/scope.js';

/** What a face may choose for a scan, already typed; everything left out takes the CLI's default. */
export type ScanChoices = Partial<Omit<ScanOptions, 'onProgress'>>;

const INTERFACE_NAME = /^[\w.:@-]{1,32}$/;

/**
 * The one place where a scan's options get their defaults and their cross-checks, for the CLI, the REST API and
 * the scheduler alike. Errors are EXP_ERR_USAGE with the CLI's option names; the API maps them to 400.
 */
export function buildScanOptions(choices: ScanChoices): ScanOptions {
  const options: ScanOptions = { ...DEFAULT_SCAN_OPTIONS };
  for (const [key, value] of Object.entries(choices) as Array<[keyof ScanChoices, unknown]>) {
    // An explicit undefined means "not given", as with an absent flag.
    if (value !== undefined) Object.assign(options, { [key]: value });
  }
  parsePortSpec(options.ports);
  if (options.vantageUrl !== undefined) {
    scanEndpoint(options.vantageUrl);
    if (!options.vantageToken) throw createError('EXP_ERR_USAGE', '--vantage needs the agent token: --vantage-token T or the EXPOSURE_VANTAGE_TOKEN environment variable', { hint: 'The agent prints its token on first start and keeps it in its token file.' });
    if (!options.wan) throw createError('EXP_ERR_USAGE', '--vantage and --no-wan contradict each other: --no-wan keeps every probe on the LAN');
  }
  if (options.interface !== undefined && !INTERFACE_NAME.test(options.interface)) throw createError('EXP_ERR_USAGE', `--interface "${options.interface}" is not an interface name`);
  return options;
}

/**
 * The scope checks a scan would make once it runs, made up front: a server refuses a request that names a
 * gateway off this machine's networks before queueing it, with the same error the CLI gives (EXP_ERR_URL_NOT_ALLOWED).
 */
export function checkScanScope(options: ScanOptions): void {
  const scope = new Scope(localIpv4Networks(options.interface));
  if (options.gatewayUrl !== undefined) scope.checkGatewayUrl(options.gatewayUrl);
  for (const address of options.nas ?? []) scope.checkNasAddress(address);
}
