import type { AdvisoryDetail, Classification, Evidence, Finding, Host, QnapDevice, Severity, Verdict } from '../core/report.generated.js';
import { compareFirmware, compareNumbers, parseAppVersion, parseFirmware } from '../qnap/version.js';
import { describeMapping, fingerprintEvidence } from './describe.js';
import {
  autoRouterDescription, deviceName, doorLevel, firmwareName, qnapDoors, qnapWebPorts, reachabilityWords,
  type Door, type DoorLevel, type QnapDoor, type RuleContext,
} from './doors.js';
import { findingId, unclassified } from './finding.js';
import {
  advisoryReference, BACKUP, cveReference, KEV_REFERENCE, QLOCKER_STORY, QNAP_DISABLE_AUTO_ROUTER, QNAP_HARDEN, QNAP_REFERENCES,
  REMOTE_ACCESS_INSTEAD, REMOVE_FORWARD, ROUTER_DISABLE_UPNP, UPDATE_QNAP,
} from './guidance.js';
import { advisoryLabels } from './score.js';
import { qnapAdminFindingId } from './story.js';

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

function wanPortEvidence(context: RuleContext, door: Door): Evidence[] {
  const wan = context.wan;
  if (!wan || wan.vantage === 'none') return [];
  const port = context.wanPorts.get(door.key);
  if (!port) return [];
  return [{ subject: `${wan.address ?? 'wan'}:${door.externalPort}/${door.protocol.toLowerCase()}`, detail: `${port.state} ${wan.vantage === 'agent' ? 'from the vantage agent' : 'from inside (hairpin, not an outside view)'}` }];
}

function vulnerableVerdicts(device: QnapDevice | null, host: Host | undefined): Verdict[] {
  return device && host ? host.verdicts.filter((verdict) => verdict.status === 'vulnerable') : [];
}

function adminFinding(context: RuleContext, target: QnapDoor, vulnerable: Finding | null, toldIn: string | null): Finding {
  const { door, device } = target;
  const level = doorLevel(door);
  const name = deviceName(device);
  const firmware = firmwareName(device);
  const where = door.internalClient ?? context.wan?.address ?? 'your external address';
  const parts = [`${name}${device.hostname ? ` ("${device.hostname}")` : ''} at ${where} answers as a QNAP ${device.os ?? 'NAS'} web admin page on port ${door.internalPort ?? door.externalPort}${firmware ? `, running ${firmware}` : ''}.`];
  const evidence: Evidence[] = [];
  const host = target.host ?? context.wanHost;
  if (host) evidence.push(...fingerprintEvidence(host).filter((line) => line.subject.startsWith(`${host.address}:${host === target.host ? door.internalPort : door.externalPort} `)));
  if (door.mapping && door.gateway) {
    const gateway = door.gateway.friendlyName || door.gateway.address;
    const description = door.mapping.description.trim();
    parts.push(`Router ${gateway} forwards ${door.protocol}/${door.externalPort} to it by UPnP${description ? ` (description "${description}")` : ' (no description)'}${door.mapping.leaseDuration === 0 ? ', with a permanent lease' : ''}.`);
    parts.push(
      description && autoRouterDescription(description)
        ? "That description is what QNAP's Auto Router Configuration (miniupnpc) or a NAT-PMP client leaves: weak corroboration that the NAS asked for the forward itself."
        : 'Whatever its description says, the mapping leads to the NAS (identified by fingerprint, not by description).',
    );
    evidence.push({ subject: `${door.gateway.location} ${door.protocol}/${door.externalPort}`, detail: describeMapping(door.mapping) });
  }
  evidence.push(...wanPortEvidence(context, door));
  // A device with several admin doors gets the story once, in its first door's finding.
  parts.push(`${capitalise(reachabilityWords(door))}.`, toldIn ? `What this means is told in ${toldIn}.` : QLOCKER_STORY);
  if (vulnerable && !toldIn) parts.push(`It also runs versions below the fix for ${advisoryLabels(vulnerable.classification.advisoryDetails ?? [])}: see ${vulnerable.id}.`);
  const remediation = door.via === 'upnp'
    ? [QNAP_DISABLE_AUTO_ROUTER, ROUTER_DISABLE_UPNP, `Delete the mapping ${door.protocol}/${door.externalPort} in the router's UPnP page (or restart the router once the NAS no longer asks for it).`]
    : [REMOVE_FORWARD(door.externalPort)];
  return {
    id: qnapAdminFindingId(door),
    rule: 'qnap-admin-exposed',
    severity: ADMIN_SEVERITY[level],
    title: `Your ${name}${firmware ? ` (${firmware})` : ''} admin page on port ${portWords(door)} ${adminVerb(door, level)}`,
    description: parts.join(' '),
    evidence,
    remediation: [...remediation, REMOTE_ACCESS_INSTEAD, UPDATE_QNAP, BACKUP, QNAP_HARDEN],
    references: QNAP_REFERENCES,
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

/** QNAP's own devices: these rules tell QNAP's story and advice; other vendors' devices have theirs (src/rules/vendors.ts). */
export function isQnap(device: QnapDevice | null | undefined): device is QnapDevice {
  return device?.vendor === 'QNAP';
}

function subjects(context: RuleContext): Subject[] {
  const doors = qnapDoors(context).filter((door) => isQnap(door.device));
  const result: Subject[] = [];
  for (const host of context.lanHosts.values()) {
    if (isQnap(host.device)) result.push({ address: host.address, host, device: host.device, doors: doors.filter((door) => door.host === host) });
  }
  const wanHost = context.wanHost;
  if (wanHost && isQnap(wanHost.device)) {
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

function verdictReferences(verdicts: readonly Verdict[]): string[] {
  const references = verdicts.flatMap((verdict) => [advisoryReference(verdict.advisory), ...verdict.cve.map(cveReference)]);
  if (verdicts.some((verdict) => verdict.kev)) references.push(KEV_REFERENCE);
  return [...new Set(references.filter((reference): reference is string => reference !== null))];
}

/** The highest fixed release among verdicts of one product line: installing it (or later) closes all of them. */
function highestFixed(verdicts: readonly Verdict[], firmware: boolean): string | null {
  let best: string | null = null;
  for (const verdict of verdicts) {
    const candidate = verdict.fixedVersion;
    if (candidate === null) continue;
    if (best === null) {
      best = candidate;
      continue;
    }
    let order: number | null;
    if (firmware) {
      const a = parseFirmware(candidate);
      const b = parseFirmware(best);
      order = a && b ? compareFirmware(a, b) : null;
    } else {
      const a = parseAppVersion(candidate);
      const b = parseAppVersion(best);
      order = a && b ? compareNumbers(a, b) : null;
    }
    if (order !== null && order > 0) best = candidate;
  }
  return best;
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

/** One step per product line: the firmware build or app version to install, the highest fix among the advisories that apply to it. */
function updateSteps(verdicts: readonly Verdict[]): string[] {
  const byProduct = new Map<string, Verdict[]>();
  for (const verdict of verdicts) byProduct.set(productOf(verdict), [...(byProduct.get(productOf(verdict)) ?? []), verdict]);
  return [...byProduct].map(([product, list]) => {
    const firmware = list.every(isFirmware);
    const target = highestFixed(list, firmware);
    const ids = joinWords(list.map((verdict) => verdict.advisory));
    const where = firmware ? 'Control Panel > System > Firmware Update, or the build from QNAP\'s download center' : 'App Center';
    if (!target) return `Update ${product} (${where}): no fixed release is named for ${ids}; follow the advisor${list.length === 1 ? 'y' : 'ies'}.`;
    return `Update ${product} to ${target} or later (${where}): ${list.length === 1 ? `the fix for ${ids}` : `the highest fixed ${firmware ? 'build' : 'version'} among ${ids}`}.`;
  });
}

export function vulnerableFindingId(subject: { address: string }, exposed: boolean): string {
  return findingId(exposed ? 'qnap-vulnerable-exposed' : 'qnap-vulnerable-lan', subject.address);
}

function vulnerableFinding(subject: Subject, vulnerable: readonly Verdict[]): Finding {
  const verdicts = worstFirst(vulnerable);
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const name = deviceName(subject.device);
  const firmware = firmwareName(subject.device);
  const classification = verdictClassification(verdicts);
  const fixes = verdicts.length === 1 ? 'the fix' : 'the fixes';
  const hairpinOnly = best?.level === 'from-inside';
  const reach = best && exposed && hairpinOnly
    ? `It answers on ${best.door.door.protocol}/${best.door.door.externalPort} of your external address, seen from inside this network (hairpin NAT, not an outside view, and no UPnP mapping explains it): scan with --vantage to learn whether the internet reaches it.`
    : best && exposed
    ? `It is reachable from outside on ${best.door.door.protocol}/${best.door.door.externalPort}${best.door.admin ? ` (see ${qnapAdminFindingId(best.door.door)})` : ''}: anyone on the internet can try these holes.`
    : 'Nothing in this scan shows it reachable from the internet, so an attacker needs a foothold on the LAN first (or a forward this scan did not see); fix it before anything opens a port to it.';
  return {
    id: vulnerableFindingId(subject, exposed),
    rule: exposed ? 'qnap-vulnerable-exposed' : 'qnap-vulnerable-lan',
    severity: !exposed || best.level === 'from-inside' ? 'medium' : 'critical',
    title: `Your ${name}${firmware ? ` (${firmware})` : ''} runs versions below ${fixes} for ${advisoryLabels(classification.advisoryDetails ?? [])}${!exposed ? '' : hairpinOnly ? ', and it answers on your external address (seen from inside, not an outside view)' : ', and it is reachable from the internet'}`,
    description: [`${name} at ${subject.address} runs versions older than the fixed release of ${verdicts.length} advisor${verdicts.length === 1 ? 'y' : 'ies'}:`, ...verdicts.map(verdictSentence), reach].join(' '),
    evidence: verdicts.map((verdict) => ({ subject: `${subject.address} ${verdict.advisory} (${productOf(verdict)})`, detail: `${verdict.status}: found ${verdict.foundVersion ?? 'unknown'}, fixed in ${verdict.fixedVersion ?? 'unknown'}; ${verdict.reason}; ${dataWords(verdict)}` })),
    remediation: [
      ...updateSteps(verdicts),
      UPDATE_QNAP,
      ...(exposed ? [best.door.door.via === 'upnp' ? QNAP_DISABLE_AUTO_ROUTER : REMOVE_FORWARD(best.door.door.externalPort), REMOTE_ACCESS_INSTEAD] : []),
      'Check the NAS for signs of compromise: unknown admin accounts, unknown scheduled tasks or apps, ransom notes; run QNAP Malware Remover (App Center).',
      BACKUP,
    ],
    references: verdictReferences(verdicts),
    classification,
    ...(best ? { exposure: best.door.door.key } : {}),
  };
}

function versionUnknownFinding(subject: Subject): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const name = deviceName(subject.device);
  return {
    id: findingId('qnap-version-unknown', subject.address),
    rule: 'qnap-version-unknown',
    severity: exposed ? 'medium' : 'low',
    title: `${name} detected at ${subject.address}, firmware version unknown`,
    description: `The fingerprints say this is a QNAP ${subject.device.os ?? 'NAS'} (${subject.device.confidence} confidence), but no answer told its firmware build, so this scan cannot say whether it is below the fix for Qlocker, DeadBolt or later holes. Unknown means "cannot tell", not "safe".${exposed ? ' It is reachable from outside, which makes finding out urgent.' : ''}`,
    evidence: fingerprintEvidence(subject.host),
    remediation: ['Log in to the NAS and read the firmware version under Control Panel > System > Firmware Update; compare it with QNAP\'s security advisories.', UPDATE_QNAP],
    references: ['https://www.qnap.com/en/security-advisories'],
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
function undecidedFinding(subject: Subject, verdicts: readonly Verdict[]): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const count = `${verdicts.length} advisor${verdicts.length === 1 ? 'y' : 'ies'}`;
  const names = joinWords(verdicts.map((verdict) => `${verdict.advisory} (${productOf(verdict)})`));
  const apps = [...new Set(verdicts.filter((verdict) => verdict.unknownBecause === 'app-version' || verdict.unknownBecause === 'app-format').map(productOf))];
  const firmwareUnread = verdicts.some((verdict) => verdict.unknownBecause === 'build' || verdict.unknownBecause === 'firmware-format' || verdict.unknownBecause === 'firmware-version');
  return {
    id: findingId('qnap-verdict-unknown', subject.address),
    rule: 'qnap-verdict-unknown',
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
      ...(apps.length > 0 ? [`In App Center, read the installed version of ${joinWords(apps)} (if installed) and compare it with the fixed versions in ${joinWords(verdicts.filter((verdict) => apps.includes(productOf(verdict))).map((verdict) => verdict.advisory))}; update when below.`] : []),
      ...(firmwareUnread ? ['Read the full firmware version and build under Control Panel > System > Firmware Update and compare it with the advisories named above.'] : []),
      UPDATE_QNAP,
    ],
    // The advisories' own pages only: a CVE or KEV link would read as "this applies".
    references: [...new Set(verdicts.map((verdict) => advisoryReference(verdict.advisory)).filter((reference): reference is string => reference !== null))],
    classification: unclassified(),
    ...(best ? { exposure: best.door.door.key } : {}),
  };
}

function cloudLinkFinding(subjects: readonly Subject[]): Finding {
  return {
    id: 'qnap-cloudlink-unseen',
    rule: 'qnap-cloudlink-unseen',
    severity: 'info',
    title: 'myQNAPcloud Link (the CloudLink relay) cannot be seen by any port scan: check it on the NAS',
    description:
      "myQNAPcloud Link makes the NAS reachable from the internet through QNAP's relay servers. The NAS opens the connection outwards, so no port is open and neither the router's mapping table nor a scan from outside can see it: this scan did not check it. QNAP recommends it over port forwarding; it still puts the login page in reach of anyone with the device's myQNAPcloud name, so know whether it is on.",
    evidence: subjects.map((subject) => ({ subject: subject.address, detail: `${deviceName(subject.device)}${subject.device.firmware ? ` ${firmwareName(subject.device) ?? ''}` : ''}: QNAP detected` })),
    remediation: [
      'On the NAS: App Center > installed apps: is "myQNAPcloud Link" (CloudLink) installed and running? myQNAPcloud > Access Control shows who can find the device (set it to Private or Customized).',
      'If you do not use remote access through myQNAPcloud, stop or remove myQNAPcloud Link and sign out of myQNAPcloud.',
    ],
    references: ['https://www.hkcert.org/security-news/qnap-urges-customers-to-disable-upnp-port-forwarding-on-routers', 'https://docs.qnap.com/operating-system/qts/5.0.x/en-us/configuring-device-access-controls-5B9D87AE.html'],
    classification: unclassified(),
  };
}

export function qnapFindings(context: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const found = subjects(context);
  const vulnerableFindings = new Map<QnapDevice, Finding>();
  for (const subject of found) {
    const verdicts = vulnerableVerdicts(subject.device, subject.host);
    if (verdicts.length > 0) {
      const finding = vulnerableFinding(subject, verdicts);
      vulnerableFindings.set(subject.device, finding);
      findings.push(finding);
    }
    if (!subject.device.firmware) findings.push(versionUnknownFinding(subject));
    const undecided = subject.host.verdicts.filter((verdict) => verdict.status === 'unknown' && (verdict.kev || verdict.knownRansomware));
    if (subject.device.firmware && undecided.length > 0) findings.push(undecidedFinding(subject, undecided));
  }
  const told = new Map<QnapDevice, string>();
  for (const target of qnapDoors(context)) {
    if (!target.admin || !isQnap(target.device)) continue;
    const finding = adminFinding(context, target, vulnerableFindings.get(target.device) ?? null, told.get(target.device) ?? null);
    if (!told.has(target.device)) told.set(target.device, finding.id);
    findings.push(finding);
  }
  if (found.length > 0) findings.push(cloudLinkFinding(found));
  return findings;
}
