import { observationsOf, type Observation } from '../core/observation.js';
import { ipv6Coverage } from './ipv6.js';
import type { ScanOptions } from '../core/options.js';
import type { Coverage, CoverageReason, Gateway, ViewCoverage } from '../core/report.generated.js';
import { inPortSet } from '../net/map-e-port-set.js';

/** Stop reasons after which a mapping table is known to have been read to its end. */
const TABLE_READ_TO_END = new Set(['end-of-table', 'repeated-entry']);

function gatewayReadFully(gateway: Gateway): boolean {
  return gateway.connectionService !== null && gateway.connectionService !== undefined && TABLE_READ_TO_END.has(gateway.enumeration.stopReason) && !gateway.mappingsTruncated;
}

function noConnectionService(gateway: Gateway): boolean {
  return gateway.errors.some((error) => error.code === 'EXP_ERR_IGD_NO_CONNECTION_SERVICE');
}

function where(gateway: Gateway): string {
  return gateway.friendlyName ? `${gateway.friendlyName} (${gateway.address})` : gateway.address;
}

function tableReason(gateway: Gateway): string {
  const { stopReason } = gateway.enumeration;
  if (stopReason === 'max-mappings' || gateway.mappingsTruncated) return `stopped at the --max-mappings limit after ${gateway.mappings.length} mappings; raise --max-mappings`;
  if (stopReason === 'deadline') return `stopped at the scan's time limit after ${gateway.mappings.length} mappings; raise --timeout`;
  const error = gateway.errors.find((entry) => entry.code !== 'EXP_ERR_IGD_NO_CONNECTION_SERVICE');
  return `the router stopped answering after ${gateway.mappings.length} mappings${error ? ` (${error.code}: ${error.message})` : ''}; run the scan again, or raise --request-timeout`;
}

/**
 * The inside view: did we read the router's own tables? Nothing answering discovery is not "no mappings": UPnP may
 * be off (good), or discovery may not reach the router (Wi-Fi client isolation, another interface).
 */
function insideCoverage(observations: readonly Observation[], options: ScanOptions): ViewCoverage {
  const gateways = observationsOf(observations, 'gateway').map((observation) => observation.data);
  const unreadable = observationsOf(observations, 'warning').filter((observation) => observation.probe === 'upnp-igd').map((observation) => observation.data);
  const found = gateways.length + unreadable.length;
  const usable = gateways.filter((gateway) => !noConnectionService(gateway));
  const fully = usable.filter(gatewayReadFully);
  const mappings = usable.reduce((total, gateway) => total + gateway.mappings.length, 0);
  const facts = { requested: true, gateways: { found, read: fully.length }, mappings: { read: mappings, complete: fully.length === usable.length } } as const;
  const failed = (reason: CoverageReason, extra: Partial<ViewCoverage> = {}): ViewCoverage => ({ status: 'failed', ...facts, ...extra, reason });

  if (found === 0) {
    const reason: CoverageReason = {
      code: 'EXP_ERR_IGD_NOT_FOUND',
      message: options.gatewayUrl
        ? `Nothing answered at ${options.gatewayUrl}; check --gateway.`
        : 'No UPnP router answered discovery, so no mapping table was read. If UPnP is off on your router, that is good, but forwards set by hand are then seen only from outside (--vantage); if it is on, check that this machine is on the router\'s LAN (not a guest or isolated Wi-Fi) or name it with --gateway.',
    };
    // Nothing to read is not a failure of ours when nobody was named; a named router that does not answer is.
    return options.gatewayUrl ? failed(reason) : { status: 'partial', ...facts, reason };
  }
  if (usable.length === 0 && gateways.length > 0) {
    const serviceTypes = [...new Set(gateways.flatMap((gateway) => gateway.services.map((service) => service.serviceType)))].slice(0, 64);
    return failed(
      {
        code: 'EXP_ERR_IGD_NO_CONNECTION_SERVICE',
        message: `${gateways.map(where).join(', ')} offered no WAN connection service this scanner can read (it described: ${serviceTypes.join(', ') || 'no services'}), so no mapping table was read. Please report the router model so it can be supported.`,
      },
      { serviceTypes },
    );
  }
  if (usable.length === 0) {
    const first = unreadable[0];
    return failed({
      code: first?.code.startsWith('EXP_ERR_') === true ? first.code : 'EXP_ERR_IGD_UNREADABLE',
      message: `${first?.message ?? 'The router could not be read'}. ${options.gatewayUrl ? 'Check --gateway (the router\'s LAN address and its description URL).' : 'Check the router is on, or name it with --gateway.'}`,
    });
  }
  const problems: string[] = [];
  for (const gateway of usable) if (!gatewayReadFully(gateway)) problems.push(`${where(gateway)}: ${tableReason(gateway)}`);
  if (problems.length > 0) return { status: 'partial', ...facts, reason: { code: 'EXP_ERR_IGD_MAPPINGS_INCOMPLETE', message: `Not every mapping was read. ${problems.join('; ')}.` } };
  if (unreadable.length > 0 || usable.length < gateways.length) {
    const missing = [...unreadable.map((warning) => warning.message), ...gateways.filter(noConnectionService).map((gateway) => `${where(gateway)} offered no WAN connection service`)];
    return { status: 'partial', ...facts, reason: { code: 'EXP_ERR_IGD_UNREADABLE', message: `Of ${found} routers, ${missing.length} could not be read: ${missing.join('; ')}.` } };
  }
  const noExternal = usable.find((gateway) => gateway.externalIp === null);
  if (noExternal) {
    const error = noExternal.errors.find((entry) => entry.message.includes('GetExternalIPAddress'));
    return { status: 'partial', ...facts, reason: { code: 'EXP_ERR_IGD_UNREADABLE', message: `${where(noExternal)} did not tell its external address${error ? ` (${error.code})` : ''}, so the kind of line (public, CGNAT, double NAT) is unknown.` } };
  }
  return { status: 'complete', ...facts };
}

/**
 * The outside view. Only an agent is an outside view, and only --vantage asks for one: a scan from inside
 * (hairpin NAT) is recorded as partial so no one mistakes it for the internet's view, but it is not a failure.
 */
function outsideCoverage(observations: readonly Observation[], options: ScanOptions): ViewCoverage {
  // The line limits what may be scanned (decision 0019): a MAP-E port set, nothing on DS-Lite or CGNAT.
  const scope = observationsOf(observations, 'outside-scope')[0]?.data;
  const kind = observationsOf(observations, 'access')[0]?.data.kind;
  const wan = observationsOf(observations, 'wan')[0]?.data;
  if (scope && options.wan && (!wan || wan.vantage === 'none')) {
    const message = (wan?.reason ?? scope.description).replace(/^./, (first) => first.toUpperCase());
    const requested = options.vantageUrl !== undefined;
    // A MAP-E address whose port set could not be confirmed holds this home's ports too: not looking leaves them
    // unknown. On DS-Lite and CGNAT no inbound IPv4 reaches the home at all: there is nothing for the view to see,
    // and calling it incomplete on every scan would teach the owner to ignore the banner (decision 0019).
    if (kind === 'ds-lite' || kind === 'cgnat') return { status: 'not-applicable', requested, vantage: 'none', scope, reason: { code: 'EXP_ERR_ACCESS_NO_INBOUND_IPV4', message } };
    return { status: 'skipped', requested, vantage: 'none', scope, reason: { code: kind === 'map-e' ? 'EXP_ERR_ACCESS_SHARED_ADDRESS' : 'EXP_ERR_ACCESS_NO_INBOUND_IPV4', message } };
  }
  const view = outsideView(observations, options);
  return scope && options.wan ? { ...view, scope } : view;
}

function outsideView(observations: readonly Observation[], options: ScanOptions): ViewCoverage {
  const requested = options.wan && options.vantageUrl !== undefined;
  if (!options.wan) return { status: 'skipped', requested: false, vantage: 'none', reason: { code: 'EXP_ERR_WAN_SKIPPED', message: '--no-wan: the external address was not scanned; run without it, with --vantage, for the view from the internet.' } };
  const wan = observationsOf(observations, 'wan')[0]?.data;
  const failure = observationsOf(observations, 'warning').find((observation) => observation.probe === 'wan-scan' && observation.data.code.startsWith('EXP_ERR_VANTAGE'));
  if (!wan || wan.vantage === 'none') {
    if (requested) {
      return {
        status: 'failed',
        requested,
        vantage: 'none',
        reason: { code: failure?.data.code ?? 'EXP_ERR_VANTAGE', message: `The vantage agent did not scan: ${failure?.data.message ?? wan?.reason ?? 'no answer'}. Nothing is known about what the internet can reach; check the agent runs and run again.` },
      };
    }
    return { status: 'skipped', requested, vantage: 'none', reason: { code: 'EXP_ERR_NO_VANTAGE', message: `The external address was not scanned (${wan?.reason ?? 'not run'}).` } };
  }
  const answered = wan.ports.filter((port) => port.protocol === 'TCP').length;
  const asked = wan.portsAsked ?? answered;
  const ports = { asked, answered };
  const scanned = new Set(wan.ports.filter((port) => port.protocol === 'TCP').map((port) => port.port));
  // On a shared MAP-E address a mapped port outside this home's set is another home's: not asking it is the point.
  const portSet = observationsOf(observations, 'access')[0]?.data.portSet;
  const otherHomes = (port: number): boolean => portSet?.trusted === true && !inPortSet(portSet, port);
  const notAsked = [...new Set(observationsOf(observations, 'gateway').flatMap((observation) => observation.data.mappings)
    .filter((mapping) => mapping.protocol === 'TCP' && mapping.enabled && mapping.externalPort > 0 && !scanned.has(mapping.externalPort) && !otherHomes(mapping.externalPort))
    .map((mapping) => mapping.externalPort))].sort((a, b) => a - b);
  if (notAsked.length > 0 && answered >= asked) {
    const listed = notAsked.slice(0, 20).join(', ') + (notAsked.length > 20 ? ` and ${notAsked.length - 20} more` : '');
    return {
      status: 'partial',
      requested,
      vantage: wan.vantage,
      ports,
      reason: { code: 'EXP_ERR_WAN_PORTS_INCOMPLETE', message: `TCP ${listed}, mapped by a router that answered after the outside view had started, ${notAsked.length === 1 ? 'was' : 'were'} not scanned from outside; run again with --ports ${notAsked.slice(0, 20).join(',')} to check ${notAsked.length === 1 ? 'it' : 'them'}.` },
    };
  }
  if (answered < asked) {
    return {
      status: 'partial',
      requested,
      vantage: wan.vantage,
      ports,
      reason: { code: 'EXP_ERR_WAN_PORTS_INCOMPLETE', message: `Only ${answered} of ${asked} ports got a state (the scan ran out of time or the engine stopped early); raise --timeout or scan fewer ports.` },
    };
  }
  if (wan.vantage === 'local') {
    return {
      status: 'partial',
      requested,
      vantage: 'local',
      ports,
      reason: { code: 'EXP_ERR_NO_VANTAGE', message: 'The external address was scanned from inside this network (hairpin NAT), which is not what the internet sees; run an agent and scan with --vantage for the outside view.' },
    };
  }
  return { status: 'complete', requested, vantage: 'agent', ports };
}

export function judgeCoverage(observations: readonly Observation[], options: ScanOptions): Coverage {
  const inside = insideCoverage(observations, options);
  const outside = outsideCoverage(observations, options);
  const ipv6 = ipv6Coverage(observations);
  const complete = [inside, outside, ...(ipv6 ? [ipv6] : [])].every((view) => !view.requested || viewDone(view));
  return { complete, inside, outside, ...(ipv6 ? { ipv6 } : {}) };
}

/** A view that looked at everything it was asked to, or that the line leaves nothing to look at. */
export function viewDone(view: ViewCoverage): boolean {
  return view.status === 'complete' || view.status === 'not-applicable';
}

/** Views that were asked for and could not look at all: the CLI exits 3 for these when no finding reaches --fail-on. */
export function failedViews(coverage: Coverage): ('inside' | 'outside' | 'ipv6')[] {
  // The passive second opinion is never among them (decision 0023): its failure leaves the active views standing.
  return (['inside', 'outside', 'ipv6'] as const).filter((view) => {
    const part: ViewCoverage | undefined = coverage[view];
    return part?.requested === true && part.status === 'failed';
  });
}

/** The views that make the scan incomplete, each with what it could not check. */
export function incompleteViews(coverage: Coverage): { view: 'inside' | 'outside' | 'IPv6 outside'; coverage: ViewCoverage }[] {
  const views: { view: 'inside' | 'outside' | 'IPv6 outside'; coverage: ViewCoverage }[] = (['inside', 'outside'] as const).map((view) => ({ view, coverage: coverage[view] }));
  // The IPv6 view (wan6-scan) is judged like the others when it was asked for: its failure is never a quiet "nothing found".
  if (coverage.ipv6) views.push({ view: 'IPv6 outside', coverage: coverage.ipv6 });
  return views.filter((entry) => entry.coverage.requested && !viewDone(entry.coverage));
}

/**
 * The headline of a scan that could not look everywhere it was asked to: never "nothing found". With nothing
 * relevant found it says what was not checked; with findings, a failed view is named in front of them, so the one
 * sentence never reads as the whole picture. A partial view with findings keeps the findings' headline (the banner
 * says what is partial).
 */
export function incompleteHeadline(coverage: Coverage, findingsHeadline: string | undefined): string | undefined {
  const views = incompleteViews(coverage);
  if (views.length === 0) return findingsHeadline;
  const names = views.map(({ view, coverage: part }) => `the ${view} view ${part.status === 'failed' ? 'failed' : 'is incomplete'}`).join(' and ');
  if (findingsHeadline === undefined) return `Incomplete scan: ${names}, so finding nothing here does not mean nothing is exposed.`;
  const failed = failedViews(coverage);
  if (failed.length === 0) return findingsHeadline;
  return `Incomplete scan (the ${failed.map((view) => (view === 'ipv6' ? 'IPv6 outside' : view)).join(' and ')} view failed): ${findingsHeadline}`;
}

/**
 * Rules whose findings come and go with what the outside view saw (or whether there was one): an open port, a
 * door's reachability, a QNAP seen from the internet or judged exposed. The diff does not compare these across a
 * scan whose outside view failed or was skipped, so an agent down for one run raises no "new" or "resolved".
 */
const OUTSIDE_VIEW_RULES = new Set([
  // The passive findings compare Shodan's list with what the vantage agent sees now.
  'passive-port-closed-now', 'passive-ports-not-checked', 'passive-vulns-listed',
  'wan-port-open-mapped', 'wan-port-open-unexplained', 'wan-port-router-service', 'upnp-mapping-unreachable', 'wan-view-local-only',
  'upnp-igd-on-wan', 'ssdp-on-wan', 'nat-pmp-on-wan', 'wan-address-mismatch', 'myqnapcloud-ddns-wan',
  'qnap-admin-exposed', 'file-sharing-exposed', 'remote-access-exposed',
]);

export function restsOnOutsideView(rule: string): boolean {
  // Every NAS finding (QNAP's qnap-*, other vendors' nas-*) may rest on a device seen only through the agent, or be judged "exposed" by its reachability.
  // The IPv6 findings (ipv6-*) rest on the IPv6 view too, and the passive ones on the passive view: src/diff also
  // checks those views.
  return OUTSIDE_VIEW_RULES.has(rule) || rule.startsWith('qnap-') || rule.startsWith('nas-') || rule.startsWith('ipv6-') || rule.startsWith('passive-');
}
