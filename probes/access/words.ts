import type { PortRange } from '../../src/net/map-e-port-set.js';

/** "4928-4943, 9024-9039, 13120-13135, ... (15 ranges)": the first few, then how many in all. */
export function formatRanges(ranges: readonly PortRange[], shown: number): string {
  const listed = ranges.slice(0, shown).map((range) => (range.from === range.to ? String(range.from) : `${range.from}-${range.to}`));
  return ranges.length > shown ? `${listed.join(', ')}, ... (${ranges.length} ranges)` : listed.join(', ');
}
