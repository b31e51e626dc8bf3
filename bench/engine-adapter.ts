import { performance } from 'node:perf_hooks';
import { measure, type Measurements } from '../src/core/measurements.js';
import { MilestoneTracker } from '../src/core/milestone-tracker.js';
import type { MilestoneRules, Milestones } from '../src/core/milestones.js';
import { Timeline, type TimelineEvent } from '../src/core/timeline.js';
import { judge, type Target } from '../src/core/verdicts.js';
import { summarizeSamples } from '../src/runner/result.js';

/*
 * Every place the benchmarks depend on the probe engine's or the core's internals: how late a
 * sample was, and how a whole timeline becomes milestones, measurements and a result.
 * When the engine changes (planned times on samples, how the timeline is stored), update this
 * file only.
 */

/** Each sample's planned time and how late it was sent (`t − plannedT`): the engine stamps every sample with its plan. */
export class SampleTimes {
  private planned: number[] = [];
  private late: number[] = [];

  /** Keeps numbers only, so recording does not weigh on the memory being measured. */
  record(event: TimelineEvent): void {
    if (event.kind !== 'sample' || event.plannedT === undefined) return;
    this.planned.push(event.plannedT);
    this.late.push(event.t - event.plannedT);
  }

  lateness(): { plannedT: Float64Array; lateMs: Float64Array } {
    return { plannedT: Float64Array.from(this.planned), lateMs: Float64Array.from(this.late) };
  }
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
