/**
 * What a signal saw on one poll. `since` is when the state took effect by the source's own
 * clock (an alarm's state timestamp), when the source gives one; otherwise the runner brackets
 * the change between this poll and the one before.
 */
export interface Observation {
  state: string;
  since?: Date;
  detail?: Record<string, unknown>;
}

/**
 * An observation of the system's own automation: an alarm, a health check, a DNS answer, a
 * status endpoint. An `observe` that throws (after the adapter's own retries) makes the signal
 * `unknown` for that poll: never healthy, never a detection.
 */
export interface Signal {
  readonly name: string;
  readonly intervalMs: number;
  observe(ctx: { signal: AbortSignal }): Promise<Observation>;
  close(): Promise<void>;
}

export { UNKNOWN_STATE } from '../core/timeline.js';
