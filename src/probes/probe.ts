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
  readonly signal: AbortSignal;
  /**
   * The same moment as a call: `listener` gets the reason (named `TimeoutError` for the timeout),
   * at once if the moment has passed. Cheaper than the signal, which is only made when asked for.
   */
  onGiveUp(listener: (reason: Error) => void): void;
  readonly clock: Clock;
  readonly outDir: string;
}

/**
 * One sample's context: one timer for its timeout and no AbortController unless a probe asks for
 * `signal`. At thousands of samples a second an AbortSignal and its listeners per sample cost more
 * than the rest of the runner's work on a sample (see bench/README.md).
 */
export class SampleRun implements ProbeContext {
  private reason: Error | undefined;
  private listeners: Array<(reason: Error) => void> | undefined;
  private controller: AbortController | undefined;
  private readonly timer: NodeJS.Timeout;

  /** `timeout` is the reason given when `timeoutMs` passes; one instance can serve every sample of a probe. */
  constructor(readonly clock: Clock, readonly outDir: string, timeoutMs: number, timeout: Error = timeoutError(timeoutMs)) {
    this.timer = setTimeout(giveUpAtTimeout, timeoutMs, this, timeout);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      this.onGiveUp((reason) => controller.abort(reason));
    }
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.reason?.name === 'TimeoutError';
  }

  onGiveUp(listener: (reason: Error) => void): void {
    if (this.reason) listener(this.reason);
    else (this.listeners ??= []).push(listener);
  }

  giveUp(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    clearTimeout(this.timer);
    for (const listener of this.listeners ?? []) listener(reason);
    this.listeners = undefined;
  }

  /** The sample answered: its timeout no longer matters. */
  settle(): void {
    clearTimeout(this.timer);
    this.listeners = undefined;
  }
}

export function timeoutError(timeoutMs: number): Error {
  return new DOMException(`timeout after ${timeoutMs}ms`, 'TimeoutError');
}

function giveUpAtTimeout(run: SampleRun, reason: Error): void {
  run.giveUp(reason);
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
