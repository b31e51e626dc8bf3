/**
 * An instant on the timeline that is known only to within bounds: a probe that samples every
 * 500 ms sees a change somewhere between its last two samples. `lower <= t <= upper`.
 */
export interface Instant {
  t: number;
  lower: number;
  upper: number;
}

/** A measured value with the bounds it is known within, in milliseconds (or a ratio). */
export interface Measurement {
  value: number;
  lower: number;
  upper: number;
}

export function exactInstant(t: number): Instant {
  return { t, lower: t, upper: t };
}

/** The duration from `from` to `to`, widened by both instants' uncertainty. */
/**
 * From one milestone to the next. A milestone reached before the one it follows (the service back
 * before the decision) is a duration of 0 within its bounds, never a negative value outside them;
 * the result's warnings say so (`milestoneGaps`).
 */
export function durationBetween(from: Instant, to: Instant): Measurement {
  const lower = Math.max(0, to.lower - from.upper);
  const upper = Math.max(0, to.upper - from.lower);
  return { value: Math.min(upper, Math.max(lower, to.t - from.t)), lower, upper };
}

export function exactMeasurement(value: number): Measurement {
  return { value, lower: value, upper: value };
}

/** Half the width of the bounds: the "±" a report shows. */
export function uncertaintyOf(m: Measurement): number {
  return (m.upper - m.lower) / 2;
}
