import { performance } from 'node:perf_hooks';
import { measure, type Measurements } from '../src/core/measurements.js';
import { MilestoneTracker } from '../src/core/milestone-tracker.js';
import type { MilestoneRules, Milestones } from '../src/core/milestones.js';
import { Timeline, type TimelineEvent } from '../src/core/timeline.js';
import { judge, type Target } from '../src/core/verdicts.js';
import { summarizeSamples } from '../src/runner/result.js';

/*
 * Every place the benchmarks depend on the probe engine's or the core's internals: how a sample's
 * planned time is known, and how a whole timeline becomes milestones, measurements and a result.
 * When the engine changes (planned times on samples, how the timeline is stored), update this
 * file only.
 */

/** Per probe, the send times of its samples and, when the engine records them, their planned times. */
export class SampleTimes {
  private readonly sent = new Map<string, number[]>();
  private readonly planned = new Map<string, number[]>();

  /** Keeps numbers only, so recording does not weigh on the memory being measured. */
  record(event: TimelineEvent): void {
    if (event.kind !== 'sample') return;
    push(this.sent, event.probe, event.t);
    const plannedT = (event as { plannedT?: unknown }).plannedT;
    if (typeof plannedT === 'number') push(this.planned, event.probe, plannedT);
  }

  get probes(): string[] {
    return [...this.sent.keys()];
  }

  /**
   * Each sample's planned time and how late it was sent. The engine's own `plannedT` when every
   * sample has one; otherwise the fixed-rate schedule rebuilt: the k-th sample sent was planned at
   * start + k × interval. All probes' schedules start together (in one synchronous pass), so the
   * start is the earliest consistent with every sample: lateness is understated by at most the
   * least-late sample's, about a timer tick.
   */
  lateness(intervalMs: number): { plannedT: Float64Array; lateMs: Float64Array } {
    const count = [...this.sent.values()].reduce((n, times) => n + times.length, 0);
    const plannedT = new Float64Array(count);
    const lateMs = new Float64Array(count);
    let i = 0;
    if ([...this.sent].every(([probe, times]) => this.planned.get(probe)?.length === times.length)) {
      for (const [probe, times] of this.sent) {
        const planned = this.planned.get(probe)!;
        times.forEach((t, k) => {
          plannedT[i] = planned[k]!;
          lateMs[i] = t - planned[k]!;
          i++;
        });
      }
      return { plannedT, lateMs };
    }
    // Samples are recorded when they answer, so a slow one comes after a later fast one.
    const ordered = [...this.sent.values()].map((times) => Float64Array.from(times).sort());
    let start = Infinity;
    for (const times of ordered) times.forEach((t, k) => { start = Math.min(start, t - k * intervalMs); });
    for (const times of ordered) {
      times.forEach((t, k) => {
        plannedT[i] = start + k * intervalMs;
        lateMs[i] = t - plannedT[i]!;
        i++;
      });
    }
    return { plannedT, lateMs };
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface DerivedResult {
  milestones: Milestones;
  measurements: Measurements;
  /** `result.json`'s derived part as the runner writes it: milestones, measurements, verdicts, sample counts. */
  resultJson: string;
  /** Milliseconds each step took. */
  took: { milestones: number; measurements: number; result: number };
}

/**
 * What the runner does with a drill's events, each step timed: append them to the timeline (samples
 * into columns) with the milestones kept up to date as they arrive, then measure and assemble.
 */
export function deriveResult(events: Iterable<TimelineEvent>, rules: MilestoneRules, options: { observeEnd: number; targets: Target[] }): DerivedResult {
  const t0 = performance.now();
  const timeline = new Timeline();
  const tracker = new MilestoneTracker(rules, timeline.samples);
  timeline.subscribe((event) => tracker.add(event));
  for (const event of events) timeline.append(event);
  const milestones = tracker.current();
  const t1 = performance.now();
  const measurements = measure(timeline, milestones, { origin: 'fault', userFacing: rules.userFacing, observeEnd: options.observeEnd });
  const t2 = performance.now();
  const result = { milestones, measurements, targets: options.targets, verdicts: judge(options.targets, measurements), samples: summarizeSamples(timeline) };
  const resultJson = JSON.stringify(result, null, 2);
  const t3 = performance.now();
  return { milestones, measurements, resultJson, took: { milestones: t1 - t0, measurements: t2 - t1, result: t3 - t2 } };
}
