/**
 * The two feedback loops of the connect engine, kept free of sockets so they can be tested as arithmetic:
 * how long to wait for one port (from measured round trips) and how many ports to try at once (from what the
 * network and this machine say back).
 */

export interface TimeoutLimits {
  /** Used until a first round trip has been measured (nmap: 1 s). */
  initialMs: number;
  /** Floor: below this, a busy event loop would make answers look like timeouts (nmap: 100 ms). */
  minMs: number;
  /** Ceiling: a path this slow is answered by the retry, not by waiting longer. */
  maxMs: number;
}

/** RFC 6298 smoothed round-trip time and variance; nmap derives its probe timeouts the same way. */
export class RttTimeout {
  private srtt: number | undefined;
  private rttvar = 0;
  private min = Number.POSITIVE_INFINITY;

  constructor(private readonly limits: TimeoutLimits) {}

  sample(ms: number): void {
    this.min = Math.min(this.min, ms);
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  get smoothedMs(): number | undefined {
    return this.srtt;
  }

  /**
   * Answers come back much slower than the fastest one did: probes are queueing somewhere (on the path, or in
   * this process's own event loop when it is CPU-bound), and more of them in flight would only queue longer.
   * The 2 ms of slack keep the jitter of a LAN, or of an event loop that handles answers in batches, from
   * counting as queueing (with 1 ms the lab's window kept collapsing to a handful: measured).
   */
  get queueing(): boolean {
    return this.srtt !== undefined && this.srtt > 2 * this.min + 2;
  }

  /**
   * After this long without an answer a probe is most likely silent: it stops counting against the window (it
   * makes no work for anyone while it waits out its timeout), so a few filtered ports cannot stall a window
   * sized for answers. Undefined until something has been measured. Never under 10 ms: event-loop jitter.
   */
  get presumeSilentMs(): number | undefined {
    if (this.srtt === undefined) return undefined;
    return Math.max(10, Math.ceil(2 * (this.srtt + 4 * this.rttvar)));
  }

  get timeoutMs(): number {
    const { initialMs, minMs, maxMs } = this.limits;
    const raw = this.srtt === undefined ? initialMs : this.srtt + 4 * this.rttvar;
    // Whole 10 ms steps: Node keeps one timer list per distinct duration, so fewer distinct values are cheaper.
    return Math.min(maxMs, Math.max(minMs, Math.ceil(raw / 10) * 10));
  }
}

export interface WindowLimits {
  initial: number;
  max: number;
}

/**
 * How many connection attempts may be in flight: TCP-style congestion control, as nmap does it.
 *
 * - An answer (connected, refused, ICMP unreachable) grows the window: by one per answer below the slow-start
 *   threshold (doubling per round trip), by one per window above it; but only while answers come back fast:
 *   once the smoothed round trip is well above the fastest one seen, more in flight would only queue, and
 *   the window shrinks instead (TCP Vegas's idea). On a CPU-bound path (the lab) a window of 512 instead of 64
 *   made a full-range scan 15-20% slower and up to 40 MB larger (bench/wan-scan.ts, scan-runner --max-concurrency).
 * - Loss halves it, at most once per round of probes: a port whose first try went unanswered and whose retry
 *   was answered shows that a packet was lost on the way, not that the port is filtered.
 * - Silence (a try that times out) is not taken as congestion: a firewall that drops is silent by design, and
 *   slowing down on it is what makes nmap crawl on stealthed hosts. It may grow the window back up to the
 *   slow-start threshold, the last size known to be fine, but never beyond; only answers probe past it.
 * - This machine running short (EMFILE, ENOBUFS, EADDRNOTAVAIL...) sets a ceiling just under what was in
 *   flight, which rises again by one per window of completed probes.
 * The window counts probes that may still be answered; one unanswered for twice the usual round trip is
 * presumed silent and waits out its timeout outside it (connect-shard.ts), up to four windows' worth.
 */
export class ConcurrencyWindow {
  private cwnd: number;
  private ssthresh: number;
  private ceiling: number;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  peak: number;

  constructor(private readonly limits: WindowLimits) {
    this.cwnd = Math.min(limits.initial, limits.max);
    this.ssthresh = limits.max;
    this.ceiling = limits.max;
    this.peak = this.size;
  }

  get size(): number {
    return Math.max(1, Math.floor(Math.min(this.cwnd, this.ceiling)));
  }

  onAnswer(queueing: boolean): void {
    if (!queueing) {
      this.cwnd += this.cwnd < this.ssthresh ? 1 : 1 / this.cwnd;
    } else {
      // Half a probe per answer halves the window in one round; slow start ends here (it overshoots by design).
      // Never below the initial window, though: if the delay comes from something else entirely (another
      // program hogging the CPU), a tiny window would make the scan crawl without making answers any faster.
      const floor = Math.min(this.limits.initial, this.cwnd);
      this.ssthresh = Math.max(floor, Math.min(this.ssthresh, this.cwnd));
      this.cwnd = Math.max(floor, this.cwnd - 0.5);
    }
    this.settled();
  }

  onSilence(): void {
    if (this.cwnd < this.ssthresh) this.cwnd = Math.min(this.ssthresh, this.cwnd + 1);
    this.settled();
  }

  /** `sentAt`: when the answered retry was sent; losses of probes sent before the last decrease are old news. */
  onLoss(sentAt: number, now: number): void {
    if (sentAt < this.lastDecrease) return;
    this.lastDecrease = now;
    this.cwnd = Math.max(1, this.cwnd / 2);
    this.ssthresh = Math.max(2, this.cwnd);
  }

  onResourceShortage(inFlight: number, now: number): void {
    this.ceiling = Math.max(1, Math.floor(inFlight * 0.9));
    this.cwnd = Math.min(this.cwnd, this.ceiling);
    this.ssthresh = Math.max(2, this.cwnd);
    this.lastDecrease = now;
  }

  private settled(): void {
    this.cwnd = Math.min(this.cwnd, this.limits.max);
    if (this.ceiling < this.limits.max) this.ceiling = Math.min(this.limits.max, this.ceiling + 1 / this.ceiling);
    this.peak = Math.max(this.peak, this.size);
  }
}
