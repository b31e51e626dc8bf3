import type { Measurement } from './measurement.js';
import type { Measurements } from './measurements.js';
import { TARGETS, type TargetName } from './targets.js';

/** A budget one measurement must meet. Verdicts use the pessimistic bound unless the scenario asks for the point value. */
export interface Target {
  /** The name the scenario used: rto, rpo, detection, decision, failover, availability, lostWrites. */
  name: TargetName;
  budget: number;
  /** As the scenario wrote it, for reports. */
  source: string;
}

export type Bound = 'pessimistic' | 'value';

/** `inconclusive` means there was nothing to judge: it fails the drill (k6 passes those; we do not). */
export type VerdictStatus = 'pass' | 'fail' | 'inconclusive';

export interface Verdict {
  target: TargetName;
  budget: number;
  source: string;
  measured: Measurement | null;
  /** The number compared with the budget. */
  judged: number | null;
  status: VerdictStatus;
}

export function judge(targets: readonly Target[], measurements: Measurements, bound: Bound = 'pessimistic'): Verdict[] {
  return targets.map((target) => {
    const measured = measurements[TARGETS[target.name].measurement];
    if (!measured) return { target: target.name, budget: target.budget, source: target.source, measured: null, judged: null, status: 'inconclusive' };
    const floor = TARGETS[target.name].direction === 'floor';
    const judged = bound === 'value' ? measured.value : floor ? measured.lower : measured.upper;
    const met = floor ? judged >= target.budget : judged <= target.budget;
    return { target: target.name, budget: target.budget, source: target.source, measured, judged, status: met ? 'pass' : 'fail' };
  });
}

export function allPassed(verdicts: readonly Verdict[]): boolean {
  return verdicts.every((v) => v.status === 'pass');
}
