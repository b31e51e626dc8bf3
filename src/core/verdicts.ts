import type { Measurement } from './measurement.js';
import type { MeasurementName, Measurements } from './measurements.js';
import { formatDuration } from './duration.js';

/**
 * A budget one measurement must meet. Time and data-loss targets are ceilings; availability is
 * a floor. Verdicts use the pessimistic bound unless the scenario asks for the point value.
 */
export interface Target {
  /** The name the scenario used: rto, rpo, detection, decision, failover, availability, lostWrites. */
  name: TargetName;
  budget: number;
  /** As the scenario wrote it, for reports. */
  source: string;
}

export const TARGET_MEASUREMENTS = {
  detection: 'detectionMs',
  decision: 'decisionMs',
  failover: 'failoverMs',
  rto: 'rtoMs',
  rpo: 'rpoMs',
  lostWrites: 'lostWrites',
  availability: 'availability',
} as const satisfies Record<string, MeasurementName>;

export type TargetName = keyof typeof TARGET_MEASUREMENTS;
export const TARGET_NAMES = Object.keys(TARGET_MEASUREMENTS) as TargetName[];

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

function isFloor(name: TargetName): boolean {
  return name === 'availability';
}

export function judge(targets: readonly Target[], measurements: Measurements, bound: Bound = 'pessimistic'): Verdict[] {
  return targets.map((target) => {
    const measured = measurements[TARGET_MEASUREMENTS[target.name]];
    if (!measured) return { target: target.name, budget: target.budget, source: target.source, measured: null, judged: null, status: 'inconclusive' };
    const floor = isFloor(target.name);
    const judged = bound === 'value' ? measured.value : floor ? measured.lower : measured.upper;
    const met = floor ? judged >= target.budget : judged <= target.budget;
    return { target: target.name, budget: target.budget, source: target.source, measured, judged, status: met ? 'pass' : 'fail' };
  });
}

export function allPassed(verdicts: readonly Verdict[]): boolean {
  return verdicts.every((v) => v.status === 'pass');
}

/** How a measurement reads to a person: "12.3s ±0.25s", "97.5%", "3 writes". */
export function formatMeasurement(name: TargetName | MeasurementName, m: Measurement): string {
  if (name === 'availability') return `${(m.value * 100).toFixed(1)}%`;
  if (name === 'lostWrites') return `${m.value} write${m.value === 1 ? '' : 's'}`;
  const half = (m.upper - m.lower) / 2;
  return `${formatDuration(m.value)} (${formatDuration(m.lower)}..${formatDuration(m.upper)}, ±${formatDuration(half)})`;
}

export function formatBudget(name: TargetName, budget: number): string {
  if (name === 'availability') return `>= ${(budget * 100).toFixed(1)}%`;
  if (name === 'lostWrites') return `<= ${budget}`;
  return `<= ${formatDuration(budget)}`;
}
