/**
 * The vendor data tests run the code the scan runs: src/vendors/fingerprint-host.ts against a loopback fake (HTTP or
 * HTTPS), the host observation the NAS probe records, the rules stage (judge) that holds it against the packs, and
 * the agent's outside checks (runOutsideChecks with the connect engine) for the view from the internet. Nothing
 * here re-implements matching or verdicts.
 */
import type { Observation } from '../../../src/core/observation.js';
import { DEFAULT_SCAN_OPTIONS } from '../../../src/core/options.js';
import type { Finding, Host, QnapDevice as Device, Verdict } from '../../../src/core/report.generated.js';
import { createConnectEngine } from '../../../src/net/portscan/connect.js';
import { agentHostObservations, runOutsideChecks } from '../../../probes/wan-scan/outside-checks.js';
import { judge, type Judgement } from '../../../src/rules/judge.js';
import { fingerprintHost } from '../../../src/vendors/fingerprint-host.js';
import { hostObservation } from '../../../src/vendors/host.js';
import { builtinPacks, type LoadedPack } from '../../../src/vendors/load.js';
import { verdictFor } from '../../../src/vendors/verdicts.js';
import { agentWan, at, gateway, mapping, observations } from '../scenarios.js';
import type { FakeDevice } from './serve.js';

/** What one host looked like to the engine: the host observation's data, and the ids of what matched. */
export interface Seen {
  host: Host;
  device: Device | null;
  /** Fingerprint ids that matched, port by port, in the order the engine ran them. */
  matched: string[];
  indicators: string[];
}

export function packById(id: string, packs: readonly LoadedPack[] = builtinPacks()): LoadedPack {
  const pack = packs.find((candidate) => candidate.pack.id === id);
  if (!pack) throw new Error(`no shipped pack ${id}`);
  return pack;
}

/** The NAS probe's view of a fake: every shipped pack's fingerprints and indicators on its port. */
export async function recognise(fake: Pick<FakeDevice, 'host' | 'port'>, packs: readonly LoadedPack[] = builtinPacks()): Promise<Seen> {
  const seen = await fingerprintHost({ address: fake.host, ports: [fake.port], requestTimeoutMs: 2000, deadline: Date.now() + 15_000, signal: AbortSignal.timeout(20_000), packs });
  const observation = hostObservation(fake.host, 'lan', ['nas-option'], seen);
  if (observation.kind !== 'host') throw new Error('a host observation');
  return {
    host: observation.data,
    device: seen.device,
    matched: seen.services.flatMap((service) => service.fingerprints.map((match) => match.id)),
    indicators: seen.indicators.map((match) => match.id),
  };
}

/** The scan's time, fixed: a pack's data age must not depend on the day the test runs. */
function atScanTime(list: Observation[]): Observation[] {
  return list.map((observation) => ({ ...observation, at }));
}

/** The rules stage on what the probe recorded, with nothing forwarded. */
export function judgeSeen(seen: Seen): Judgement {
  return judge(atScanTime(observations({ hosts: [seen.host] })), DEFAULT_SCAN_OPTIONS);
}

/**
 * The Qlocker path for any vendor: the router forwards the fake's port by UPnP, and the vantage agent saw that port
 * open from outside. What the rules say about the box then.
 */
export function judgeForwarded(seen: Seen, externalPort: number, options: { outside?: 'open' | 'filtered' | 'none' } = {}): Judgement {
  const port = seen.host.services[0]?.port ?? externalPort;
  const outside = options.outside ?? 'open';
  return judge(atScanTime(observations({
    gateways: [gateway([mapping(externalPort, { internalClient: seen.host.address, internalPort: port })])],
    hosts: [seen.host],
    ...(outside === 'none' ? {} : { wan: agentWan([{ port: externalPort, protocol: 'TCP', state: outside }]) }),
  })), DEFAULT_SCAN_OPTIONS);
}

/**
 * The vantage agent's view of the fake: its outside checks (the connect engine's port scan on loopback, then the
 * packs' fingerprints on the open ports), and the rules on the WAN host it reports, as the scanner judges it.
 */
export async function judgeFromAgent(fake: Pick<FakeDevice, 'host' | 'port'>): Promise<{ device: Device | null; judgement: Judgement; host: Host }> {
  const answer = await runOutsideChecks({
    target: fake.host, ports: [fake.port], engine: createConnectEngine(), serviceDetection: false, udp: false, fingerprint: true, timeoutMs: 10_000, signal: AbortSignal.timeout(20_000),
  });
  const [observation] = agentHostObservations(answer);
  if (observation?.kind !== 'host') throw new Error('the agent reported no host');
  const host = observation.data;
  const wan = agentWan(answer.ports.filter((port) => port.protocol === 'TCP'), { address: fake.host });
  const judgement = judge(atScanTime([...observations({ gateways: [gateway([])], wan }), observation]), DEFAULT_SCAN_OPTIONS);
  return { device: host.device, judgement, host };
}

/** One advisory of a pack held against a firmware version of one of its lines, by the engine's verdict code. */
export function versionVerdict(packId: string, advisoryId: string, productLine: string, version: string): Verdict['status'] {
  const pack = packById(packId);
  const advisory = pack.pack.advisories.find((candidate) => candidate.id === advisoryId);
  const line = pack.lines.get(productLine);
  if (!advisory || !line) throw new Error(`${packId} has no ${advisoryId} or no line ${productLine}`);
  const device: Device = { vendor: pack.pack.vendor, pack: packId, productLine, os: line.line.name, confidence: 'high', firmware: { version, full: version }, apps: [] };
  return verdictFor(advisory, device, pack).status;
}

/** The verdict the rules gave a judged host for one advisory. */
export function verdictIn(judgement: Judgement, advisory: string): Verdict | undefined {
  return judgement.hosts?.flatMap((host) => host.verdicts).find((verdict) => verdict.advisory === advisory);
}

export function findingsOf(judgement: Judgement, rule: string): Finding[] {
  return judgement.findings.filter((finding) => finding.rule === rule);
}
