/**
 * A MAP-E port set (RFC 7597 section 5.1): with offset a, PSID length k and m = 16 - a - k, a subscriber owns every
 * port A * 2^(16-a) + psid * 2^m + j for 1 <= A < 2^a and 0 <= j < 2^m. Ports with A = 0 (below 2^(16-a)) belong to
 * nobody. Shared by the scanner (which computes its set) and the agent (which checks and scans only inside it).
 */
export interface MapEPortSet {
  /** a: offset bits. */
  psidOffset: number;
  /** k: PSID length in bits. */
  psidLength: number;
  psid: number;
}

export interface PortRange {
  from: number;
  to: number;
}

/** Why a set is not one RFC 7597 allows; undefined when it is. */
export function portSetProblem(set: MapEPortSet): string | undefined {
  const { psidOffset: a, psidLength: k, psid } = set;
  if (![a, k, psid].every(Number.isInteger)) return 'offset, length and PSID must be integers';
  if (a < 0 || k < 1 || a + k > 16) return `offset ${a} and PSID length ${k} do not fit 16 bits`;
  if (psid < 0 || psid >= 2 ** k) return `PSID ${psid} does not fit ${k} bits`;
  return undefined;
}

/** The set as contiguous ranges, lowest first: at most 2^a - 1 of them (15 for v6plus, 63 for the OCN rule). */
export function portSetRanges(set: MapEPortSet): PortRange[] {
  const problem = portSetProblem(set);
  if (problem !== undefined) throw new RangeError(`Invalid MAP-E port set: ${problem}`);
  const { psidOffset: a, psidLength: k, psid } = set;
  const m = 16 - a - k;
  const ranges: PortRange[] = [];
  // With a = 0 there is no excluded block: A takes the single value 0.
  const firstA = a === 0 ? 0 : 1;
  for (let block = firstA; block < 2 ** a; block += 1) {
    const from = block * 2 ** (16 - a) + psid * 2 ** m;
    const to = from + 2 ** m - 1;
    // Port 0 is never a port; a = 0 with PSID 0 starts there.
    ranges.push({ from: Math.max(from, 1), to });
  }
  return ranges;
}

export function portSetSize(set: MapEPortSet): number {
  return portSetRanges(set).reduce((total, range) => total + range.to - range.from + 1, 0);
}

export function inPortSet(set: MapEPortSet, port: number): boolean {
  const { psidOffset: a, psidLength: k, psid } = set;
  const m = 16 - a - k;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return false;
  if (a > 0 && port >> (16 - a) === 0) return false;
  return ((port >> m) & (2 ** k - 1)) === psid;
}
