import type { Clock } from '../core/clock.js';
import type { CanaryEvent } from '../core/timeline.js';

/**
 * A data canary for RPO: writes sequence-numbered, timestamped records to the primary on a
 * schedule from before the fault, and after recovery reads which of them survived on the
 * recovered side.
 */
export interface Canary {
  readonly name: string;
  start(ctx: { clock: Clock; emit: (event: CanaryEvent) => void }): void;
  stop(): Promise<void>;
  /** Reads the recovered side and says which acknowledged writes are missing. */
  readRecovered(): Promise<CanaryEvent>;
}
