import type { SampleStore } from './sample-store.js';

/** How late the probe engine sent one probe's samples against their fixed schedule, in ms. */
export interface ProbeLateness {
  intervalMs: number;
  samples: number;
  /** Samples the schedule planned between the first and the last sent that were never sent: the engine was over an interval behind. */
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function probeLateness(samples: SampleStore, intervalsMs: ReadonlyMap<string, number>): Record<string, ProbeLateness> {
  const out: Record<string, ProbeLateness> = {};
  for (const [probe, intervalMs] of intervalsMs) {
    const own = samples.of(probe);
    const lateness = own?.lateness().sort();
    const planned = own?.plannedRange();
    if (!lateness || lateness.length === 0 || !planned) continue;
    const at = (q: number) => round(lateness[Math.min(lateness.length - 1, Math.ceil(q * lateness.length) - 1)]!);
    const skipped = Math.max(0, Math.round((planned.last - planned.first) / intervalMs) + 1 - lateness.length);
    out[probe] = { intervalMs, samples: lateness.length, skipped, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(lateness[lateness.length - 1]!) };
  }
  return out;
}

/** One line per probe whose 99th-percentile lateness is above `maxShare` of its interval, or that skipped samples. */
export function latenessProblems(lateness: Record<string, ProbeLateness>, maxShare: number): string[] {
  return Object.entries(lateness)
    .filter(([, l]) => l.p99Ms > maxShare * l.intervalMs || l.skipped > 0)
    .map(([probe, l]) => {
      const late = l.p99Ms > maxShare * l.intervalMs ? ` is over ${(maxShare * 100).toFixed(0)}% of its ${l.intervalMs}ms interval` : '';
      const skipped = l.skipped > 0 ? `${late ? ', and it' : ';'} skipped ${l.skipped} of its ${l.samples + l.skipped} planned samples` : '';
      return `probe ${probe} fell behind its schedule: p99 lateness ${l.p99Ms}ms (max ${l.maxMs}ms)${late}${skipped}, so its bounds are wider than the interval says`;
    });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
