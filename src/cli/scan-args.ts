import { parseArgs } from 'node:util';
import { createError } from '../core/errors.js';
import { numberOption } from './number-option.js';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../core/options.js';
import type { Severity } from '../core/report.generated.js';
import { SEVERITIES } from '../rules/severity.js';
import { ENGINE_CHOICES } from '../net/portscan/engines.js';
import { parsePortSpec } from '../net/portscan/port-spec.js';
import { scanEndpoint } from '../net/vantage-client.js';
import { qnapScanOptions } from './qnap-args.js';

export interface ScanCommand {
  help: boolean;
  scan: ScanOptions;
  format: 'text' | 'json';
  output: string | undefined;
  failOn: Severity | 'none';
  color: boolean;
  quiet: boolean;
}

function usage(message: string, hint = 'Run "exposure scan --help" for the options.'): Error {
  return createError('EXP_ERR_USAGE', message, { hint });
}

export function parseScanArgs(argv: readonly string[]): ScanCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
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
        engine: { type: 'string' },
        ports: { type: 'string' },
        'service-detection': { type: 'boolean' },
        'syn-scan': { type: 'boolean' },
        nas: { type: 'string', multiple: true },
        myqnapcloud: { type: 'string', multiple: true },
        'dns-server': { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'fail-on': { type: 'string' },
        'no-color': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw usage(`--format must be text or json, not "${format}"`);
  const failOn = values['fail-on'] ?? 'high';
  if (failOn !== 'none' && !SEVERITIES.includes(failOn as Severity)) throw usage(`--fail-on must be one of ${SEVERITIES.join(', ')} or none, not "${failOn}"`);
  const enumeration = values.enumeration ?? 'auto';
  if (enumeration !== 'auto' && enumeration !== 'list' && enumeration !== 'index') throw usage(`--enumeration must be auto, list or index, not "${enumeration}"`);
  const engine = values.engine ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine)) throw usage(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, not "${engine}"`);
  const ports = values.ports ?? DEFAULT_SCAN_OPTIONS.ports;
  parsePortSpec(ports);
  const vantageToken = values['vantage-token'] ?? process.env['EXPOSURE_VANTAGE_TOKEN'];
  if (values.vantage !== undefined) {
    scanEndpoint(values.vantage);
    if (!vantageToken) throw usage('--vantage needs the agent token: --vantage-token T or the EXPOSURE_VANTAGE_TOKEN environment variable', 'The agent prints its token on first start and keeps it in its token file.');
    if (values['no-wan']) throw usage('--vantage and --no-wan contradict each other: --no-wan keeps every probe on the LAN');
  }
  if (values.interface !== undefined && !/^[\w.:@-]{1,32}$/.test(values.interface)) throw usage(`--interface "${values.interface}" is not an interface name`);
  const scan: ScanOptions = {
    ...DEFAULT_SCAN_OPTIONS,
    timeoutSeconds: numberOption('scan', 'timeout', values.timeout, DEFAULT_SCAN_OPTIONS.timeoutSeconds, 1, 3600, false),
    discoveryWindowMs: numberOption('scan', 'discovery-window', values['discovery-window'], DEFAULT_SCAN_OPTIONS.discoveryWindowMs, 100, 30000),
    requestTimeoutMs: numberOption('scan', 'request-timeout', values['request-timeout'], DEFAULT_SCAN_OPTIONS.requestTimeoutMs, 100, 60000),
    maxMappings: numberOption('scan', 'max-mappings', values['max-mappings'], DEFAULT_SCAN_OPTIONS.maxMappings, 1, 65536 * 2),
    maxInFlight: numberOption('scan', 'max-in-flight', values['max-in-flight'], DEFAULT_SCAN_OPTIONS.maxInFlight, 1, 8),
    enumeration,
    engine: engine as ScanOptions['engine'],
    ports,
    serviceDetection: values['service-detection'] ?? false,
    synScan: values['syn-scan'] ?? false,
    wan: !values['no-wan'],
    ...(values.vantage !== undefined ? { vantageUrl: values.vantage, vantageToken } : {}),
    ...(values.gateway !== undefined ? { gatewayUrl: values.gateway } : {}),
    ...(values.interface !== undefined ? { interface: values.interface } : {}),
    ...qnapScanOptions(values.nas, values.myqnapcloud, values['dns-server']),
  };
  return {
    help: values.help ?? false,
    scan,
    format,
    output: values.output,
    failOn: failOn as Severity | 'none',
    color: !values['no-color'] && !process.env['NO_COLOR'],
    quiet: values.quiet ?? false,
  };
}
