import { classifyIPv4 } from '../core/address.js';
import type { Coverage, ExposureReport, Finding, Gateway, Host, Mapping, Severity, ViewCoverage } from '../core/report.generated.js';
import { atLeast } from '../rules/severity.js';
import { wanAddressOf } from '../store/facts.js';
import { coverageOf } from '../report/coverage-of.js';
import { restsOnOutsideView } from '../rules/coverage.js';
import { isIncident } from '../rules/incident.js';
import { idWithoutRouter, recordedBeforeRouterIds } from './legacy-ids.js';
import type { Change, DiffSide, ReportDiff } from './types.js';

/** Findings below this are noise for "new exposure" (an info note is not an exposure). */
const EXPOSURE_FLOOR: Severity = 'medium';

/**
 * A gateway's identity across scans: its UDN when it gives one (stable across reboots and port changes), else its
 * LAN address. Never the external address, which the ISP may change at any time.
 */
function gatewayKey(gateway: Gateway): string {
  // The parser stores a missing UDN as '': two routers without one are told apart by address.
  return gateway.udn?.trim() || gateway.address;
}

function mappingKey(gateway: string | null, mapping: Mapping): string {
  return `${gateway === null ? '' : `${gateway} `}${mapping.protocol}/${mapping.externalPort}${mapping.remoteHost ? ` from ${mapping.remoteHost}` : ''}`;
}

function mappingsOf(report: ExposureReport, withGateway: boolean): Map<string, Mapping> {
  const result = new Map<string, Mapping>();
  for (const gateway of report.gateways) {
    for (const mapping of gateway.mappings) result.set(mappingKey(withGateway ? gatewayKey(gateway) : null, mapping), mapping);
  }
  return result;
}

const target = (mapping: Mapping): string => `${mapping.internalClient}:${mapping.internalPort}`;
const describe = (mapping: Mapping): string => `${target(mapping)}${mapping.description ? ` (${mapping.description})` : ''}${mapping.enabled ? '' : ' [disabled]'}${mapping.leaseDuration === 0 ? ' [permanent]' : ''}`;

function diffMappings(from: ExposureReport, to: ExposureReport): Change[] {
  // Name the gateway in keys only when there is more than one (double NAT): one home router is "the router".
  const withGateway = new Set([...from.gateways, ...to.gateways].map(gatewayKey)).size > 1;
  const before = mappingsOf(from, withGateway);
  const after = mappingsOf(to, withGateway);
  const changes: Change[] = [];
  for (const [key, mapping] of after) {
    const old = before.get(key);
    if (!old) {
      changes.push({ kind: 'mapping-added', key, summary: `new mapping ${key} -> ${describe(mapping)}`, severity: null, newExposure: mapping.enabled, after: mapping });
      continue;
    }
    // The lease counts down between scans: only permanent <-> expiring is a change, not the seconds left.
    const differs = target(old) !== target(mapping) || old.description !== mapping.description || old.enabled !== mapping.enabled || (old.leaseDuration === 0) !== (mapping.leaseDuration === 0);
    if (differs) {
      const exposure = mapping.enabled && (!old.enabled || target(old) !== target(mapping));
      changes.push({ kind: 'mapping-changed', key, summary: `mapping ${key} changed: ${describe(old)} -> ${describe(mapping)}`, severity: null, newExposure: exposure, before: old, after: mapping });
    }
  }
  for (const [key, mapping] of before) {
    if (!after.has(key)) changes.push({ kind: 'mapping-removed', key, summary: `mapping ${key} -> ${target(mapping)} removed`, severity: null, newExposure: false, before: mapping });
  }
  return changes;
}

/**
 * Open WAN ports, keyed by port/protocol and never by address: after the ISP moves the line, the scan follows
 * the new address and "443 open" on it is the same fact as "443 open" on the old one.
 * Only scans with the same vantage compare: a hairpin scan from inside and an agent's outside view see different
 * things, so a change of vantage is reported once instead of as ports opening and closing.
 */
function diffWanPorts(from: ExposureReport, to: ExposureReport): Change[] {
  if (from.wan.vantage === 'none' || to.wan.vantage === 'none') return [];
  if (from.wan.vantage !== to.wan.vantage) {
    return [{ kind: 'wan-view-changed', key: 'wan', summary: `outside view changed from ${from.wan.vantage} to ${to.wan.vantage}: WAN ports not compared`, severity: null, newExposure: false, before: from.wan.vantage, after: to.wan.vantage }];
  }
  const open = (report: ExposureReport): Set<string> => new Set(report.wan.ports.filter((port) => port.state === 'open').map((port) => `${port.protocol}/${port.port}`));
  const scanned = new Set(to.wan.ports.map((port) => `${port.protocol}/${port.port}`));
  const before = open(from);
  const after = open(to);
  const changes: Change[] = [];
  for (const key of after) if (!before.has(key)) changes.push({ kind: 'wan-port-opened', key, summary: `${key} is newly open from the ${to.wan.outsideView ? 'internet' : 'WAN address (seen from inside)'}`, severity: null, newExposure: true, after: to.wan.ports.find((port) => `${port.protocol}/${port.port}` === key) });
  for (const key of before) {
    if (after.has(key)) continue;
    // A port the new scan did not look at (a smaller --ports) is unknown, not closed - unless it was listed and not open.
    if (!scanned.has(key) && to.wan.portSpec !== from.wan.portSpec) continue;
    changes.push({ kind: 'wan-port-closed', key, summary: `${key} is no longer open`, severity: null, newExposure: false });
  }
  return changes;
}

/** Which views both scans looked through; a finding resting on a view either scan could not use is not compared. */
type Comparable = Record<View, boolean>;

type View = 'inside' | 'outside' | OptionalView;
/** Views a scan has only when asked for them (--passive) or when the line has them (IPv6). */
type OptionalView = 'ipv6' | 'passive';
const OPTIONAL_VIEWS: readonly OptionalView[] = ['ipv6', 'passive'];

function findingComparable(finding: Finding, comparable: Comparable): boolean {
  // Without the router's tables every finding is in doubt: mappings explain ports, and lead to the hosts fingerprinted.
  if (!comparable.inside) return false;
  // A passive finding compares a third party's list with the outside view: it needs both views in both scans.
  if (finding.rule.startsWith('passive-') && !comparable.passive) return false;
  if (finding.rule.startsWith('ipv6-') && !comparable.ipv6) return false;
  return comparable.outside || !restsOnOutsideView(finding.rule);
}

function diffFindings(from: ExposureReport, to: ExposureReport, comparable: Comparable): Change[] {
  // Across the upgrade that gave router-scoped ids their router token, both sides are keyed without it.
  const acrossUpgrade = recordedBeforeRouterIds(from) !== recordedBeforeRouterIds(to);
  const keyOf = (report: ExposureReport): ((id: string) => string) => (acrossUpgrade ? idWithoutRouter(report) : (id) => id);
  const keyed = (report: ExposureReport): Map<string, Finding> => {
    const key = keyOf(report);
    return new Map(report.findings.filter((finding) => findingComparable(finding, comparable)).map((finding) => [key(finding.id), finding]));
  };
  const before = keyed(from);
  const after = keyed(to);
  const incidentIds = new Set([...from.findings, ...to.findings].filter(isIncident).map((finding) => finding.id));
  const changes: Change[] = [];
  for (const [key, finding] of after) {
    const { id } = finding;
    const old = before.get(key);
    if (!old) {
      changes.push({ kind: 'finding-new', key: id, summary: `new ${finding.severity} finding: ${finding.title}`, severity: finding.severity, newExposure: atLeast(finding.severity, EXPOSURE_FLOOR), after: { id, severity: finding.severity, title: finding.title } });
    } else if (old.severity !== finding.severity && (comparable.outside || finding.exposure === undefined)) {
      // A door's severity rests on what the outside view saw of it: with that view missing on one side it is not compared.
      const rose = atLeast(finding.severity, old.severity);
      changes.push({
        kind: 'finding-severity-changed',
        key: id,
        summary: `${finding.title}: severity ${old.severity} -> ${finding.severity}`,
        severity: finding.severity,
        previousSeverity: old.severity,
        newExposure: rose && atLeast(finding.severity, EXPOSURE_FLOOR),
        before: old.severity,
        after: finding.severity,
      });
    }
  }
  for (const [key, finding] of before) {
    const { id } = finding;
    if (!after.has(key)) changes.push({ kind: 'finding-resolved', key: id, summary: `resolved: ${finding.title}`, severity: finding.severity, newExposure: false, before: { id, severity: finding.severity, title: finding.title } });
  }
  // A sign of compromise is seen, not inferred from what is missing: new in the newer scan, it is news even when a
  // view failed on either side (a box with a ransom note found while the agent was down is still that box).
  const known = new Set(from.findings.map((finding) => keyOf(from)(finding.id)));
  for (const finding of to.findings) {
    const { id } = finding;
    if (!isIncident(finding) || after.has(keyOf(to)(id)) || known.has(keyOf(to)(id))) continue;
    changes.push({ kind: 'finding-new', key: id, summary: `new ${finding.severity} finding: ${finding.title}`, severity: finding.severity, newExposure: true, after: { id, severity: finding.severity, title: finding.title } });
  }
  return changes.map((change) => (incidentIds.has(change.key) ? { ...change, incident: true } : change));
}

function firmwareOf(host: Host): string | null {
  return host.device?.firmware?.full ?? host.device?.firmware?.version ?? null;
}

/** Hosts by LAN address; the one seen from the WAN is "wan" whatever the address is today. */
function diffFirmware(from: ExposureReport, to: ExposureReport): Change[] {
  const key = (host: Host): string => (host.seenFrom === 'wan' ? 'wan' : host.address);
  const before = new Map(from.hosts.map((host) => [key(host), host]));
  const changes: Change[] = [];
  for (const host of to.hosts) {
    const old = before.get(key(host));
    const was = old ? firmwareOf(old) : null;
    const now = firmwareOf(host);
    // Unknown on either side is "could not tell", not a change.
    if (was === null || now === null || was === now) continue;
    const name = host.device?.displayModel ?? host.device?.model ?? host.address;
    changes.push({ kind: 'firmware-changed', key: key(host), summary: `firmware of ${name} changed: ${was} -> ${now}`, severity: null, newExposure: false, before: was, after: now });
  }
  return changes;
}

const USABLE = new Set(['complete', 'partial']);
const VIEW_WORDS: Record<View, string> = {
  inside: "the router's tables (inside view)",
  outside: 'the outside view',
  ipv6: 'the IPv6 outside view',
  passive: 'the passive second opinion (InternetDB)',
};

/**
 * A view that failed or was skipped in either scan makes what rests on it unknown for the pair: one
 * coverage-changed instead of findings appearing and resolving. (Whether a view that keeps failing raises an alert
 * is the alert filter's business: it counts the streak.)
 */
function diffCoverage(from: ExposureReport, to: ExposureReport): { changes: Change[]; comparable: Comparable } {
  const before = coverageOf(from);
  const after = coverageOf(to);
  const changes: Change[] = [];
  // An optional view neither scan has is comparable (nothing rests on it); one only one scan has is not: the
  // scan's options or the line changed, and its findings appearing or going says nothing about the network.
  const statusOf = (coverage: Coverage, view: View): ViewCoverage['status'] | undefined => coverage[view]?.status;
  const usable = (view: View): boolean => {
    const [was, now] = [statusOf(before, view), statusOf(after, view)];
    if (was === undefined && now === undefined) return true;
    return was !== undefined && now !== undefined && USABLE.has(was) && USABLE.has(now);
  };
  for (const view of ['inside', 'outside', ...OPTIONAL_VIEWS] as const) {
    const was = before[view];
    const now = after[view];
    if (was === undefined || now === undefined || was.status === now.status) continue;
    const why = now.status === 'complete' ? '' : now.reason ? `: ${now.reason.code}: ${now.reason.message}` : '';
    changes.push({
      kind: 'coverage-changed',
      key: view,
      summary: `${VIEW_WORDS[view]} went from ${was.status} to ${now.status}${why}${usable(view) ? '' : ' (what rests on it is not compared for these two scans)'}`,
      severity: null,
      newExposure: false,
      before: was.status,
      after: now.status,
    });
  }
  return { changes, comparable: { inside: usable('inside'), outside: usable('outside'), ipv6: usable('ipv6'), passive: usable('passive') } };
}

function side(report: ExposureReport, scanId: number | null): DiffSide {
  const wanAddress = wanAddressOf(report);
  return { scanId, finishedAt: report.finishedAt, wanAddress, wanAddressClass: classifyIPv4(wanAddress) };
}

/** Everything that changed from one report to the next, like with like. Pure: no I/O. */
export function diffReports(from: ExposureReport, to: ExposureReport, ids: { from?: number; to?: number } = {}): ReportDiff {
  const before = side(from, ids.from ?? null);
  const after = side(to, ids.to ?? null);
  const changes: Change[] = [];
  if (before.wanAddress !== null && after.wanAddress !== null && before.wanAddress !== after.wanAddress) {
    const newlyPublic = after.wanAddressClass === 'public' && before.wanAddressClass !== 'public';
    const classes = before.wanAddressClass === after.wanAddressClass ? '' : ` (${before.wanAddressClass} -> ${after.wanAddressClass})`;
    changes.push({ kind: 'wan-address-changed', key: 'wan', summary: `WAN address changed: ${before.wanAddress} -> ${after.wanAddress}${classes}`, severity: null, newExposure: newlyPublic, before: before.wanAddress, after: after.wanAddress });
  }
  const coverage = diffCoverage(from, to);
  changes.push(
    ...coverage.changes,
    ...(coverage.comparable.inside ? diffMappings(from, to) : []),
    ...(coverage.comparable.outside ? diffWanPorts(from, to) : []),
    ...diffFindings(from, to, coverage.comparable),
    ...diffFirmware(from, to),
  );
  // The incident first: in the JSON too, what to do comes before what changed.
  return { ...(to.incident ? { incident: to.incident } : {}), from: before, to: after, changes };
}
