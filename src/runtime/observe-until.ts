import type { Clock } from '../core/clock.js';
import type { Instant } from '../core/measurement.js';
import { waitFor } from './wait.js';

/** What a poll read when the condition first held, and when that began: after `lower`, at or before `upper` (timeline ms). */
export interface ObservedUntil<T> {
  value: T;
  at: Instant;
}

/**
 * Reads `read` every `intervalMs` until `until` holds. What it waits for began after the
 * previous read was sent (or `sinceT`, for the first) and before the read that saw it answered.
 * A timeout says what the last read showed (`describe`), so a stuck wait names what it saw.
 */
export async function observeUntil<T>(read: () => Promise<T>, options: {
  until(value: T): boolean;
  describe(value: T): string;
  sinceT: number;
  clock: Clock;
  timeoutMs: number;
  intervalMs: number;
  signal: AbortSignal;
  what: string;
}): Promise<ObservedUntil<T>> {
  let lower = options.sinceT;
  let observed: ObservedUntil<T> | undefined;
  let last: { value: T } | undefined;
  try {
    await waitFor(async () => {
      const sentT = options.clock.now();
      const value = await read();
      last = { value };
      if (options.until(value)) {
        const upper = options.clock.now();
        observed = { value, at: { t: upper, lower, upper } };
        return true;
      }
      lower = sentT;
      return false;
    }, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, what: options.what, signal: options.signal });
  } catch (error) {
    if (options.signal.aborted || !last || !/^timed out/.test((error as Error).message)) throw error;
    throw new Error(`${(error as Error).message}; last seen: ${options.describe(last.value)}`, { cause: error });
  }
  return observed!;
}
