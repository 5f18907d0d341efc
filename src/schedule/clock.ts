/**
 * Time as an input. The scheduler and the alert outbox read "now" and set their timers only through a Clock, so
 * tests drive them with a fake one (test/support/clock.ts) instead of sleeping. Production uses systemClock.
 */
export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  setInterval: (callback: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};
