import { observationsOf, type Observation } from '../core/observation.js';
import type { ScanOptions } from '../core/options.js';
import { comparePassive, type InternetDbView, type PassiveComparison } from '../core/passive-view.js';
import type { Access, Finding, Severity, ViewCoverage } from '../core/report.generated.js';
import { findingId, unclassified } from './finding.js';
import { SENSITIVE_PORTS } from './ports.js';

const SHODAN = 'https://internetdb.shodan.io/docs';
const SHOWN = 40;

/**
 * The line's access kind, as the access probe observed it (kind `access`, data shaped as the report's Access).
 * Read by name and checked by shape: that probe is registered apart from this rule family, and a scan without it
 * (or a stored one from before it) has none, which means "this home's own address".
 */
export function accessOf(observations: readonly Observation[]): Access | undefined {
  for (const observation of observations) {
    if ((observation.kind as string) !== 'access') continue;
    const data: unknown = observation.data;
    if (typeof data === 'object' && data !== null && typeof (data as { kind?: unknown }).kind === 'string') return data as Access;
  }
  return undefined;
}

const portWords = (ports: readonly number[]): string => (ports.length > SHOWN ? `${ports.slice(0, SHOWN).join(', ')} and ${ports.length - SHOWN} more` : ports.join(', '));

function closedNowFinding(view: InternetDbView, entry: PassiveComparison['closedNow'][number]): Finding {
  const service = SENSITIVE_PORTS.get(entry.port);
  // Closed now is good news; what stays is the question of what was reachable while it was open.
  const severity: Severity = service === undefined ? 'info' : 'low';
  return {
    id: findingId('passive-port-closed-now', 'tcp', entry.port),
    rule: 'passive-port-closed-now',
    classification: unclassified(),
    severity,
    title: `Port ${entry.port}${service ? ` (${service})` : ''} was open at Shodan's last crawl, and is ${entry.state} now`,
    description: `Shodan InternetDB lists TCP ${entry.port} as open on ${view.address ?? 'the WAN address'} at its last crawl (Shodan crawls about weekly); the vantage agent sees it ${entry.state} now. It was reachable recently: check whether something was turned off, and what was exposed while it was open.`,
    evidence: [
      { subject: `${view.address ?? ''}:${entry.port}/tcp`, detail: `listed open by Shodan InternetDB (${view.endpoint}), a passive source; not verified by this scan` },
      { subject: `${view.address ?? ''}:${entry.port}/tcp`, detail: `${entry.state} from the internet now (vantage agent)` },
    ],
    remediation: [
      'Find out what was listening on this port and whether it was meant to be reachable (a NAS app, a game, a camera, a port forward since removed).',
      'If it was a NAS or other admin page, check its logs for logins you do not recognise, and update its firmware.',
    ],
    references: [SHODAN],
  };
}

function notCheckedFinding(view: InternetDbView, ports: readonly number[], outsideNow: boolean): Finding {
  return {
    id: findingId('passive-ports-not-checked'),
    rule: 'passive-ports-not-checked',
    classification: unclassified(),
    severity: 'info',
    title: `Shodan saw ${ports.length} port(s) open that this scan did not check from outside: ${portWords(ports)}`,
    description: `Shodan InternetDB lists ${ports.length === 1 ? 'this port' : 'these ports'} as open on ${view.address ?? 'the WAN address'} at its last crawl. ${outsideNow ? `The vantage agent was not asked to scan ${ports.length === 1 ? 'it' : 'them'}.` : `This scan had no outside view (no vantage agent), so whether ${ports.length === 1 ? 'it is' : 'they are'} open now is unknown.`} A passive listing is not verified.`,
    evidence: [{ subject: view.address ?? 'wan', detail: `listed open by Shodan InternetDB (${view.endpoint}): ${portWords(ports)}` }],
    remediation: [outsideNow ? `Scan them from outside: exposure scan --vantage URL --ports ${ports.slice(0, 20).join(',')}` : 'Scan from outside with a vantage agent (exposure scan --vantage URL) to see whether they are open now.'],
    references: [SHODAN],
  };
}

/**
 * Vulnerabilities are Shodan's inference from version banners, never verified, and not tied to a port. So the
 * finding never claims KEV or ransomware use, and is never above low: low only when the outside view sees some port
 * of this home open now (the software may still be there), info otherwise.
 */
function vulnsFinding(view: InternetDbView, comparison: PassiveComparison): Finding {
  const openNow = comparison.bothOpen.length + comparison.openNowOnly.length > 0;
  return {
    id: findingId('passive-vulns-listed'),
    rule: 'passive-vulns-listed',
    classification: { cve: [...view.vulns], kev: false, knownRansomware: false },
    severity: openNow ? 'low' : 'info',
    title: `Shodan lists ${view.vulns.length} possible vulnerabilit${view.vulns.length === 1 ? 'y' : 'ies'} on the WAN address (version-inferred by Shodan, not verified)`,
    description: `Shodan InternetDB lists ${view.vulns.slice(0, 10).join(', ')}${view.vulns.length > 10 ? ` and ${view.vulns.length - 10} more` : ''} for ${view.address ?? 'the WAN address'}. Shodan infers these from the software versions its crawler saw; they are possible, not verified, and may be out of date. ${openNow ? 'The vantage agent sees ports of this address open now, so the software may still be reachable.' : 'This scan sees nothing open from outside now that could confirm them.'}`,
    evidence: [{ subject: view.address ?? 'wan', detail: `vulns listed by Shodan InternetDB (${view.endpoint}), version-inferred` }],
    remediation: ['Update the firmware of whatever answers on the open ports (router, NAS, cameras), and close ports nothing needs.'],
    references: [SHODAN],
  };
}

/**
 * The passive second opinion's findings. Only an address that is this home's gives any: on a MAP-E address only
 * ports inside this home's trusted set count (the rest are other subscribers', never findings), and DS-Lite or
 * CGNAT addresses are the provider's, so nothing is concluded from them. A claim is never stronger than its data:
 * "closed now" needs the vantage agent's view of the same address.
 */
export function passiveRules(observations: readonly Observation[]): Finding[] {
  const view = observationsOf(observations, 'internetdb')[0]?.data;
  if (view === undefined || view.status !== 'found') return [];
  const wan = observationsOf(observations, 'wan')[0]?.data;
  const comparison = comparePassive(view, wan, accessOf(observations));
  if (comparison.scope === 'provider' || comparison.scope === 'map-e-unknown-set') return [];
  const findings = comparison.closedNow.map((entry) => closedNowFinding(view, entry));
  if (comparison.notCheckedNow.length > 0) findings.push(notCheckedFinding(view, comparison.notCheckedNow, comparison.outsideNow));
  // On a shared MAP-E address the vulns cannot be tied to this home's ports: shown, not concluded.
  if (view.vulns.length > 0 && comparison.scope === 'home') findings.push(vulnsFinding(view, comparison));
  return findings;
}

/**
 * The passive second opinion (--passive internetdb), only when asked for. "Unknown to Shodan" (404) is a complete
 * answer. Its failure costs only this view: it is shown here and in its section, but does not make the scan
 * incomplete (no INCOMPLETE banner, no exit 3), since the active views stand on their own (decision 0023).
 */
export function passiveCoverage(observations: readonly Observation[], options: ScanOptions): ViewCoverage | undefined {
  const view = observationsOf(observations, 'internetdb')[0]?.data;
  // A stored report judged again may come with options that no longer name it: its observation says it was asked.
  if (options.passive?.includes('internetdb') !== true && view === undefined) return undefined;
  if (view === undefined) {
    const reason = options.wan ? 'the probe did not run' : '--no-wan: nothing leaves the LAN';
    return { status: 'skipped', requested: true, reason: { code: 'EXP_ERR_PASSIVE_NO_ADDRESS', message: `Shodan InternetDB was not asked (${reason}).` } };
  }
  if (view.status === 'found' || view.status === 'unknown') return { status: 'complete', requested: true };
  const reason = view.reason ?? { code: 'EXP_ERR_PASSIVE_UNAVAILABLE', message: 'Shodan InternetDB gave no usable answer.' };
  return { status: view.status, requested: true, reason: { code: reason.code, message: reason.message.slice(0, 1000) } };
}
