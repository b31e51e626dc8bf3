import type { SampleStore } from './sample-store.js';

/** How late the probe engine sent one probe's samples against their fixed schedule, in ms. */
export interface ProbeLateness {
  intervalMs: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function probeLateness(samples: SampleStore, intervalsMs: ReadonlyMap<string, number>): Record<string, ProbeLateness> {
  const out: Record<string, ProbeLateness> = {};
  for (const [probe, intervalMs] of intervalsMs) {
    const lateness = samples.of(probe)?.lateness().sort();
    if (!lateness || lateness.length === 0) continue;
    const at = (q: number) => round(lateness[Math.min(lateness.length - 1, Math.ceil(q * lateness.length) - 1)]!);
    out[probe] = { intervalMs, samples: lateness.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(lateness[lateness.length - 1]!) };
  }
  return out;
}

/** One line per probe whose 99th-percentile lateness is above `maxShare` of its interval. */
export function latenessProblems(lateness: Record<string, ProbeLateness>, maxShare: number): string[] {
  return Object.entries(lateness)
    .filter(([, l]) => l.p99Ms > maxShare * l.intervalMs)
    .map(([probe, l]) => `probe ${probe} fell behind its schedule: p99 lateness ${l.p99Ms}ms (max ${l.maxMs}ms) is over ${(maxShare * 100).toFixed(0)}% of its ${l.intervalMs}ms interval, so its bounds are wider than the interval says`);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
