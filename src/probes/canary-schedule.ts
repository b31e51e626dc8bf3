import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';
import type { CanaryEvent } from '../core/timeline.js';

/**
 * A canary's writes on a fixed-rate schedule: write k starts at start + k × interval whether or
 * not earlier writes have answered (a dark primary must not slow the schedule down), with at
 * most `maxInFlight` at once; a tick beyond that is recorded as a failed, skipped write.
 */
export interface CanarySchedule {
  start(): void;
  /** Stops the schedule and waits for the writes in flight to settle. */
  stop(): Promise<void>;
}

export function scheduleCanaryWrites(options: {
  name: string;
  intervalMs: number;
  maxInFlight: number;
  clock: Clock;
  emit: (event: CanaryEvent) => void;
  writeOnce: () => Promise<void>;
}): CanarySchedule {
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    if (inFlight.size >= options.maxInFlight) {
      options.emit({ kind: 'canary', t: options.clock.now(), canary: options.name, action: 'write', ok: false, error: `skipped: ${inFlight.size} writes still in flight` });
      return;
    }
    const write = options.writeOnce().finally(() => inFlight.delete(write));
    inFlight.add(write);
  };

  return {
    start() {
      if (timer) return;
      const origin = performance.now();
      let ticks = 0;
      const schedule = () => {
        tick();
        ticks += 1;
        timer = setTimeout(schedule, Math.max(0, origin + ticks * options.intervalMs - performance.now()));
      };
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },
  };
}
