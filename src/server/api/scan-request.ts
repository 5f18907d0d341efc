import { createError } from '../../core/errors.js';
import type { ScanOptions } from '../../core/options.js';
import { prepareScan } from '../../scan/service.js';
import { qnapScanOptions } from '../../scan/qnap-options.js';
import type { ServerVantage } from './context.js';

/** schemas/api-scan-request.schema.json (validated before it gets here). */
export interface ApiScanRequest {
  gateway?: string;
  interface?: string;
  wan?: boolean;
  vantage?: boolean;
  ports?: string;
  engine?: 'auto' | 'nmap' | 'connect';
  serviceDetection?: boolean;
  synScan?: boolean;
  timeoutSeconds?: number;
  discoveryWindowMs?: number;
  requestTimeoutMs?: number;
  maxMappings?: number;
  maxInFlight?: number;
  enumeration?: 'auto' | 'list' | 'index';
  nas?: string[];
  myqnapcloud?: string[];
  passive?: 'internetdb'[];
}

/**
 * A request's choices as runScan options, through the scan service's builder (the CLI's defaults and
 * cross-checks) and its scope checks, made now rather than when the scan runs so that a refused scan is a 403 and
 * no record.
 * The vantage agent can only be the server's: a request never names a URL or a token.
 */
export function scanOptionsFromRequest(request: ApiScanRequest, vantage: ServerVantage | undefined): ScanOptions {
  const wan = request.wan ?? true;
  if (request.vantage === true && !vantage) throw createError('EXP_ERR_API_BAD_REQUEST', 'This server has no vantage agent configured (exposure serve --vantage URL)');
  if (request.vantage === true && !wan) throw createError('EXP_ERR_API_BAD_REQUEST', 'vantage and wan: false contradict each other: wan: false keeps every probe on the LAN');
  if (request.passive !== undefined && request.passive.length > 0 && !wan) throw createError('EXP_ERR_API_BAD_REQUEST', 'passive and wan: false contradict each other: passive sends the WAN address to a third party');
  const useVantage = vantage !== undefined && wan && request.vantage !== false;
  return prepareScan({
    gatewayUrl: request.gateway,
    interface: request.interface,
    wan,
    ports: request.ports,
    engine: request.engine,
    serviceDetection: request.serviceDetection,
    synScan: request.synScan,
    timeoutSeconds: request.timeoutSeconds,
    discoveryWindowMs: request.discoveryWindowMs,
    requestTimeoutMs: request.requestTimeoutMs,
    maxMappings: request.maxMappings,
    maxInFlight: request.maxInFlight,
    enumeration: request.enumeration,
    // Never dnsServer: a request could then send DNS queries to any host it likes.
    ...qnapScanOptions(request.nas, request.myqnapcloud, undefined),
    // Never passiveEndpoint: a request could then send the WAN address anywhere.
    ...(request.passive !== undefined && request.passive.length > 0 ? { passive: [...request.passive] } : {}),
    ...(useVantage ? { vantageUrl: vantage.url, ...(vantage.url6 !== undefined ? { vantage6Url: vantage.url6 } : {}), vantageToken: vantage.token, ...(vantage.ca !== undefined ? { vantageCa: vantage.ca } : {}), ...(vantage.pin !== undefined ? { vantagePin: vantage.pin } : {}) } : {}),
  });
}
