import net from 'node:net';
import { httpRequest } from '../../src/net/http.js';
import { parseDeviceDescription, CONNECTION_SERVICE_TYPES } from '../../src/net/igd-description.js';
import { getExternalIpAddress } from '../../src/net/igd-client.js';
import { natPmpExternalAddress } from '../../src/net/natpmp.js';
import { ssdpSearch } from '../../src/net/ssdp.js';
import { formatPortList } from '../../src/net/portscan/port-spec.js';
import type { PortScanEngine, PortResult, PortScanResult } from '../../src/net/portscan/types.js';
import { isExposureError } from '../../src/core/errors.js';
import type { AgentScanResponse } from '../../src/core/agent.generated.js';
import type { IgdControl, WanPort } from '../../src/core/report.generated.js';
import type { Observation } from '../../src/core/observation.js';
import { fingerprintHost, type HostFingerprint } from '../../src/vendors/fingerprint-host.js';
import { hostObservation } from '../../src/vendors/host.js';

const MAX_TEXT = 200;
const MAX_BANNER = 1024;

export interface OutsideCheckOptions {
  /**
   * The one address to look at: the caller (agent), one of the caller's IPv6 addresses (agent, ipv6Targets), or
   * the router's external address (local vantage). For an IPv6 target only the TCP scan and the fingerprints run:
   * SSDP, NAT-PMP and the IGD control are IPv4 router checks.
   */
  target: string;
  /** May be empty (a port set that holds none of the ports asked): then nothing is scanned. */
  ports: readonly number[];
  engine: PortScanEngine;
  serviceDetection: boolean;
  /** Both UDP checks, none, or each one on its own (a shared address: only those whose port is the caller's). */
  udp: boolean | { ssdp: boolean; natPmp: boolean };
  igd?: { port: number; path: string };
  /** Run the vendor packs' fingerprints against the open TCP ports found (on `target` only). */
  fingerprint?: boolean;
  /** Ports beyond `ports` the fingerprints may follow (a device naming its HTTPS port); all when absent. */
  mayFollow?: (port: number) => boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function clip(text: string | undefined, max: number): string | undefined {
  return text === undefined || text === '' ? undefined : text.slice(0, max);
}

export function toWanPort(result: PortResult): WanPort {
  const port: WanPort = { port: result.port, protocol: 'TCP', state: result.state };
  const service = clip(result.service, MAX_TEXT);
  const product = clip(result.product, MAX_TEXT);
  const version = clip(result.version, MAX_TEXT);
  const banner = clip(result.banner, MAX_BANNER);
  if (service) port.service = service;
  if (product) port.product = product;
  if (version) port.version = version;
  if (banner) port.banner = banner;
  return port;
}

/**
 * SSDP and NAT-PMP must never answer on the WAN side: an answer there means the router exposes UPnP to the
 * internet (reflection and amplification, CallStranger-class abuse). No answer is "open|filtered", as nmap says
 * for UDP: silence proves nothing.
 */
export async function checkUdp(target: string, signal: AbortSignal | undefined, which: { ssdp: boolean; natPmp: boolean } = { ssdp: true, natPmp: true }): Promise<WanPort[]> {
  const [ssdp, natPmp] = await Promise.all([
    which.ssdp
      ? ssdpSearch({ interfaceAddresses: [], unicastTargets: [target], windowMs: 1500, maxAnswers: 16, searchTargets: ['ssdp:all', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1'], signal })
      : undefined,
    which.natPmp ? natPmpExternalAddress(target, { signal, timeoutMs: 1500 }) : undefined,
  ]);
  const ssdpAnswers = ssdp?.answers.filter((answer) => answer.from === target) ?? [];
  const results: WanPort[] = [];
  if (which.ssdp) {
    results.push({
      port: 1900,
      protocol: 'UDP',
      service: 'ssdp',
      state: ssdpAnswers.length > 0 ? 'open' : 'open|filtered',
      ...(ssdpAnswers[0] ? { banner: clip(`SERVER: ${ssdpAnswers[0].server}; LOCATION: ${ssdpAnswers[0].location}`, MAX_BANNER) ?? '' } : {}),
    });
  }
  if (which.natPmp) {
    results.push({
      port: 5351,
      protocol: 'UDP',
      service: 'nat-pmp',
      state: natPmp ? 'open' : 'open|filtered',
      ...(natPmp ? { banner: `version ${natPmp.version}, result ${natPmp.resultCode}, external address ${natPmp.externalIp ?? 'none'}` } : {}),
    });
  }
  return results;
}

/**
 * The router's IGD control from outside: the description at the port and path it serves on the LAN, then one
 * read-only action. Read-only by design: nothing is ever added or deleted. Every URL stays on `target`.
 */
export async function checkIgdControl(target: string, port: number, path: string, signal: AbortSignal | undefined): Promise<IgdControl> {
  const result: IgdControl = { port, path, descriptionFetched: false, actionAnswered: false };
  const location = new URL(`http://${target}:${port}${path}`);
  try {
    const response = await httpRequest(location, { signal, timeoutMs: 3000, maxBytes: 256 * 1024 });
    if (response.status !== 200) {
      result.error = `HTTP ${response.status}`;
      return result;
    }
    const description = parseDeviceDescription(response.body.toString('utf8'), location);
    result.descriptionFetched = true;
    const name = clip(description.friendlyName, MAX_TEXT);
    if (name) result.friendlyName = name;
    const service = description.services.find((candidate) => CONNECTION_SERVICE_TYPES.includes(candidate.serviceType));
    if (!service) return result;
    const externalIp = await getExternalIpAddress(service, { signal, requestTimeoutMs: 3000 });
    result.actionAnswered = true;
    if (externalIp) result.externalIp = externalIp.slice(0, 64);
  } catch (error) {
    if (isExposureError(error) && (error.code === 'EXP_ERR_ABORTED' || error.code === 'EXP_ERR_TIMEOUT')) throw error;
    result.error = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  }
  return result;
}

/** The admin ports first: with more open ports than the bound, those are the ones that matter. */
const FINGERPRINT_FIRST = [8080, 443, 80, 8081, 5000, 5001, 8443, 8000, 8001, 8181];
const FINGERPRINT_MAX_PORTS = 12;
/** The fingerprints get at least this long after the port scan, even when the scan used its whole budget. */
const FINGERPRINT_MIN_MS = 2000;

export function fingerprintPorts(ports: readonly PortResult[]): number[] {
  const open = ports.filter((port) => port.state === 'open').map((port) => port.port);
  const rank = (port: number): number => {
    const index = FINGERPRINT_FIRST.indexOf(port);
    return index < 0 ? FINGERPRINT_FIRST.length : index;
  };
  return [...new Set(open)].sort((a, b) => rank(a) - rank(b) || a - b).slice(0, FINGERPRINT_MAX_PORTS);
}

/** Everything the outside view looks at, for one address. The agent runs this against its caller. */
export async function runOutsideChecks(options: OutsideCheckOptions): Promise<AgentScanResponse> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const ipv4 = net.isIPv4(options.target);
  const scanning: Promise<Pick<PortScanResult, 'engine' | 'ports' | 'warnings'>> =
    options.ports.length === 0
      ? Promise.resolve({ engine: options.engine.name, ports: [], warnings: [] })
      : options.engine.scan({
          target: options.target,
          ports: options.ports,
          timeoutMs: options.timeoutMs,
          serviceDetection: options.serviceDetection,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
  const udpChecks = !ipv4 || options.udp === false ? undefined : options.udp === true ? { ssdp: true, natPmp: true } : options.udp;
  // The fingerprints need only the open TCP ports: they start when the port scan is done, while the UDP checks
  // still wait out their listening window (decision 0013: the whole check waited on both).
  const fingerprinting = scanning.then((scan) => {
    const fingerprintTargets = options.fingerprint ? fingerprintPorts(scan.ports) : [];
    if (fingerprintTargets.length > 0 && !options.signal?.aborted) {
      return fingerprintHost({
        address: options.target,
        ports: fingerprintTargets,
        requestTimeoutMs: 3000,
        deadline: Math.max(Date.now() + FINGERPRINT_MIN_MS, started + options.timeoutMs),
        signal: options.signal ?? new AbortController().signal,
        maxPorts: FINGERPRINT_MAX_PORTS,
        ...(options.mayFollow ? { mayFollow: options.mayFollow } : {}),
      });
    }
    return options.fingerprint ? { services: [], device: null, indicators: [] } : undefined;
  });
  const [scan, udp, igd, fingerprint] = await Promise.all([
    scanning,
    udpChecks && (udpChecks.ssdp || udpChecks.natPmp) ? checkUdp(options.target, options.signal, udpChecks) : Promise.resolve([]),
    options.igd && ipv4 ? checkIgdControl(options.target, options.igd.port, options.igd.path, options.signal) : Promise.resolve(undefined),
    fingerprinting,
  ]);
  return {
    address: options.target,
    engine: scan.engine,
    startedAt,
    durationMs: Date.now() - started,
    portSpec: formatPortList(options.ports),
    ports: [...scan.ports.map(toWanPort), ...udp],
    ...(igd ? { igd } : {}),
    warnings: scan.warnings.slice(0, 100).map((warning) => warning.slice(0, 2000)),
    // Only what the schema carries: indicators when something matched (an older scanner reads the rest as before).
    ...(fingerprint ? { fingerprint: { services: fingerprint.services, device: fingerprint.device, ...(fingerprint.indicators.length > 0 ? { indicators: fingerprint.indicators } : {}) } } : {}),
  };
}

/** What the agent's fingerprints saw: agents since vendor packs send `fingerprint`, older ones `qnap` (the same facts, QNAP only). */
export function agentFingerprint(answer: AgentScanResponse): HostFingerprint | undefined {
  const seen = answer.fingerprint ?? answer.qnap;
  return seen ? { services: seen.services, device: seen.device, indicators: seen.indicators ?? [] } : undefined;
}

/** The WAN host as the agent saw it: facts only, judged by this scanner's rules with its own packs, never the agent's. */
export function agentHostObservations(answer: AgentScanResponse): Observation[] {
  const seen = agentFingerprint(answer);
  return seen ? [hostObservation(answer.address, 'wan', ['wan'], seen)] : [];
}
