/**
 * One interface, two engines (nmap, and the built-in TCP connect scanner). Both report port states with nmap's
 * -sT meanings: open (a connection was accepted), closed (refused: RST), filtered (no answer within the time
 * limit, or an ICMP unreachable).
 */
export type PortState = 'open' | 'closed' | 'filtered';

export interface PortResult {
  port: number;
  protocol: 'tcp';
  state: PortState;
  /** Service name as the engine guesses it (nmap's service table or -sV); never used for decisions. */
  service?: string;
  product?: string;
  version?: string;
  /** First bytes the service sent on its own, as text (untrusted). */
  banner?: string;
}

export interface PortScanOptions {
  /** One IPv4 or IPv6 address literal (no zone id, not IPv4-mapped). Engines refuse anything else. */
  target: string;
  /** Sorted, unique, 1-65535. */
  ports: readonly number[];
  signal?: AbortSignal;
  /** Limit on the whole scan. */
  timeoutMs: number;
  /** nmap -sV; the connect engine grabs banners instead. */
  serviceDetection?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface PortScanResult {
  engine: 'nmap' | 'connect';
  target: string;
  ports: PortResult[];
  durationMs: number;
  /** Engine messages worth keeping (nmap's stderr warnings, say); never a reason to drop results. */
  warnings: string[];
  /** Exact command line, for nmap (an argument array, never a shell string). */
  command?: string[];
}

export interface PortScanEngine {
  name: 'nmap' | 'connect';
  scan(options: PortScanOptions): Promise<PortScanResult>;
}
