/** Port states counted from nmap's normal output, for comparing an engine's results with bare nmap's. */

export interface StateCounts {
  open: number;
  closed: number;
  filtered: number;
}

/** nmap's normal output: the port lines, and the "Not shown: N closed tcp ports (...), M filtered ..." summary. */
export function nmapCounts(stdout: string): { counts: StateCounts; openPorts: number[] } {
  const counts: StateCounts = { open: 0, closed: 0, filtered: 0 };
  const openPorts: number[] = [];
  for (const match of stdout.matchAll(/(\d+) (open|closed|filtered) tcp ports/g)) counts[match[2] as keyof StateCounts] += Number(match[1]);
  for (const match of stdout.matchAll(/^(\d+)\/tcp\s+(open|closed|filtered)\s/gm)) {
    counts[match[2] as keyof StateCounts]++;
    if (match[2] === 'open') openPorts.push(Number(match[1]));
  }
  return { counts, openPorts };
}
