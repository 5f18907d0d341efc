import type { Access, Wan, WanPort } from './report.generated.js';

/**
 * What a passive source (Shodan InternetDB) said about the WAN IPv4 address, bounded and cleaned by the probe
 * (probes/passive-internetdb). Every string came from a third party over the internet: the lists are capped, the
 * strings short and free of control characters, and renderers escape them like any other report text.
 */
export interface InternetDbView {
  source: 'internetdb';
  /** The origin asked (https://internetdb.shodan.io by default), never a path or a query. */
  endpoint: string;
  /** found: a 200 with data; unknown: 404, Shodan holds nothing on the address; failed: no usable answer; skipped: not asked. */
  status: 'found' | 'unknown' | 'failed' | 'skipped';
  /** The address asked about: only the WAN IPv4 address, only a public one. Null when none could be asked about. */
  address: string | null;
  /** Where the address came from: the vantage agent's view first, else the router's external address. */
  addressFrom: 'agent' | 'igd' | null;
  /** Why it failed or was skipped: a stable code and a sentence. */
  reason?: { code: string; message: string };
  httpStatus?: number;
  durationMs?: number;
  ports: number[];
  cpes: string[];
  vulns: string[];
  tags: string[];
  hostnames: string[];
  /** The lists the probe cut to their cap (a hostile or runaway answer), by field name. */
  truncated?: string[];
}

/**
 * Whose ports the passive data describes. home: the address is this home's alone. map-e: shared by port sets, and
 * this home's set is known: only ports inside it are this home's. map-e-unknown-set: shared, and this home's set is
 * not trusted, so no port can be attributed. provider: DS-Lite or CGNAT, the address is the provider's, shared by
 * many customers, and says nothing about this home.
 */
export type PassiveScope = 'home' | 'map-e' | 'map-e-unknown-set' | 'provider';

export interface PassiveComparison {
  scope: PassiveScope;
  /** One sentence on whose address this is, for the report. */
  scopeSentence: string;
  /** Shodan saw these open; the vantage agent sees them closed or filtered now. */
  closedNow: { port: number; state: WanPort['state'] }[];
  /** Open at Shodan's last crawl and open now. */
  bothOpen: number[];
  /** Open now (vantage agent) and not in Shodan's list. */
  openNowOnly: number[];
  /** In Shodan's list and not checked from outside by this scan (no agent, or not among the ports scanned). */
  notCheckedNow: number[];
  /** On a MAP-E address: ports outside this home's set, which belong to other subscribers. */
  otherSubscribers: number[];
  /** Whether the active view is an outside view (the vantage agent); only then is "closed now" a fact. */
  outsideNow: boolean;
}

function inRanges(port: number, ranges: readonly { from: number; to: number }[]): boolean {
  return ranges.some((range) => port >= range.from && port <= range.to);
}

function scopeOf(access: Access | undefined): { scope: PassiveScope; sentence: string } {
  switch (access?.kind) {
    case 'map-e':
      return access.portSet?.trusted === true
        ? { scope: 'map-e', sentence: `This IPv4 address is shared with other subscribers (MAP-E): only the ${access.portSet.size} ports of this home's set are this home's; the other ports Shodan lists belong to other subscribers on this shared address.` }
        : { scope: 'map-e-unknown-set', sentence: "This IPv4 address is shared with other subscribers (MAP-E) and this home's port set could not be confirmed, so none of Shodan's ports can be attributed to this home." };
    case 'ds-lite':
    case 'cgnat':
      return { scope: 'provider', sentence: `On this line (${access.kind === 'ds-lite' ? 'DS-Lite' : 'carrier-grade NAT'}) the IPv4 address is the provider's, shared by many customers: what Shodan saw on it describes the provider's equipment or other customers, not this home.` };
    default:
      return { scope: 'home', sentence: 'This IPv4 address is this home\'s own.' };
  }
}

/**
 * The passive view beside the active one, port by port. A pure join of facts, shared by the rules (which decide
 * what it means) and the probe's report section (which shows it), so the two never disagree.
 */
export function comparePassive(view: InternetDbView, wan: Wan | undefined, access: Access | undefined): PassiveComparison {
  const { scope, sentence } = scopeOf(access);
  const outsideNow = wan?.vantage === 'agent' && wan.address !== null && wan.address === view.address;
  const ranges = access?.kind === 'map-e' && access.portSet?.trusted === true ? access.portSet.ranges : undefined;
  const states = new Map<number, WanPort['state']>();
  if (outsideNow) for (const port of wan.ports) if (port.protocol === 'TCP') states.set(port.port, port.state);
  const comparison: PassiveComparison = { scope, scopeSentence: sentence, closedNow: [], bothOpen: [], openNowOnly: [], notCheckedNow: [], otherSubscribers: [], outsideNow };
  const listed = new Set(view.ports);
  for (const port of [...listed].sort((a, b) => a - b)) {
    if (ranges !== undefined && !inRanges(port, ranges)) {
      comparison.otherSubscribers.push(port);
      continue;
    }
    const state = states.get(port);
    if (state === undefined) comparison.notCheckedNow.push(port);
    else if (state === 'open') comparison.bothOpen.push(port);
    else comparison.closedNow.push({ port, state });
  }
  for (const [port, state] of [...states].sort((a, b) => a[0] - b[0])) if (state === 'open' && !listed.has(port)) comparison.openNowOnly.push(port);
  return comparison;
}
