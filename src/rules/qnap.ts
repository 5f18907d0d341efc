import type { Classification, Evidence, Finding, Host, QnapDevice, Severity, Verdict } from '../core/report.generated.js';
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

const ADMIN_SEVERITY: Readonly<Record<DoorLevel, Severity>> = { confirmed: 'critical', forwarded: 'critical', 'from-inside': 'high', blocked: 'medium' };

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

function adminFinding(context: RuleContext, target: QnapDoor, vulnerableId: string | null, toldIn: string | null): Finding {
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
  if (vulnerableId && !toldIn) parts.push(`Its firmware or apps are also below the fix for known-exploited holes: see ${vulnerableId}.`);
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

function subjects(context: RuleContext): Subject[] {
  const doors = qnapDoors(context);
  const result: Subject[] = [];
  for (const host of context.lanHosts.values()) {
    if (host.device) result.push({ address: host.address, host, device: host.device, doors: doors.filter((door) => door.host === host) });
  }
  const wanHost = context.wanHost;
  if (wanHost?.device) {
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

function verdictSentence(verdict: Verdict): string {
  const flags = [verdict.kev ? 'in CISA KEV (known exploited)' : '', verdict.knownRansomware ? 'used by ransomware' : ''].filter(Boolean).join(', ');
  return `${verdict.advisory} (${verdict.component}${verdict.cve.length > 0 ? `; ${verdict.cve.join(', ')}` : ''}): found ${verdict.foundVersion ?? 'unknown'}, fixed in ${verdict.fixedVersion ?? 'no fix named'}${flags ? `; ${flags}` : ''}.`;
}

function verdictClassification(verdicts: readonly Verdict[]): Classification {
  return {
    cve: [...new Set(verdicts.flatMap((verdict) => verdict.cve))].sort(),
    kev: verdicts.some((verdict) => verdict.kev),
    knownRansomware: verdicts.some((verdict) => verdict.knownRansomware),
    advisories: [...new Set(verdicts.map((verdict) => verdict.advisory))],
  };
}

function verdictReferences(verdicts: readonly Verdict[]): string[] {
  const references = verdicts.flatMap((verdict) => [advisoryReference(verdict.advisory), ...verdict.cve.map(cveReference)]);
  if (verdicts.some((verdict) => verdict.kev)) references.push(KEV_REFERENCE);
  return [...new Set(references.filter((reference): reference is string => reference !== null))];
}

function advisoryList(verdicts: readonly Verdict[]): string {
  const names = verdicts.map((verdict) => verdict.advisory);
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

export function vulnerableFindingId(subject: { address: string }, exposed: boolean): string {
  return findingId(exposed ? 'qnap-vulnerable-exposed' : 'qnap-vulnerable-lan', subject.address);
}

function vulnerableFinding(subject: Subject, verdicts: readonly Verdict[]): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  const name = deviceName(subject.device);
  const firmware = firmwareName(subject.device);
  const classification = verdictClassification(verdicts);
  const known = [classification.kev ? 'known exploited' : '', classification.knownRansomware ? 'used by ransomware' : ''].filter(Boolean).join(', ');
  const reach = best && exposed
    ? `It is reachable from outside on ${best.door.door.protocol}/${best.door.door.externalPort}${best.door.admin ? ` (see ${qnapAdminFindingId(best.door.door)})` : ''}: anyone on the internet can try these holes.`
    : 'Nothing in this scan shows it reachable from the internet, so an attacker needs a foothold on the LAN first (or a forward this scan did not see); fix it before anything opens a port to it.';
  return {
    id: vulnerableFindingId(subject, exposed),
    rule: exposed ? 'qnap-vulnerable-exposed' : 'qnap-vulnerable-lan',
    severity: !exposed ? 'medium' : best.level === 'from-inside' ? 'high' : 'critical',
    title: `Your ${name}${firmware ? ` (${firmware})` : ''} is below the fix for ${advisoryList(verdicts)}${known ? ` (${known})` : ''}${exposed ? ', and it is reachable from the internet' : ''}`,
    description: [`${name} at ${subject.address} reports ${firmwareName(subject.device) ?? 'a version'} that is older than the fixed build of ${verdicts.length} advisor${verdicts.length === 1 ? 'y' : 'ies'}:`, ...verdicts.map(verdictSentence), reach].join(' '),
    evidence: verdicts.map((verdict) => ({ subject: `${subject.address} ${verdict.advisory}`, detail: `${verdict.status}: found ${verdict.foundVersion ?? 'unknown'}, fixed in ${verdict.fixedVersion ?? 'unknown'}; ${verdict.reason}` })),
    remediation: [
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

/** Verdicts the version alone cannot settle (an app such as HBS 3 whose version the NAS does not tell without a login), when they matter. */
function undecidedFinding(subject: Subject, verdicts: readonly Verdict[]): Finding {
  const best = bestDoor(subject);
  const exposed = best !== null && best.level !== 'blocked';
  return {
    id: findingId('qnap-verdict-unknown', subject.address),
    rule: 'qnap-verdict-unknown',
    severity: exposed ? 'medium' : 'low',
    title: `${deviceName(subject.device)}: ${verdicts.length} known-exploited advisor${verdicts.length === 1 ? 'y' : 'ies'} could not be checked (${advisoryList(verdicts)})`,
    description: `These advisories are known exploited, but this scan could not tell whether the NAS has the fix: ${verdicts.map((verdict) => `${verdict.advisory} (${verdict.component}): ${verdict.reason}`).join(' ')} Unknown means "cannot tell", not "safe".`,
    evidence: verdicts.map((verdict) => ({ subject: `${subject.address} ${verdict.advisory}`, detail: `unknown: found ${verdict.foundVersion ?? 'nothing'}, fixed in ${verdict.fixedVersion ?? 'unknown'}; ${verdict.reason}` })),
    remediation: ['In App Center, check the version of each app named above against its advisory, and update it.', UPDATE_QNAP],
    references: verdictReferences(verdicts),
    classification: verdictClassification(verdicts),
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
  const vulnerableIds = new Map<QnapDevice, string>();
  for (const subject of found) {
    const verdicts = vulnerableVerdicts(subject.device, subject.host);
    if (verdicts.length > 0) {
      const finding = vulnerableFinding(subject, verdicts);
      vulnerableIds.set(subject.device, finding.id);
      findings.push(finding);
    }
    if (!subject.device.firmware) findings.push(versionUnknownFinding(subject));
    const undecided = subject.host.verdicts.filter((verdict) => verdict.status === 'unknown' && (verdict.kev || verdict.knownRansomware));
    if (subject.device.firmware && undecided.length > 0) findings.push(undecidedFinding(subject, undecided));
  }
  const told = new Map<QnapDevice, string>();
  for (const target of qnapDoors(context)) {
    if (!target.admin) continue;
    const finding = adminFinding(context, target, vulnerableIds.get(target.device) ?? null, told.get(target.device) ?? null);
    if (!told.has(target.device)) told.set(target.device, finding.id);
    findings.push(finding);
  }
  if (found.length > 0) findings.push(cloudLinkFinding(found));
  return findings;
}
