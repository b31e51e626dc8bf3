import { performance } from 'node:perf_hooks';

/**
 * A monotonic clock anchored once to wall-clock time. Every instant on a drill's timeline is
 * milliseconds since the anchor, read from the monotonic clock, so a wall-clock step (NTP, a
 * manual change) cannot shorten or stretch a measured duration. Wall-clock time is derived
 * from the anchor only for display and to place foreign timestamps (an AWS alarm's clock).
 */
export interface Clock {
  /** Milliseconds since the anchor, monotonic. */
  now(): number;
  /** The wall-clock time the anchor was taken at, in epoch milliseconds. */
  readonly anchorWallMs: number;
}

export function createClock(): Clock {
  const anchorMono = performance.now();
  const anchorWallMs = Date.now();
  // Microseconds are more than any probe can resolve; rounding keeps results free of float noise.
  return { now: () => Math.round((performance.now() - anchorMono) * 1_000) / 1_000, anchorWallMs };
}

/** A clock that moves only when told to: for tests of the pure core and the runner. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function createManualClock(anchorWallMs = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let t = 0;
  return {
    now: () => t,
    anchorWallMs,
    advance(ms) { t += ms; },
    set(ms) { t = ms; },
  };
}

/** Timeline milliseconds for a wall-clock time given by another system's clock. */
export function timelineMsOf(clock: Pick<Clock, 'anchorWallMs'>, wall: Date | number): number {
  return (typeof wall === 'number' ? wall : wall.getTime()) - clock.anchorWallMs;
}

export function wallTimeOf(clock: Pick<Clock, 'anchorWallMs'>, t: number): Date {
  return new Date(clock.anchorWallMs + t);
}
