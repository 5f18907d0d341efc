import http from 'node:http';
import { soapCall, extractArguments, UPNP_ERROR, type SoapTarget } from './soap.js';
import { parseGenericEntry, parsePortListing, mappingKey, finishDescriptions, MalformedMappingError, type ParsedMapping, type RawMapping } from './igd-mapping.js';
import { isExposureError, abortError } from '../core/errors.js';
import type { Enumeration, Warning } from '../core/report.generated.js';

export interface IgdCallOptions {
  signal?: AbortSignal;
  requestTimeoutMs?: number;
  agent?: http.Agent;
}

function call(target: SoapTarget, action: string, args: ReadonlyArray<readonly [string, string | number]>, options: IgdCallOptions): Promise<string> {
  return soapCall(target, action, args, { signal: options.signal, timeoutMs: options.requestTimeoutMs, agent: options.agent });
}

export async function getExternalIpAddress(target: SoapTarget, options: IgdCallOptions): Promise<string | null> {
  const body = await call(target, 'GetExternalIPAddress', [], options);
  const value = extractArguments(body, ['NewExternalIPAddress']).values.get('NewExternalIPAddress');
  return value ? value.slice(0, 64) : null;
}

export async function getStatusInfo(target: SoapTarget, options: IgdCallOptions): Promise<{ connectionStatus: string | null; uptimeSeconds: number | null }> {
  const body = await call(target, 'GetStatusInfo', [], options);
  const { values } = extractArguments(body, ['NewConnectionStatus', 'NewUptime']);
  const uptime = values.get('NewUptime');
  return {
    connectionStatus: values.get('NewConnectionStatus')?.slice(0, 64) ?? null,
    uptimeSeconds: uptime !== undefined && /^\d{1,10}$/.test(uptime) ? Number(uptime) : null,
  };
}

export async function getFirewallStatus(target: SoapTarget, options: IgdCallOptions): Promise<{ enabled: boolean | null; inboundPinholeAllowed: boolean | null }> {
  const body = await call(target, 'GetFirewallStatus', [], options);
  const { values } = extractArguments(body, ['FirewallEnabled', 'InboundPinholeAllowed']);
  const flag = (value: string | undefined): boolean | null => (value === '1' || value === 'true' ? true : value === '0' || value === 'false' ? false : null);
  return { enabled: flag(values.get('FirewallEnabled')), inboundPinholeAllowed: flag(values.get('InboundPinholeAllowed')) };
}

export type EnumerationMethod = 'auto' | 'list' | 'index';

export interface EnumerateOptions extends IgdCallOptions {
  /**
   * auto: try GetListOfPortMappings first, whatever version the service claims (miniupnpd forced to describe
   * itself as IGDv1, a common router setting, still answers it), and walk the index when it is refused or
   * cannot be trusted. list: the listing only. index: GetGenericPortMappingEntry only.
   */
  method: EnumerationMethod;
  maxMappings: number;
  /** Absolute time (Date.now() scale) after which no new request is started. */
  deadline: number;
  maxInFlight: number;
  /** Entries per GetListOfPortMappings page. */
  pageSize?: number;
}

export interface EnumerationResult {
  mappings: ParsedMapping[];
  truncated: boolean;
  enumeration: Enumeration;
  warnings: Warning[];
}

/** Codes routers use to say "past the end of the table" (713 by the spec; 714 and 402 by some firmware). */
const END_OF_TABLE = new Set<number>([UPNP_ERROR.specifiedArrayIndexInvalid, UPNP_ERROR.noSuchEntryInArray, UPNP_ERROR.invalidArgs]);

function isEndOfTable(error: unknown): boolean {
  return isExposureError(error, 'EXP_ERR_SOAP_FAULT') && error.upnpErrorCode !== undefined && END_OF_TABLE.has(error.upnpErrorCode);
}

/** A failure that costs part of a gateway's picture, not the scan: kept in the report with its code. */
export function warningFrom(error: unknown, context: string): Warning {
  if (isExposureError(error)) {
    return { code: error.code, message: `${context}: ${error.message}`, ...(error.upnpErrorCode !== undefined ? { upnpErrorCode: error.upnpErrorCode } : {}) };
  }
  if (error instanceof MalformedMappingError) return { code: 'EXP_ERR_XML_INVALID', message: `${context}: ${error.message}` };
  return { code: 'EXP_ERR_HTTP_NETWORK', message: `${context}: ${String(error)}` };
}

/**
 * Reads every port mapping. On IGD v2 the paged GetListOfPortMappings is tried first (one request per page);
 * its result is trusted only when its count agrees with the generic index (two extra requests), because a
 * description can forge listing entries (see parsePortListing). Otherwise, or on any doubt, the generic walk.
 */
export async function enumerateMappings(target: SoapTarget, options: EnumerateOptions): Promise<EnumerationResult> {
  const started = performance.now();
  let fallbackReason: string | undefined;
  let requestsSoFar = 0;
  if (options.method !== 'index') {
    const listed = await enumerateByList(target, options);
    requestsSoFar = listed.requests;
    if (listed.ok || options.method === 'list') {
      if (!listed.ok) {
        return {
          mappings: [],
          truncated: true,
          warnings: [{ code: 'EXP_ERR_SOAP_FAULT', message: `--enumeration list: ${listed.reason}` }],
          enumeration: { method: 'GetListOfPortMappings', requests: listed.requests, durationMs: elapsed(started), stopReason: 'error', fallbackReason: listed.reason },
        };
      }
      return {
        mappings: finishDescriptions(listed.mappings),
        truncated: listed.truncated,
        warnings: [],
        enumeration: { method: 'GetListOfPortMappings', requests: listed.requests, durationMs: elapsed(started), stopReason: listed.truncated ? 'max-mappings' : 'end-of-table' },
      };
    }
    fallbackReason = listed.reason;
  }
  const generic = await enumerateGeneric(target, options);
  return {
    mappings: finishDescriptions(generic.mappings),
    truncated: generic.stopReason === 'max-mappings' || generic.stopReason === 'deadline',
    warnings: generic.warnings,
    enumeration: {
      method: 'GetGenericPortMappingEntry',
      requests: requestsSoFar + generic.requests,
      durationMs: elapsed(started),
      stopReason: generic.stopReason,
      firstIndex: generic.firstIndex,
      ...(fallbackReason ? { fallbackReason } : {}),
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

type ListOutcome = { ok: true; mappings: RawMapping[]; truncated: boolean; requests: number } | { ok: false; reason: string; requests: number };
type ProtocolListing = { ok: true; mappings: RawMapping[]; truncated: boolean } | { ok: false; reason: string };

/**
 * On a service that declares version 2 the TCP and the UDP pages are asked side by side: a router answers them one
 * after the other all the same (miniupnpd is single-threaded), but the second request is already waiting when the
 * first answer leaves, and the first answer is parsed while the router builds the second (a 1,000-entry listing
 * costs miniupnpd about 135 ms of its own time per protocol; decision 0013). A version 1 service most often refuses
 * the action: it is asked once, TCP first, so such a router sees a single refused request. The result is the same
 * either way: TCP entries first, cut at the budget.
 */
async function enumerateByList(target: SoapTarget, options: EnumerateOptions): Promise<ListOutcome> {
  const counter = { requests: 0 };
  const sideBySide = target.serviceType.endsWith(':2');
  const [tcp, udp] = sideBySide
    ? await Promise.all([listProtocol(target, 'TCP', options, counter), listProtocol(target, 'UDP', options, counter)])
    : await listInTurn(target, options, counter);
  const requests = counter.requests;
  if (!tcp.ok) return { ok: false, reason: tcp.reason, requests };
  if (!udp.ok) return { ok: false, reason: udp.reason, requests };
  const mappings = [...tcp.mappings, ...udp.mappings];
  if (tcp.truncated || udp.truncated || mappings.length >= options.maxMappings) {
    return { ok: true, mappings: mappings.slice(0, options.maxMappings), truncated: tcp.truncated || udp.truncated || mappings.length >= options.maxMappings, requests };
  }
  const verification = await verifyCount(target, mappings.length, options);
  if (!verification.ok) return { ok: false, reason: verification.reason, requests: requests + verification.requests };
  return { ok: true, mappings, truncated: false, requests: requests + verification.requests };
}

async function listInTurn(target: SoapTarget, options: EnumerateOptions, counter: { requests: number }): Promise<[ProtocolListing, ProtocolListing]> {
  const tcp = await listProtocol(target, 'TCP', options, counter);
  if (!tcp.ok || tcp.truncated) return [tcp, { ok: true, mappings: [], truncated: false }];
  return [tcp, await listProtocol(target, 'UDP', { ...options, maxMappings: options.maxMappings - tcp.mappings.length }, counter)];
}

/** One protocol's pages, in order, each starting after the highest port of the one before. */
async function listProtocol(target: SoapTarget, protocol: 'TCP' | 'UDP', options: EnumerateOptions, counter: { requests: number }): Promise<ProtocolListing> {
  const pageSize = options.pageSize ?? 1000;
  const mappings: RawMapping[] = [];
  const seen = new Set<string>();
  let start = 0;
  while (start <= 65535) {
    if (Date.now() > options.deadline) return { ok: false, reason: 'time limit reached while listing' };
    if (options.signal?.aborted) throw abortError(options.signal, 'Port mapping enumeration');
    let body: string;
    try {
      counter.requests++;
      body = await call(
        target,
        'GetListOfPortMappings',
        [['NewStartPort', start], ['NewEndPort', 65535], ['NewProtocol', protocol], ['NewManage', 1], ['NewNumberOfPorts', pageSize]],
        options,
      );
    } catch (error) {
      // 730 PortMappingNotFound: nothing of this protocol in the range, which ends this protocol's pages.
      if (isExposureError(error, 'EXP_ERR_SOAP_FAULT') && error.upnpErrorCode === 730) break;
      if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
      return { ok: false, reason: `GetListOfPortMappings failed: ${isExposureError(error) ? error.message : String(error)}` };
    }
    const page = parsePortListing(body);
    if (page.problems.length > 0) return { ok: false, reason: `listing did not parse cleanly (${page.problems[0]})` };
    if (page.entries.length > pageSize) return { ok: false, reason: `listing returned ${page.entries.length} entries for a page of ${pageSize}` };
    let highest = start - 1;
    for (const entry of page.entries) {
      const key = mappingKey(entry);
      if (entry.protocol !== protocol || entry.externalPort < start || seen.has(key)) {
        return { ok: false, reason: `listing entry ${key} is out of place (wrong protocol, out of range or repeated)` };
      }
      seen.add(key);
      mappings.push(entry);
      highest = Math.max(highest, entry.externalPort);
      if (mappings.length >= options.maxMappings) return { ok: true, mappings, truncated: true };
    }
    if (page.entries.length < pageSize) break;
    start = highest + 1;
  }
  return { ok: true, mappings, truncated: false };
}

/** The generic index must hold exactly `count` entries: index count-1 exists (0-based) and index count does not. */
async function verifyCount(target: SoapTarget, count: number, options: EnumerateOptions): Promise<{ ok: true; requests: number } | { ok: false; reason: string; requests: number }> {
  let requests = 0;
  const exists = async (index: number): Promise<boolean | 'unknown'> => {
    requests++;
    try {
      await call(target, 'GetGenericPortMappingEntry', [['NewPortMappingIndex', index]], options);
      return true;
    } catch (error) {
      if (isEndOfTable(error)) return false;
      if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
      return 'unknown';
    }
  };
  const [last, beyond] = await Promise.all([count > 0 ? exists(count - 1) : Promise.resolve(true), exists(count)]);
  if (last === true && beyond === false) return { ok: true, requests };
  return { ok: false, reason: `listing holds ${count} mappings but the generic index disagrees`, requests };
}

interface GenericOutcome {
  mappings: RawMapping[];
  requests: number;
  stopReason: Enumeration['stopReason'];
  firstIndex: 0 | 1;
  warnings: Warning[];
}

function sameEntry(a: RawMapping | undefined, b: RawMapping | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * GetGenericPortMappingEntry by index, `maxInFlight` at a time. Stops at the end-of-table fault, at an entry that
 * repeats its predecessor (firmware that answers every index past the end with the last entry), at the count
 * cap or at the deadline. Handles tables that start at index 1.
 */
async function enumerateGeneric(target: SoapTarget, options: EnumerateOptions): Promise<GenericOutcome> {
  const entries = new Map<number, RawMapping | null>();
  const warnings: Warning[] = [];
  let requests = 0;
  let stopReason: Enumeration['stopReason'] = 'end-of-table';
  let end = Number.POSITIVE_INFINITY;
  const stopAt = (index: number, reason: Enumeration['stopReason']): void => {
    if (index < end) {
      end = index;
      stopReason = reason;
    }
  };

  const fetchIndex = async (index: number): Promise<RawMapping | 'end'> => {
    requests++;
    try {
      const body = await call(target, 'GetGenericPortMappingEntry', [['NewPortMappingIndex', index]], options);
      return parseGenericEntry(body);
    } catch (error) {
      if (isEndOfTable(error)) return 'end';
      throw error;
    }
  };

  let firstIndex: 0 | 1 = 0;
  let next = 0;
  try {
    const first = await fetchIndex(0);
    if (first === 'end') {
      const second = await fetchIndex(1);
      if (second === 'end') return { mappings: [], requests, stopReason: 'end-of-table', firstIndex: 0, warnings };
      firstIndex = 1;
      entries.set(1, second);
      next = 2;
    } else {
      entries.set(0, first);
      next = 1;
    }
  } catch (error) {
    if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
    warnings.push(warningFrom(error, 'GetGenericPortMappingEntry index 0'));
    if (!(error instanceof MalformedMappingError)) return { mappings: [], requests, stopReason: 'error', firstIndex: 0, warnings };
    entries.set(0, null);
    next = 1;
  }

  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next;
      if (index >= end) return;
      if (index - firstIndex >= options.maxMappings) return stopAt(index, 'max-mappings');
      if (Date.now() > options.deadline) return stopAt(index, 'deadline');
      if (options.signal?.aborted) throw abortError(options.signal, 'Port mapping enumeration');
      next++;
      try {
        const entry = await fetchIndex(index);
        if (entry === 'end') {
          stopAt(index, 'end-of-table');
          return;
        }
        entries.set(index, entry);
        if (sameEntry(entries.get(index - 1) ?? undefined, entry)) stopAt(index, 'repeated-entry');
        if (sameEntry(entries.get(index + 1) ?? undefined, entry)) stopAt(index + 1, 'repeated-entry');
      } catch (error) {
        if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
        if (error instanceof MalformedMappingError) {
          // A damaged entry is reported, and the walk goes on: one bad row must not hide the rest.
          warnings.push(warningFrom(error, `GetGenericPortMappingEntry index ${index}`));
          entries.set(index, null);
          continue;
        }
        warnings.push(warningFrom(error, `GetGenericPortMappingEntry index ${index}`));
        stopAt(index, 'error');
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.maxInFlight) }, worker));

  const mappings: RawMapping[] = [];
  for (let index = firstIndex; index < end; index++) {
    const entry = entries.get(index);
    if (entry) mappings.push(entry);
  }
  return { mappings, requests, stopReason, firstIndex, warnings };
}
