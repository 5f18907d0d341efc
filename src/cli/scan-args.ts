import path from 'node:path';
import { numberOption } from './number-option.js';
import { DEFAULT_SCAN_OPTIONS, SCAN_LIMITS, type ScanOptions } from '../core/options.js';
import { buildScanOptions } from '../scan/scan-choices.js';
import type { Severity } from '../core/report.generated.js';
import { SEVERITIES } from '../rules/severity.js';
import { ENGINE_CHOICES } from '../net/portscan/engine-choice.js';
import { qnapScanOptions } from '../scan/qnap-options.js';
import { checkVantageTrust, scanEndpoint } from '../net/vantage-endpoint.js';
import { parseCommandArgs, usageError } from './usage.js';
import { passiveEndpointProblem } from '../../probes/passive-internetdb/endpoint.js';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ScanCommand {
  help: boolean;
  scan: ScanOptions;
  format: OutputFormat;
  output: string | undefined;
  failOn: Severity | 'none';
  color: boolean;
  quiet: boolean;
  /** Keep the scan in the history database: --db FILE, or --save for the default file. */
  save: boolean;
  db: string | undefined;
  /** --site: the site the saved scan belongs to (default "default"); only with --save or --db. */
  site: string | undefined;
}

const usage = (message: string, hint?: string) => usageError('scan', message, hint);

export const PASSIVE_SOURCES = ['internetdb'] as const;
const isPassiveSource = (source: string): source is (typeof PASSIVE_SOURCES)[number] => (PASSIVE_SOURCES as readonly string[]).includes(source);

/** --passive and --passive-endpoint: opt-in only, and never with --no-wan (the address would leave the LAN). */
function parsePassive(sources: readonly string[] | undefined, endpoint: string | undefined, wan: boolean): Pick<ScanOptions, 'passive' | 'passiveEndpoint'> {
  if (sources === undefined) {
    if (endpoint !== undefined) throw usage('--passive-endpoint needs --passive internetdb');
    return {};
  }
  const chosen = sources.filter(isPassiveSource);
  const unknown = sources.find((source) => !isPassiveSource(source));
  if (unknown !== undefined) throw usage(`--passive must be one of ${PASSIVE_SOURCES.join(', ')}, not "${unknown}"`);
  if (!wan) throw usage('--passive and --no-wan contradict each other: --passive sends the WAN address to a third party');
  const problem = endpoint === undefined ? undefined : passiveEndpointProblem(endpoint);
  if (problem !== undefined) throw usage(`--passive-endpoint: ${problem}`);
  return { passive: [...new Set(chosen)], ...(endpoint !== undefined ? { passiveEndpoint: endpoint } : {}) };
}

export function parseScanArgs(argv: readonly string[]): ScanCommand {
  const { values } = parseCommandArgs('scan', argv, {
    help: { type: 'boolean', short: 'h' },
    gateway: { type: 'string' },
    interface: { type: 'string' },
    'no-wan': { type: 'boolean' },
    timeout: { type: 'string' },
    'discovery-window': { type: 'string' },
    'request-timeout': { type: 'string' },
    'max-mappings': { type: 'string' },
    'max-in-flight': { type: 'string' },
    enumeration: { type: 'string' },
    vantage: { type: 'string' },
    'vantage-token': { type: 'string' },
    'vantage-ca': { type: 'string' },
    'vantage-pin': { type: 'string' },
    vantage6: { type: 'string' },
    engine: { type: 'string' },
    ports: { type: 'string' },
    'service-detection': { type: 'boolean' },
    'syn-scan': { type: 'boolean' },
    nas: { type: 'string', multiple: true },
    'vendor-pack': { type: 'string', multiple: true },
    myqnapcloud: { type: 'string', multiple: true },
    'dns-server': { type: 'string' },
    passive: { type: 'string', multiple: true },
    'passive-endpoint': { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    'no-color': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    db: { type: 'string' },
    save: { type: 'boolean' },
    site: { type: 'string' },
  });
  if (values.site !== undefined && !values.save && values.db === undefined) throw usage('--site names the site a saved scan belongs to; add --save or --db', 'e.g. exposure scan --db postgres://... --site grandma-house');
  const format = values.format ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw usage(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not "${format}"`);
  const failOn = values['fail-on'] ?? 'high';
  if (failOn !== 'none' && !SEVERITIES.includes(failOn as Severity)) throw usage(`--fail-on must be one of ${SEVERITIES.join(', ')} or none, not "${failOn}"`);
  const enumeration = values.enumeration ?? 'auto';
  if (enumeration !== 'auto' && enumeration !== 'list' && enumeration !== 'index') throw usage(`--enumeration must be auto, list or index, not "${enumeration}"`);
  const engine = values.engine ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine)) throw usage(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, not "${engine}"`);
  const passive = parsePassive(values.passive, values['passive-endpoint'], !values['no-wan']);
  const vantageToken = values['vantage-token'] ?? process.env['EXPOSURE_VANTAGE_TOKEN'];
  const scan = buildScanOptions({
    timeoutSeconds: numberOption('scan', 'timeout', values.timeout, DEFAULT_SCAN_OPTIONS.timeoutSeconds, SCAN_LIMITS.timeoutSeconds.min, SCAN_LIMITS.timeoutSeconds.max, false),
    discoveryWindowMs: numberOption('scan', 'discovery-window', values['discovery-window'], DEFAULT_SCAN_OPTIONS.discoveryWindowMs, SCAN_LIMITS.discoveryWindowMs.min, SCAN_LIMITS.discoveryWindowMs.max),
    requestTimeoutMs: numberOption('scan', 'request-timeout', values['request-timeout'], DEFAULT_SCAN_OPTIONS.requestTimeoutMs, SCAN_LIMITS.requestTimeoutMs.min, SCAN_LIMITS.requestTimeoutMs.max),
    maxMappings: numberOption('scan', 'max-mappings', values['max-mappings'], DEFAULT_SCAN_OPTIONS.maxMappings, SCAN_LIMITS.maxMappings.min, SCAN_LIMITS.maxMappings.max),
    maxInFlight: numberOption('scan', 'max-in-flight', values['max-in-flight'], DEFAULT_SCAN_OPTIONS.maxInFlight, SCAN_LIMITS.maxInFlight.min, SCAN_LIMITS.maxInFlight.max),
    enumeration,
    engine: engine as ScanOptions['engine'],
    ports: values.ports,
    serviceDetection: values['service-detection'],
    synScan: values['syn-scan'],
    wan: !values['no-wan'],
    vantageUrl: values.vantage,
    vantage6Url: values.vantage6,
    ...(values.vantage !== undefined || values.vantage6 !== undefined ? { vantageToken } : {}),
    // The path, made absolute: watch stores it, and a service may run from another folder. Read at each scan.
    vantageCa: values['vantage-ca'] === undefined ? undefined : path.resolve(values['vantage-ca']),
    vantagePin: values['vantage-pin'],
    gatewayUrl: values.gateway,
    interface: values.interface,
    ...qnapScanOptions(values.nas, values.myqnapcloud, values['dns-server']),
    // Absolute, as --vantage-ca: watch stores the options and may run from another folder. Read at each scan.
    vendorPacks: values['vendor-pack']?.map((folder) => path.resolve(folder)),
    ...passive,
  });
  checkVantageTrust(scan.vantageUrl, { ca: scan.vantageCa, pin: scan.vantagePin });
  if (scan.vantage6Url !== undefined) {
    // The same agent (token, pin, CA) reached over IPv6: checked like --vantage before any scan work.
    scanEndpoint(scan.vantage6Url, '--vantage6');
    if (!scan.wan) throw usage('--vantage6 and --no-wan contradict each other: --no-wan keeps every probe on the LAN');
    if (!scan.vantageToken) throw usage('--vantage6 needs the agent token: --vantage-token T or the EXPOSURE_VANTAGE_TOKEN environment variable');
    checkVantageTrust(scan.vantage6Url, { ca: scan.vantageCa, pin: scan.vantagePin });
  }
  return {
    help: values.help ?? false,
    scan,
    format: format as OutputFormat,
    output: values.output,
    failOn: failOn as Severity | 'none',
    color: !values['no-color'] && !process.env['NO_COLOR'],
    quiet: values.quiet ?? false,
    save: (values.save ?? false) || values.db !== undefined,
    db: values.db,
    // Checked by scanAndRecord before the database is opened: the store's code loads only for a saved scan.
    site: values.site,
  };
}
