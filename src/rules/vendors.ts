import type { Observation } from '../core/observation.js';
import type { Finding, Host } from '../core/report.generated.js';
import { loadPacks, type EndOfSupport, type LoadedPack } from '../vendors/load.js';
import { verdictsFor } from '../vendors/verdicts.js';
import { ruleContext } from './doors.js';
import { findingId, unclassified } from './finding.js';
import { nasFindings, nasPrefix } from './nas.js';
import { packVoice } from './vendor-voice.js';

/**
 * The vendor packs' side of the rules: the probes record what a device said (vendor, pack, product line, model,
 * version, where it was read); here those facts are held against the packs, so a stored scan can be judged again
 * with newer data. Pure apart from reading the pack files.
 */

export interface VendorJudgement {
  /** The observations with each pack-recognised host's verdicts computed from its facts. */
  observations: readonly Observation[];
  /** The judged hosts, in observation order, when there are any: the report's `hosts`. */
  hosts?: Host[];
  /** The packs that recognised a device: the report's `vendorPacks`. */
  packs: readonly LoadedPack[];
  /** Every pack loaded (shipped and --vendor-pack), when a device was recognised; the other rules judge with these. */
  loaded?: readonly LoadedPack[];
  findings: Finding[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Advisory data older than this when a scan starts is stale enough to say so. */
export const DATA_AGE_DAYS = 90;

/**
 * Each host whose device a pack recognised (device.pack: facts recorded since vendor packs) gets its verdicts from
 * the packs loaded now; hosts written before (no pack) keep the verdicts they carry.
 */
function judgeHosts(observations: readonly Observation[], packs: readonly LoadedPack[]): { observations: Observation[]; hosts: Host[] } {
  const hosts: Host[] = [];
  const judged = observations.map((observation): Observation => {
    if (observation.kind !== 'host') return observation;
    const host = observation.data;
    const data: Host = host.device?.pack !== undefined ? { ...host, verdicts: verdictsFor(host.device, undefined, packs) } : host;
    hosts.push(data);
    return { ...observation, data };
  });
  return { observations: judged, hosts };
}

/** The scan's time as its observations record it (the first host observation): a rule never reads the clock. */
function scanTime(observations: readonly Observation[]): number | undefined {
  const times = observations.filter((observation) => observation.kind === 'host').map((observation) => Date.parse(observation.at)).filter((time) => Number.isFinite(time));
  return times.length > 0 ? Math.min(...times) : undefined;
}

function dataAgeFinding(pack: LoadedPack, days: number): Finding {
  const { id, vendor, packVersion, dataDate } = pack.pack;
  return {
    id: findingId('vendor-data-age', id),
    rule: 'vendor-data-age',
    severity: 'info',
    title: `${vendor} advisory data is ${days} days old; update the program`,
    description: `The ${vendor} devices in this scan were held against the ${id} vendor pack ${packVersion}, whose advisory data was last reviewed on ${dataDate}, ${days} days before this scan. Advisories published since then are not in it: a device this report calls fixed may have a newer hole.`,
    evidence: [{ subject: pack.file, detail: `pack ${id} ${packVersion}, dataDate ${dataDate}${pack.source === 'user' ? ' (given with --vendor-pack)' : ''}` }],
    remediation: [
      pack.source === 'user' ? `Update the pack in ${pack.dir} (its dataDate and advisories) from its sources.` : 'Update exposure-scanner to its latest release: its vendor packs come with it.',
      'Check the vendor\'s security advisories for anything newer than the date above.',
    ],
    references: [],
    classification: unclassified(),
  };
}

/**
 * A sign of compromise is an incident: its first steps are the vendor's incident advice, not hardening. One finding
 * per host and campaign: DeadBolt's screen is one page whichever vendor's box shows it, so each pack's indicator
 * matches it; the steps are those of the device's vendor when a pack recognised it, else every vendor's in turn
 * (they disagree: QNAP says never shut it down, ASUSTOR says shut it down).
 */
function compromiseFindings(hosts: readonly Host[], packs: readonly LoadedPack[]): Finding[] {
  const findings: Finding[] = [];
  for (const host of hosts) {
    const byCampaign = new Map<string, Array<{ pack: LoadedPack; indicator: NonNullable<LoadedPack['pack']['indicators']>[number]; match: NonNullable<Host['indicators']>[number] }>>();
    for (const match of host.indicators ?? []) {
      const pack = packs.find((candidate) => candidate.pack.id === match.pack);
      const indicator = pack?.pack.indicators?.find((candidate) => candidate.id === match.id);
      if (!pack || !indicator) continue;
      byCampaign.set(indicator.campaign, [...(byCampaign.get(indicator.campaign) ?? []), { pack, indicator, match }]);
    }
    for (const [campaign, matches] of byCampaign) {
      const own = matches.find((candidate) => candidate.pack.pack.id === host.device?.pack);
      const first = own ?? matches[0];
      if (!first) continue;
      const vendors = [...new Set(matches.map((candidate) => candidate.pack))];
      const steps = own
        ? [...own.indicator.incidentSteps]
        : [
            'Take it off the internet now: remove the port forward or UPnP mapping that leads to it.',
            ...vendors.map((pack) => `If it is ${/^[AEIOU]/i.test(pack.pack.vendor) ? 'an' : 'a'} ${pack.pack.vendor}: ${(matches.find((candidate) => candidate.pack === pack)?.indicator.incidentSteps ?? []).join(' ')}`),
          ];
      const { indicator, match } = first;
      findings.push({
        id: findingId('vendor-compromise', campaign, host.address),
        rule: 'vendor-compromise',
        severity: 'critical',
        title: `${host.address} shows signs of ${campaign}: ${own ? indicator.title : `${campaign}'s ransom screen in place of its login page`}`,
        description: `${host.address} answered on port ${match.port} (${match.path}) with what ${campaign} leaves behind. ${indicator.evidence} This is an incident, not a setting to harden: follow the ${own ? `${own.pack.pack.vendor} ` : ''}incident steps below first.`,
        evidence: matches.map((candidate) => ({ subject: `${host.address}:${candidate.match.port}`, detail: `${candidate.match.path}: ${candidate.match.evidence} (${candidate.pack.pack.id} pack, ${candidate.indicator.id})` })).slice(0, 8),
        remediation: steps,
        references: [...new Set((own ? [own] : matches).flatMap((candidate) => [...(candidate.indicator.incidentSource ? [candidate.indicator.incidentSource] : []), ...candidate.indicator.sources]))],
        classification: unclassified(),
      });
    }
  }
  return findings;
}

/** Whether an end-of-support entry covers the device: its model (whole, case-insensitive), its line, a version below. */
function endOfSupportCovers(entry: EndOfSupport, host: Host, pack: LoadedPack): boolean {
  const device = host.device;
  if (!device) return false;
  if (entry.models !== undefined) {
    const models = new RegExp(`^(?:${entry.models})$`, 'i');
    if (![device.model, device.displayModel].some((model) => model !== undefined && models.test(model))) return false;
  }
  if (entry.productLine !== undefined) {
    if (device.productLine !== entry.productLine) return false;
    if (entry.below !== undefined) {
      const line = pack.lines.get(entry.productLine);
      const found = line?.grammar.parse(device.firmware?.full);
      const limit = line?.grammar.parse(entry.below);
      if (!line || !found || !limit || line.grammar.compare(found, limit) !== -1) return false;
    }
  }
  return true;
}

function endOfSupportFindings(hosts: readonly Host[], packs: readonly LoadedPack[]): Finding[] {
  const findings: Finding[] = [];
  for (const host of hosts) {
    const pack = packs.find((candidate) => candidate.pack.id === host.device?.pack);
    const entry = pack ? (pack.pack.endOfSupport ?? []).find((candidate) => endOfSupportCovers(candidate, host, pack)) : undefined;
    if (!pack || !entry || !host.device) continue;
    const name = `${host.device.vendor} ${host.device.displayModel ?? host.device.model ?? host.device.os ?? 'device'}`;
    findings.push({
      id: findingId('vendor-end-of-support', host.address),
      rule: 'vendor-end-of-support',
      severity: 'high',
      title: `${name} at ${host.address} gets no security updates: ${entry.name}, last security update ${entry.lastSecurityUpdate}`,
      description: `${entry.name} received its last security update in ${entry.lastSecurityUpdate} (${pack.pack.vendor}'s word). Holes found since then stay open for good, whatever the firmware installed: retire it, or at least keep it off the internet.`,
      evidence: [{ subject: host.address, detail: `${name}${host.device.firmware ? `, firmware ${host.device.firmware.full}` : ''}: ${entry.id} in the ${pack.pack.id} pack` }],
      remediation: [...entry.steps],
      references: [entry.source],
      classification: unclassified(),
    });
  }
  return findings;
}

/**
 * The exposure findings (admin page reachable, vulnerable and reachable, version unknown, not judged) of the devices
 * a pack other than QNAP's recognised: the same rules as QNAP's (src/rules/nas.ts), in the words of the device's
 * pack. QNAP's come from src/rules/qnap.ts in the rules stage, as before. The join of doors is made here only when
 * such a device was seen (the rules stage makes its own from the same observations).
 */
function otherVendorFindings(observations: readonly Observation[], hosts: readonly Host[], packs: readonly LoadedPack[]): Finding[] {
  const ids = [...new Set(hosts.flatMap((host) => (host.device?.pack !== undefined && nasPrefix(host.device) === 'nas' ? [host.device.pack] : [])))];
  if (ids.length === 0) return [];
  const context = ruleContext(observations);
  return ids.flatMap((id) => nasFindings(packVoice(id, packs.find((pack) => pack.pack.id === id)), context).findings);
}

/**
 * Holds every recognised device against the packs (the shipped ones and those given with --vendor-pack), and says
 * when a pack's advisory data is more than 90 days older than the scan.
 */
export function judgeVendors(observations: readonly Observation[], vendorPacks?: readonly string[]): VendorJudgement {
  const recognised = observations.some((observation) => observation.kind === 'host' && (observation.data.device?.pack !== undefined || (observation.data.indicators?.length ?? 0) > 0));
  if (!recognised) return { observations, packs: [], findings: [], ...(observations.some((observation) => observation.kind === 'host') ? { hosts: observations.flatMap((observation) => (observation.kind === 'host' ? [observation.data] : [])) } : {}) };
  const loaded = loadPacks(vendorPacks).packs;
  const judged = judgeHosts(observations, loaded);
  const used = loaded.filter((pack) => judged.hosts.some((host) => host.device?.pack === pack.pack.id));
  const at = scanTime(observations);
  const findings: Finding[] = [...compromiseFindings(judged.hosts, loaded), ...endOfSupportFindings(judged.hosts, loaded), ...otherVendorFindings(judged.observations, judged.hosts, loaded)];
  for (const pack of used) {
    if (at === undefined) break;
    const days = Math.floor((at - Date.parse(`${pack.pack.dataDate}T00:00:00Z`)) / DAY_MS);
    if (days > DATA_AGE_DAYS) findings.push(dataAgeFinding(pack, days));
  }
  return { observations: judged.observations, hosts: judged.hosts, packs: used, loaded, findings };
}
