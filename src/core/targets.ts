import { DURATION_HINT, formatDuration, parseDuration } from './duration.js';
import type { Measurement } from './measurement.js';
import type { MeasurementName } from './measurements.js';

/**
 * The one table of targets: for each, the measurement it judges, its unit, and whether the
 * budget is a ceiling (times, lost writes) or a floor (availability). Parsing, formatting,
 * verdicts, the summary, the chai plugin and the published metrics all read it from here.
 */
export type TargetUnit = 'time' | 'ratio' | 'count';

export interface TargetDefinition {
  measurement: MeasurementName;
  unit: TargetUnit;
  direction: 'ceiling' | 'floor';
  /** How the summary names it. */
  label: string;
}

export const TARGETS = {
  detection: { measurement: 'detectionMs', unit: 'time', direction: 'ceiling', label: 'detection' },
  decision: { measurement: 'decisionMs', unit: 'time', direction: 'ceiling', label: 'decision' },
  failover: { measurement: 'failoverMs', unit: 'time', direction: 'ceiling', label: 'failover' },
  rto: { measurement: 'rtoMs', unit: 'time', direction: 'ceiling', label: 'RTO' },
  rpo: { measurement: 'rpoMs', unit: 'time', direction: 'ceiling', label: 'RPO' },
  lostWrites: { measurement: 'lostWrites', unit: 'count', direction: 'ceiling', label: 'lost writes' },
  availability: { measurement: 'availability', unit: 'ratio', direction: 'floor', label: 'availability' },
} as const satisfies Record<string, TargetDefinition>;

export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

export const UNIT_HINT: Record<TargetUnit, string> = {
  time: DURATION_HINT,
  ratio: 'a percentage like "99.5%" or a ratio from 0 to 1',
  count: 'a whole number of writes',
};

/** A share written as "99.5%", or already a ratio 0..1; undefined when it is neither. */
export function parseRatio(written: string | number): number | undefined {
  if (typeof written === 'number') return written >= 0 && written <= 1 ? written : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(written.trim());
  return m && Number(m[1]) <= 100 ? Number(m[1]) / 100 : undefined;
}

/** A budget as a scenario writes it ("30s", "99.5%", 3), or a number already in the unit (ms, a ratio, a count). */
export function parseBudget(name: TargetName, written: string | number): number | undefined {
  const { unit } = TARGETS[name];
  if (unit === 'ratio') return parseRatio(written);
  if (typeof written === 'number') return Number.isFinite(written) && written >= 0 && (unit !== 'count' || Number.isInteger(written)) ? written : undefined;
  return unit === 'time' ? parseDuration(written) : undefined;
}

/** One number in the target's unit: "12.3s", "97.5%", "3 writes". */
export function formatValue(name: TargetName, value: number): string {
  const { unit } = TARGETS[name];
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'count') return `${value} write${value === 1 ? '' : 's'}`;
  return formatDuration(value);
}

/** A measurement as a person reads it: a time with its bounds and ±uncertainty, a share, a count. */
export function formatMeasurement(name: TargetName, m: Measurement): string {
  if (TARGETS[name].unit !== 'time') return formatValue(name, m.value);
  const half = (m.upper - m.lower) / 2;
  return `${formatDuration(m.value)} (${formatDuration(m.lower)}..${formatDuration(m.upper)}, ±${formatDuration(half)})`;
}

export function formatBudget(name: TargetName, budget: number): string {
  const { unit, direction } = TARGETS[name];
  const number = unit === 'count' ? String(budget) : unit === 'ratio' ? `${(budget * 100).toFixed(1)}%` : formatDuration(budget);
  return `${direction === 'floor' ? '>=' : '<='} ${number}`;
}

/** What a breach reads as: "rto 42.0s > 30.0s", "availability 97.5% < 99.0%". */
export function formatBreach(name: TargetName, judged: number, budget: number): string {
  const { unit, direction } = TARGETS[name];
  const number = (v: number) => (unit === 'count' ? String(v) : unit === 'ratio' ? `${(v * 100).toFixed(1)}%` : formatDuration(v));
  return `${name} ${number(judged)} ${direction === 'floor' ? '<' : '>'} ${number(budget)}`;
}
