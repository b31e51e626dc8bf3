import type { Measurement } from '../core/measurement.js';
import type { MeasurementName } from '../core/measurements.js';
import type { HistoryEntry } from './history.js';

/**
 * A run regressed on a measurement when it is worse than the median of the scenario's previous
 * `last` conclusive runs by more than `share` of that median, and beyond both runs' uncertainty:
 * the run's best bound is still worse than the baseline's worst. So a noisy sample that merely
 * overlaps the baseline is never a regression. Aborted and errored drills measured nothing
 * worth comparing and are left out, as runs and as baseline.
 */
export interface RegressionOptions {
  /** How many previous runs make the baseline (their median). */
  last: number;
  /** How much worse than the baseline counts, as a share of it (0.2 = 20 %). */
  share: number;
  /** The fewest previous runs a baseline needs. */
  minRuns: number;
}

export const DEFAULT_REGRESSION_OPTIONS: RegressionOptions = { last: 5, share: 0.2, minRuns: 3 };

export interface Regression {
  scenario: string;
  environment: string;
  drillId: string;
  startedAt: string;
  measurement: MeasurementName;
  measured: Measurement;
  /** The medians of the baseline runs' values and bounds. */
  baseline: Measurement;
  baselineRuns: number;
  /** How much worse than the baseline's median, as a share of it (Infinity from a zero baseline). */
  worseBy: number;
}

/** Higher is worse for every measurement but availability. */
const WORSE_WHEN_LOWER: ReadonlySet<MeasurementName> = new Set(['availability']);
const COMPARED: MeasurementName[] = ['detectionMs', 'decisionMs', 'failoverMs', 'rtoMs', 'rpoMs', 'lostWrites', 'availability'];

/** Every run's regressions against the runs before it, per scenario and environment, oldest first. */
export function findRegressions(entries: readonly HistoryEntry[], options: RegressionOptions = DEFAULT_REGRESSION_OPTIONS): Regression[] {
  const conclusive = entries.filter((e) => e.outcome === 'passed' || e.outcome === 'failed');
  const series = new Map<string, HistoryEntry[]>();
  for (const e of conclusive) series.set(`${e.scenario}\u0000${e.environment}`, [...(series.get(`${e.scenario}\u0000${e.environment}`) ?? []), e]);
  const found: Regression[] = [];
  for (const runs of series.values()) {
    const ordered = [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    ordered.forEach((run, i) => {
      const before = ordered.slice(Math.max(0, i - options.last), i);
      for (const name of COMPARED) {
        const regression = compare(run, before, name, options);
        if (regression) found.push(regression);
      }
    });
  }
  return found;
}

/** The regressions of each scenario's newest run: what a CI job fails on. */
export function newestRegressions(entries: readonly HistoryEntry[], options: RegressionOptions = DEFAULT_REGRESSION_OPTIONS): Regression[] {
  const all = findRegressions(entries, options);
  const newest = new Map<string, string>();
  for (const e of entries.filter((x) => x.outcome === 'passed' || x.outcome === 'failed')) {
    const key = `${e.scenario}\u0000${e.environment}`;
    const current = entries.find((x) => x.drillId === newest.get(key));
    if (!current || Date.parse(e.startedAt) >= Date.parse(current.startedAt)) newest.set(key, e.drillId);
  }
  const newestIds = new Set(newest.values());
  return all.filter((r) => newestIds.has(r.drillId));
}

function compare(run: HistoryEntry, before: HistoryEntry[], name: MeasurementName, options: RegressionOptions): Regression | null {
  const measured = run.measurements[name];
  const baselineRuns = before.map((e) => e.measurements[name]).filter((m): m is Measurement => m !== null);
  if (!measured || baselineRuns.length < options.minRuns) return null;
  const baseline = { value: median(baselineRuns.map((m) => m.value)), lower: median(baselineRuns.map((m) => m.lower)), upper: median(baselineRuns.map((m) => m.upper)) };
  const lowerIsWorse = WORSE_WHEN_LOWER.has(name);
  const excess = lowerIsWorse ? baseline.value - measured.value : measured.value - baseline.value;
  const beyondUncertainty = lowerIsWorse ? measured.upper < baseline.lower : measured.lower > baseline.upper;
  const worseBy = baseline.value === 0 ? (excess > 0 ? Infinity : 0) : excess / Math.abs(baseline.value);
  if (!beyondUncertainty || worseBy <= options.share) return null;
  return { scenario: run.scenario, environment: run.environment, drillId: run.drillId, startedAt: run.startedAt, measurement: name, measured, baseline, baselineRuns: baselineRuns.length, worseBy };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
