import type { Clock } from '../core/clock.js';

/** What one sample found. The runner stamps it with the time it was sent and its latency. */
export interface SampleOutcome {
  ok: boolean;
  status?: number;
  /** The Region (side) that answered, when the probe can attribute it. */
  region?: string;
  error?: string;
  detail?: Record<string, unknown>;
  /** Files written into `ctx.outDir`, relative to it. */
  evidence?: string[];
}

export interface ProbeContext {
  /** Aborted when the sample's timeout passes or the drill stops: a sample must give up then. */
  signal: AbortSignal;
  clock: Clock;
  outDir: string;
}

/**
 * A synthetic check from the user's side. The runner calls `sample` on a fixed-rate schedule
 * (every `intervalMs`, whether or not the previous sample has answered), so a hanging target
 * shows up as failures at the times users would have seen them.
 */
export interface Probe {
  readonly name: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Samples are tagged with where they were taken from. */
  readonly vantage?: string;
  sample(ctx: ProbeContext): Promise<SampleOutcome>;
  close(): Promise<void>;
}
