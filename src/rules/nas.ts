import type { AdvisoryDetail, Classification, Evidence, Finding, Host, QnapDevice, Severity, Verdict } from '../core/report.generated.js';
import { describeMapping, fingerprintEvidence } from './describe.js';
import {
  autoRouterDescription, deviceName, doorLevel, firmwareName, qnapDoors, qnapWebPorts, reachabilityWords,
  type Door, type DoorLevel, type QnapDoor, type RuleContext,
} from './doors.js';
import { findingId, unclassified } from './finding.js';
import { cveReference, KEV_REFERENCE, REMOVE_FORWARD } from './guidance.js';
import { advisoryLabels } from './score.js';

/**
 * The exposure rules of every NAS vendor: an admin page that the internet reaches, firmware below an advisory's fix
 * (and whether that box is reachable), a version that could not be read, advisories that could not be judged. The
 * doors, levels, severities and verdict logic are the same for every vendor; what a finding says (the vendor's
 * story, where its update lives, its advice, its id prefix) is its `NasVoice`: QNAP's own words (src/rules/qnap.ts,
 * ids and texts unchanged since before vendor packs) or words read from the device's vendor pack
 * (src/rules/vendor-voice.ts). Decision 0017.
 */
export interface NasVoice {
  /** Finding ids and rules start with it: `qnap` (QNAP's, kept) or `nas` (every other vendor). */
  prefix: string;
  /** Whether this voice speaks for the device (QNAP's for QNAP devices; a pack's for that pack's devices). */
  speaksFor(device: QnapDevice): boolean;
  /** "QNAP's Auto Router Configuration ... weak corroboration": why a miniupnpc or NAT-PMP description matters. */
  autoRouterSentence: string;
  /** What an exposed admin page of this device means: told once per device. */
  story(device: QnapDevice): string;
  /** The steps that close an admin door, in order. */
  adminRemediation(door: Door, device: QnapDevice): string[];
  adminReferences(device: QnapDevice): string[];
  /** Where a product line is updated: "Control Panel > ...", "App Center". */
  updateWhere(product: string, firmware: boolean, device: QnapDevice): string;
  /** The step when no advisory names a fixed release for a product line. */
  noFixStep(product: string, ids: string, count: number, firmware: boolean, device: QnapDevice): string;
  /** Orders two fixed releases of one product line (null: cannot). */
  compareFixed(product: string, firmware: boolean, a: string, b: string, device: QnapDevice): number | null;
  /** Steps after the per-line updates in a vulnerable finding (QNAP: update everything). */
  afterUpdates: string[];
  /** Stops the NAS asking the router for forwards (UPnP doors). */
  disableAutoForward: string;
  remoteAccessInstead: string;
  compromiseCheck: string;
  backup: string;
  /** The advisory's own page, when known. */
  advisoryReference(advisory: string, device: QnapDevice): string | null;
  /** Title words when none of the vulnerable verdicts names a fix (a line the vendor never fixed); undefined keeps "below the fix". */
  unfixedWords?: boolean;
  versionUnknownDescription(device: QnapDevice): string;
  versionUnknownRemediation(device: QnapDevice): string[];
  versionUnknownReferences(device: QnapDevice): string[];
  /** The step asking the owner to read app versions an unauthenticated scan cannot. */
  appCheckStep(apps: string, advisories: string): string;
  firmwareReadStep: string;
  /** Steps that close an undecided finding, after the reading steps. */
  afterUndecided: string[];
}

const LEVEL_ORDER: readonly DoorLevel[] = ['confirmed', 'forwarded', 'from-inside', 'blocked'];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function portWords(door: Door): string {
  return door.internalPort === null || door.internalPort === door.externalPort ? `${door.externalPort}` : `${door.internalPort} (external port ${door.externalPort})`;
}

function viaWords(door: Door): string {
  if (door.via === 'upnp') return ' through a UPnP mapping';
  if (door.via === 'unexplained') return ' through a port forward that no UPnP mapping explains';
  return '';
}

function adminVerb(door: Door, level: DoorLevel): string {
  const via = viaWords(door);
  switch (level) {
    case 'confirmed':
      return `is reachable from the internet${via}`;
    case 'forwarded':
      return `is forwarded to the internet${via}`;
    case 'from-inside':
      return `answers on your external address${via} (seen from inside only)`;
    case 'blocked':
      return `is forwarded${via}, but not reachable from the internet right now`;
  }
}

/** from-inside is a hairpin scan's word alone (no mapping, no outside view): never above medium. */
const ADMIN_SEVERITY: Readonly<Record<DoorLevel, Severity>> = { confirmed: 'critical', forwarded: 'critical', 'from-inside': 'medium', blocked: 'medium' };

/** The id prefix of a device's NAS findings: QNAP's kept as they were, every other vendor's `nas`. */
export function nasPrefix(device: Pick<QnapDevice, 'vendor'>): string {
  return device.vendor === 'QNAP' ? 'qnap' : 'nas';
}

/** The admin finding's id: the door it is about, under the voice's prefix (QNAP's: qnap-admin-exposed-tcp-8080). */
export function adminFindingId(prefix: string, door: Door): string {
  return findingId(`${prefix}-admin-exposed`, door.protocol, door.externalPort);
}

function wanPortEvidence(context: RuleContext, door: Door): Evidence[] {
  const wan = context.wan;
  if (!wan || wan.vantage === 'none') return [];
  const port = context.wanPorts.get(door.key);
  if (!port) return [];
  return [{ subject: `${wan.address ?? 'wan'}:${door.externalPort}/${door.protocol.toLowerCase()}`, detail: `${port.state} ${wan.vantage === 'agent' ? 'from the vantage agent' : 'from inside (hairpin, not an outside view)'}` }];
}

function adminFinding(voice: NasVoice, context: RuleContext, target: QnapDoor, vulnerable: Finding | null, toldIn: string | null): Finding {
  const { door, device } = target;
  const level = doorLevel(door);
  const name = deviceName(device);
  const firmware = firmwareName(device);
  const where = door.internalClient ?? context.wan?.address ?? 'your external address';
  const parts = [`${name}${device.hostname ? ` ("${device.hostname}")` : ''} at ${where} answers as a ${device.vendor} ${device.os ?? 'NAS'} web admin page on port ${door.internalPort ?? door.externalPort}${firmware ? `, running ${firmware}` : ''}.`];
  const evidence: Evidence[] = [];
  const host = target.host ?? context.wanHost;
  if (host) evidence.push(...fingerprintEvidence(host).filter((line) => line.subject.startsWith(`${host.address}:${host === target.host ? door.internalPort : door.externalPort} `)));
  if (door.mapping && door.gateway) {
    const gateway = door.gateway.friendlyName || door.gateway.address;
    const description = door.mapping.description.trim();
    parts.push(`Router ${gateway} forwards ${door.protocol}/${door.externalPort} to it by UPnP${description ? ` (description "${description}")` : ' (no description)'}${door.mapping.leaseDuration === 0 ? ', with a permanent lease' : ''}.`);
    parts.push(
      description && autoRouterDescription(description)
        ? voice.autoRouterSentence
        : 'Whatever its description says, the mapping leads to the NAS (identified by fingerprint, not by description).',
    );
    evidence.push({ subject: `${door.gateway.location} ${door.protocol}/${door.externalPort}`, detail: describeMapping(door.mapping) });
  }
  evidence.push(...wanPortEvidence(context, door));
  // A device with several admin doors gets the story once, in its first door's finding.
  parts.push(`${capitalise(reachabilityWords(door))}.`, toldIn ? `What this means is told in ${toldIn}.` : voice.story(device));
  if (vulnerable && !toldIn) parts.push(`It also runs versions below the fix for ${advisoryLabels(vulnerable.classification.advisoryDetails ?? [])}: see ${vulnerable.id}.`);
  return {
    id: adminFindingId(voice.prefix, door),
    rule: `${voice.prefix}-admin-exposed`,
    severity: ADMIN_SEVERITY[level],
    title: `Your ${name}${firmware ? ` (${firmware})` : ''} admin page on port ${portWords(door)} ${adminVerb(door, level)}`,
    description: parts.join(' '),
    evidence,
    remediation: voice.adminRemediation(door, device),
    references: voice.adminReferences(device),
    classification: { ...unclassified(), cwe: ['CWE-668'] },
    exposure: door.key,
  };
}

/** One device, as the fingerprint probes saw it, with the doors that lead to it. */
interface Subject {
  address: string;
  host: Host;
  device: QnapDevice;
  doors: QnapDoor[];
}

function subjects(voice: NasVoice, context: RuleContext): Subject[] {
  const doors = qnapDoors(context).filter((door) => voice.speaksFor(door.device));
  const result: Subject[] = [];
  for (const host of context.lanHosts.values()) {
    if (host.device && voice.speaksFor(host.device)) result.push({ address: host.address, host, device: host.device, doors: doors.filter((door) => door.host === host) });
  }
  const wanHost = context.wanHost;
  if (wanHost?.device && voice.speaksFor(wanHost.device)) {
    // The device seen from outside is one already fingerprinted inside when a door joins them: report it once.
    const wanPorts = qnapWebPorts(wanHost);
    const joined = doors.some((door) => door.host?.device && door.door.protocol === 'TCP' && wanPorts.includes(door.door.externalPort));
    if (!joined) result.push({ address: context.wan?.address ?? wanHost.address, host: wanHost, device: wanHost.device, doors: doors.filter((door) => door.host === undefined) });
  }
  return result;
}

/** The best way in: a seen-open door beats a forwarded one beats one seen from inside only beats a blocked one. */
function bestDoor(subject: Subject): { door: QnapDoor; level: DoorLevel } | null {
  let best: { door: QnapDoor; level: DoorLevel } | null = null;
  for (const door of subject.doors) {
    const level = subject.host.seenFrom === 'wan' ? 'confirmed' : doorLevel(door.door);
    if (!best || LEVEL_ORDER.indexOf(level) < LEVEL_ORDER.indexOf(best.level) || (level === best.level && door.admin && !best.door.admin)) best = { door, level };
  }
  return best;
}

const FIRMWARE_PRODUCTS: readonly string[] = ['QTS', 'QuTS hero', 'QuTScloud'];

/** The product line a verdict was decided on; verdicts written before the field existed name the advisory's component. */
function productOf(verdict: Verdict): string {
  return verdict.product ?? verdict.component;
}

function isFirmware(verdict: Verdict): boolean {
  return (verdict.productKind ?? (FIRMWARE_PRODUCTS.includes(productOf(verdict)) ? 'firmware' : 'app')) === 'firmware';
}

function detailOf(verdict: Verdict): AdvisoryDetail {
  return { id: verdict.advisory, product: productOf(verdict), kev: verdict.kev, knownRansomware: verdict.knownRansomware };
}

/** What the data says of one advisory, said of that advisory only: "in CISA KEV (known exploited), used by ransomware" or "not listed in CISA KEV". */
function dataWords(verdict: Verdict): string {
  return [verdict.kev ? 'in CISA KEV (known exploited)' : 'not listed in CISA KEV', verdict.knownRansomware ? 'used by ransomware' : ''].filter(Boolean).join(', ');
}

function verdictSentence(verdict: Verdict): string {
  return `${verdict.advisory} (${productOf(verdict)}${verdict.cve.length > 0 ? `; ${verdict.cve.join(', ')}` : ''}): found ${verdict.foundVersion ?? 'unknown'}, fixed in ${verdict.fixedVersion ?? 'no fix named'}; ${dataWords(verdict)}.`;
}

/** The advisories that apply, known exploited and ransomware-used first (the order the title and the headline name them). */
function worstFirst(verdicts: readonly Verdict[]): Verdict[] {
  const weight = (verdict: Verdict): number => (verdict.kev ? 2 : 0) + (verdict.knownRansomware ? 2 : 0) + (verdict.kev || verdict.knownRansomware ? 0 : 1);
  return [...verdicts].sort((a, b) => weight(b) - weight(a));
}

/** Only verdicts that apply (status vulnerable) may carry CVEs, KEV or ransomware flags into a finding. */
function verdictClassification(verdicts: readonly Verdict[]): Classification {
  const applying = verdicts.filter((verdict) => verdict.status === 'vulnerable');
  return {
    cve: [...new Set(applying.flatMap((verdict) => verdict.cve))].sort(),
    kev: applying.some((verdict) => verdict.kev),
    knownRansomware: applying.some((verdict) => verdict.knownRansomware),
    advisories: [...new Set(applying.map((verdict) => verdict.advisory))],
    advisoryDetails: applying.map(detailOf),
  };
}

function verdictReferences(voice: NasVoice, device: QnapDevice, verdicts: readonly Verdict[]): string[] {
  const references = verdicts.flatMap((verdict) => [voice.advisoryReference(verdict.advisory, device), ...verdict.cve.map(cveReference)]);
  if (verdicts.some((verdict) => verdict.kev)) references.push(KEV_REFERENCE);
  return [...new Set(references.filter((reference): reference is string => reference !== null))];
}

/** The highest fixed release among verdicts of one product line: installing it (or later) closes all of them. */
function highestFixed(voice: NasVoice, device: QnapDevice, product: string, verdicts: readonly Verdict[], firmware: boolean): string | null {
  let best: string | null = null;
  for (const verdict of verdicts) {
    const candidate = verdict.fixedVersion;
    if (candidate === null) continue;
    if (best === null) {
      best = candidate;
      continue;
    }
    const order = voice.compareFixed(product, firmware, candidate, best, device);
    if (order !== null && order > 0) best = candidate;
  }
  return best;
}

export function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

/** One step per product line: the firmware build or app version to install, the highest fix among the advisories that apply to it. */
function updateSteps(voice: NasVoice, device: QnapDevice, verdicts: readonly Verdict[]): string[] {
  const byProduct = new Map<string, Verdict[]>();
  for (const verdict of verdicts) byProduct.set(productOf(verdict), [...(byProduct.get(productOf(verdict)) ?? []), verdict]);
  return [...byProduct].map(([product, list]) => {
    const firmware = list.every(isFirmware);
    const target = highestFixed(voice, device, product, list, firmware);
    const ids = joinWords(list.map((verdict) => verdict.advisory));
    if (!target) return voice.noFixStep(product, ids, list.length, firmware, device);
    return `Update ${product} to ${target} or later (${voice.updateWhere(product, firmware, device)}): ${list.length === 1 ? `the fix for ${ids}` : `the highest fixed ${firmware ? 'build' : 'version'} among ${ids}`}.`;
  });
}

function vulnerableFinding(voice: NasVoice, subject: Subject, vulnerable: readonly Verdict[]): Finding {
  const verdicts = worstFirst(vulnerable);
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const name = deviceName(subject.device);
  const firmware = firmwareName(subject.device);
  const classification = verdictClassification(verdicts);
  const unfixed = voice.unfixedWords === true && verdicts.every((verdict) => verdict.fixedVersion === null);
  const fixes = unfixed ? '' : verdicts.length === 1 ? 'the fix' : 'the fixes';
  const hairpinOnly = best?.level === 'from-inside';
  const reach = best && exposed && hairpinOnly
    ? `It answers on ${best.door.door.protocol}/${best.door.door.externalPort} of your external address, seen from inside this network (hairpin NAT, not an outside view, and no UPnP mapping explains it): scan with --vantage to learn whether the internet reaches it.`
    : best && exposed
    ? `It is reachable from outside on ${best.door.door.protocol}/${best.door.door.externalPort}${best.door.admin ? ` (see ${adminFindingId(voice.prefix, best.door.door)})` : ''}: anyone on the internet can try these holes.`
    : 'Nothing in this scan shows it reachable from the internet, so an attacker needs a foothold on the LAN first (or a forward this scan did not see); fix it before anything opens a port to it.';
  const rule = `${voice.prefix}-${exposed ? 'vulnerable-exposed' : 'vulnerable-lan'}`;
  const what = unfixed ? `runs versions that no release fixes for ${advisoryLabels(classification.advisoryDetails ?? [])}` : `runs versions below ${fixes} for ${advisoryLabels(classification.advisoryDetails ?? [])}`;
  return {
    id: findingId(rule, subject.address),
    rule,
    severity: !exposed || best.level === 'from-inside' ? 'medium' : 'critical',
    title: `Your ${name}${firmware ? ` (${firmware})` : ''} ${what}${!exposed ? '' : hairpinOnly ? ', and it answers on your external address (seen from inside, not an outside view)' : ', and it is reachable from the internet'}`,
    description: [`${name} at ${subject.address} runs versions ${unfixed ? 'affected by' : 'older than the fixed release of'} ${verdicts.length} advisor${verdicts.length === 1 ? 'y' : 'ies'}:`, ...verdicts.map(verdictSentence), reach].join(' '),
    evidence: verdicts.map((verdict) => ({ subject: `${subject.address} ${verdict.advisory} (${productOf(verdict)})`, detail: `${verdict.status}: found ${verdict.foundVersion ?? 'unknown'}, fixed in ${verdict.fixedVersion ?? 'unknown'}; ${verdict.reason}; ${dataWords(verdict)}` })),
    remediation: [
      ...updateSteps(voice, subject.device, verdicts),
      ...voice.afterUpdates,
      ...(exposed ? [best.door.door.via === 'upnp' ? voice.disableAutoForward : REMOVE_FORWARD(best.door.door.externalPort), voice.remoteAccessInstead] : []),
      voice.compromiseCheck,
      voice.backup,
    ],
    references: verdictReferences(voice, subject.device, verdicts),
    classification,
    ...(best ? { exposure: best.door.door.key } : {}),
  };
}

function versionUnknownFinding(voice: NasVoice, subject: Subject): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const name = deviceName(subject.device);
  return {
    id: findingId(`${voice.prefix}-version-unknown`, subject.address),
    rule: `${voice.prefix}-version-unknown`,
    severity: exposed ? 'medium' : 'low',
    title: `${name} detected at ${subject.address}, firmware version unknown`,
    description: `${voice.versionUnknownDescription(subject.device)}${exposed ? ' It is reachable from outside, which makes finding out urgent.' : ''}`,
    evidence: fingerprintEvidence(subject.host),
    remediation: voice.versionUnknownRemediation(subject.device),
    references: voice.versionUnknownReferences(subject.device),
    classification: unclassified(),
    ...(best ? { exposure: best.door.door.key } : {}),
  };
}

/** What could not be read or decided, in words, once per kind: "the HBS 3 and Photo Station versions could not be read without credentials". */
function unreadWords(verdicts: readonly Verdict[]): string {
  const apps = [...new Set(verdicts.filter((verdict) => verdict.unknownBecause === 'app-version').map(productOf))];
  const words = new Set<string>();
  if (apps.length > 0) words.add(`the ${joinWords(apps)} version${apps.length === 1 ? '' : 's'} could not be read without credentials`);
  for (const verdict of verdicts) {
    switch (verdict.unknownBecause) {
      case 'app-version':
        break;
      case 'firmware-version':
        words.add('the firmware version was not told');
        break;
      case 'firmware-format':
        words.add('the firmware version is in no format that can be compared');
        break;
      case 'build':
        words.add('the firmware build number or date was not told');
        break;
      case 'app-format':
        words.add(`the ${productOf(verdict)} version is in no format that can be compared`);
        break;
      case 'firmware-choice':
        words.add(`which firmware's ${productOf(verdict)} fix applies could not be told`);
        break;
      case 'branch-not-listed':
        words.add(`the advisory does not say whether this ${productOf(verdict)} branch is affected`);
        break;
      case 'no-fix-listed':
        words.add('the advisory names no fix that can be compared');
        break;
      case undefined:
        words.add(verdict.reason);
        break;
    }
  }
  return [...words].join('; ');
}

/**
 * Verdicts the version alone cannot settle (an app such as HBS 3 whose version the NAS does not tell without a login),
 * when the data says the advisory was exploited. Not judged means not applying: no CVE, KEV or ransomware flag is
 * attached to this finding; the advisories are named as unjudged, with what could not be read.
 */
function undecidedFinding(voice: NasVoice, subject: Subject, verdicts: readonly Verdict[]): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const count = `${verdicts.length} advisor${verdicts.length === 1 ? 'y' : 'ies'}`;
  const names = joinWords(verdicts.map((verdict) => `${verdict.advisory} (${productOf(verdict)})`));
  const apps = [...new Set(verdicts.filter((verdict) => verdict.unknownBecause === 'app-version' || verdict.unknownBecause === 'app-format').map(productOf))];
  const firmwareUnread = verdicts.some((verdict) => verdict.unknownBecause === 'build' || verdict.unknownBecause === 'firmware-format' || verdict.unknownBecause === 'firmware-version');
  return {
    id: findingId(`${voice.prefix}-verdict-unknown`, subject.address),
    rule: `${voice.prefix}-verdict-unknown`,
    severity: exposed ? 'medium' : 'low',
    title: `${deviceName(subject.device)}: ${count} could not be judged (${unreadWords(verdicts)}): ${names}`,
    description: [
      `This scan could not tell whether ${verdicts.length === 1 ? 'this advisory applies' : 'these advisories apply'} to the NAS, so none is counted as applying: no CVE, KEV or ransomware flag is attached to this finding.`,
      `${verdicts.length === 1 ? 'It is' : 'They are'} named because, where ${verdicts.length === 1 ? 'it applies, it is' : 'they apply, they are'} known exploited or used by ransomware:`,
      ...verdicts.map((verdict) => `${verdict.advisory} (${productOf(verdict)}): not judged (${verdict.reason}); the advisory itself is ${dataWords(verdict)}.`),
      'Unknown means "cannot tell": neither safe nor vulnerable.',
    ].join(' '),
    evidence: verdicts.map((verdict) => ({ subject: `${subject.address} ${verdict.advisory} (${productOf(verdict)})`, detail: `not judged (unknown): found ${verdict.foundVersion ?? 'nothing'}${verdict.fixedVersion ? `, fixed in ${verdict.fixedVersion}` : ''}; ${verdict.reason}` })),
    remediation: [
      ...(apps.length > 0 ? [voice.appCheckStep(joinWords(apps), joinWords(verdicts.filter((verdict) => apps.includes(productOf(verdict))).map((verdict) => verdict.advisory)))] : []),
      ...(firmwareUnread ? [voice.firmwareReadStep] : []),
      ...voice.afterUndecided,
    ],
    // The advisories' own pages only: a CVE or KEV link would read as "this applies".
    references: [...new Set(verdicts.map((verdict) => voice.advisoryReference(verdict.advisory, subject.device)).filter((reference): reference is string => reference !== null))],
    classification: unclassified(),
    ...(best ? { exposure: best.door.door.key } : {}),
  };
}

export interface NasFindings {
  findings: Finding[];
  /** The devices the voice spoke for, with where they were seen (QNAP adds its CloudLink note about them). */
  subjects: Array<{ address: string; device: QnapDevice }>;
}

/**
 * Every NAS finding for the devices one voice speaks for: vulnerable (exposed or LAN), version unknown, advisories
 * that could not be judged, and one admin finding per door leading to an admin page (the story in the first).
 */
export function nasFindings(voice: NasVoice, context: RuleContext): NasFindings {
  const findings: Finding[] = [];
  const found = subjects(voice, context);
  const vulnerableFindings = new Map<QnapDevice, Finding>();
  for (const subject of found) {
    const verdicts = subject.host.verdicts.filter((verdict) => verdict.status === 'vulnerable');
    if (verdicts.length > 0) {
      const finding = vulnerableFinding(voice, subject, verdicts);
      vulnerableFindings.set(subject.device, finding);
      findings.push(finding);
    }
    if (!subject.device.firmware) findings.push(versionUnknownFinding(voice, subject));
    const undecided = subject.host.verdicts.filter((verdict) => verdict.status === 'unknown' && (verdict.kev || verdict.knownRansomware));
    if (subject.device.firmware && undecided.length > 0) findings.push(undecidedFinding(voice, subject, undecided));
  }
  const told = new Map<QnapDevice, string>();
  for (const target of qnapDoors(context)) {
    if (!target.admin || !voice.speaksFor(target.device)) continue;
    const finding = adminFinding(voice, context, target, vulnerableFindings.get(target.device) ?? null, told.get(target.device) ?? null);
    if (!told.has(target.device)) told.set(target.device, finding.id);
    findings.push(finding);
  }
  return { findings, subjects: found.map((subject) => ({ address: subject.address, device: subject.device })) };
}
