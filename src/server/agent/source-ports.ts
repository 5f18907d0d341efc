/**
 * The source ports the agent has seen from each caller address, on whoami and scan requests: on a shared MAP-E
 * address they are the evidence of the caller's port set (its NAT can only use ports of its own set), so a scan's
 * port set is checked against them. Bounded in every direction: a port is kept for `ttlMs`, an address keeps its
 * `maxPortsPerAddress` newest ports, and at most `maxAddresses` addresses are remembered (the one seen longest
 * ago goes first). Time comes from `now`, so tests use a fake clock.
 */
export interface SourcePortLogOptions {
  ttlMs: number;
  maxPortsPerAddress: number;
  maxAddresses: number;
  now: () => number;
}

export const SOURCE_PORT_DEFAULTS: Omit<SourcePortLogOptions, 'now'> = {
  // What GET /v1/whoami promises: "the last 10 minutes".
  ttlMs: 10 * 60 * 1000,
  // The schemas' maxItems for seenPorts and observedSourcePorts.
  maxPortsPerAddress: 64,
  // About 1 MB at most (a Map entry and up to 64 numbers each); a busy agent sees far fewer callers in 10 minutes.
  maxAddresses: 4096,
};

export class SourcePortLog {
  /** Per address: port -> when last seen, oldest first (a Map keeps insertion order; a port seen again moves last). */
  private readonly byAddress = new Map<string, Map<number, number>>();
  private readonly options: SourcePortLogOptions;

  constructor(options: Partial<SourcePortLogOptions> = {}) {
    this.options = { ...SOURCE_PORT_DEFAULTS, now: Date.now, ...options };
  }

  record(address: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return;
    const now = this.options.now();
    let ports = this.byAddress.get(address);
    if (ports === undefined) {
      ports = new Map();
      while (this.byAddress.size >= this.options.maxAddresses) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest === undefined) break;
        this.byAddress.delete(oldest);
      }
    } else {
      // Moved last: the address seen longest ago is evicted first, not the one first seen.
      this.byAddress.delete(address);
    }
    this.byAddress.set(address, ports);
    ports.delete(port);
    ports.set(port, now);
    while (ports.size > this.options.maxPortsPerAddress) {
      const oldest = ports.keys().next().value;
      if (oldest === undefined) break;
      ports.delete(oldest);
    }
  }

  /** The ports seen from `address` within the last ttlMs, newest first. */
  seen(address: string): number[] {
    const ports = this.byAddress.get(address);
    if (ports === undefined) return [];
    const cutoff = this.options.now() - this.options.ttlMs;
    for (const [port, at] of ports) {
      // Oldest first: the first one still fresh ends the sweep.
      if (at > cutoff) break;
      ports.delete(port);
    }
    if (ports.size === 0) {
      this.byAddress.delete(address);
      return [];
    }
    return [...ports.keys()].reverse();
  }

  /** Addresses remembered (expired ones included until they are looked at or evicted). */
  get size(): number {
    return this.byAddress.size;
  }
}
