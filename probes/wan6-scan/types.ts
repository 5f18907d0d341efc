import type { WanPort } from '../../src/core/report.generated.js';

/** One LAN address as the agent saw it over IPv6: the open ports listed, the others counted. */
export interface Ipv6ScannedHost {
  address: string;
  open: WanPort[];
  closed: number;
  filtered: number;
  openFiltered: number;
}

/** The IPv6 outside view: what the vantage agent reached over IPv6, or why it did not look. */
export interface Ipv6Scan {
  status: 'scanned' | 'skipped' | 'failed';
  /** The user asked for it: --vantage6, or a --vantage agent that has an IPv6 address. */
  requested: boolean;
  code?: string;
  reason?: string;
  agentUrl?: string;
  /** This host's address as the agent saw it. */
  callerAddress?: string;
  /** The prefix the agent scoped the targets to (the caller's /64, or /56 by the operator's choice). */
  prefix?: string;
  engine?: 'nmap' | 'connect';
  durationMs?: number;
  portSpec?: string;
  /** TCP ports asked per address. */
  portsAsked: number;
  targets: string[];
  hosts: Ipv6ScannedHost[];
  refused: { address: string; reason: string }[];
  warnings: string[];
}
