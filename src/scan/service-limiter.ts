import { abortError, createError } from '../core/errors.js';

export interface ScanLimits {
  /** Scans at once. One by default: two scans of one router only slow each other down and blur discovery. */
  maxRunning?: number;
  /** Scans waiting for their turn; one more is refused (EXP_ERR_API_BUSY). Unbounded by default. */
  maxWaiting?: number;
}

interface Entry {
  state: 'waiting' | 'running' | 'gone';
  ready: Promise<void>;
  grant: () => void;
  leave: () => void;
}

/** A scan's place: a slot now, or a place in the line. */
export interface ScanPlace {
  /** Resolves when the scan may run; rejects (EXP_ERR_ABORTED, or the signal's reason) when it left the line. */
  readonly ready: Promise<void>;
  /** Gives the slot back, or leaves the line. Safe to call more than once. */
  release(): void;
}

/**
 * The one limit on scans in a process, whoever starts them: the API's scans and, in `exposure serve`, the
 * scheduler's draw from the same limiter, so a scheduled scan waits behind the API's (and counts in its line)
 * instead of running beside it. The line is first come, first served; a waiter whose signal aborts leaves it.
 */
export class ScanLimiter {
  readonly maxRunning: number;
  readonly maxWaiting: number;
  #running = 0;
  readonly #line: Entry[] = [];

  constructor(limits: ScanLimits = {}) {
    this.maxRunning = Math.max(1, limits.maxRunning ?? 1);
    this.maxWaiting = Math.max(0, limits.maxWaiting ?? Number.POSITIVE_INFINITY);
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#line.length;
  }

  /**
   * Takes a place synchronously, so that a caller can be refused before it records anything and no other scan
   * can slip in between the check and the entry. Throws EXP_ERR_API_BUSY when the line is full.
   */
  reserve(signal?: AbortSignal): ScanPlace {
    if (this.#running < this.maxRunning) {
      this.#running++;
      return this.#place({ state: 'running', ready: Promise.resolve() });
    }
    if (this.#line.length >= this.maxWaiting) {
      throw createError('EXP_ERR_API_BUSY', `${this.#line.length} scans are already waiting (API and scheduled scans share the limit); try again when they have run`, {
        hint: 'Retry later, or raise the limit (exposure serve --max-queued).',
      });
    }
    const entry: Entry = { state: 'waiting', ready: Promise.resolve(), grant: () => undefined, leave: () => undefined };
    entry.ready = new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        entry.leave();
        reject(abortError(signal, 'The scan'));
      };
      entry.grant = () => {
        entry.state = 'running';
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      entry.leave = () => {
        if (entry.state !== 'waiting') return;
        entry.state = 'gone';
        const index = this.#line.indexOf(entry);
        if (index >= 0) this.#line.splice(index, 1);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#line.push(entry);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.#place(entry);
  }

  /** Runs work in a slot (waiting for one first); for callers that need no place before they start. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const place = this.reserve(signal);
    try {
      await place.ready;
      return await work();
    } finally {
      place.release();
    }
  }

  #place(entry: Pick<Entry, 'state' | 'ready'> & Partial<Pick<Entry, 'leave'>>): ScanPlace {
    // Nobody may be listening yet (the caller records the scan first): a rejection must not go unhandled.
    entry.ready.catch(() => undefined);
    let released = false;
    return {
      ready: entry.ready,
      release: () => {
        if (released) return;
        released = true;
        if (entry.state === 'running') this.#handOn();
        else entry.leave?.();
      },
    };
  }

  #handOn(): void {
    const next = this.#line.shift();
    // The slot passes straight to the next in line: no window in which a newcomer could take it first.
    if (next) next.grant();
    else this.#running--;
  }
}
