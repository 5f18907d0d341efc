import { abortError } from '../../core/errors.js';

/**
 * At most `size` scans at once in this process, whoever started them (the API's queue, the scheduler): two scans
 * of one router only slow each other down and blur each other's discovery window. Waiting is first come, first
 * served, and a waiter whose signal aborts leaves the line.
 */
export class ScanSlots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size = 1) {
    this.#free = size;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw abortError(signal, 'The scan');
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(abortError(signal, 'The scan'));
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter: no window in which a newcomer could take it first.
    if (next) next();
    else this.#free++;
  }
}
