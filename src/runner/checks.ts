import type { SampleEvent, TimelineEvent } from '../core/timeline.js';
import type { LoadedScenario } from '../scenario/load.js';

/** The steady-state hypothesis, checked before injecting and again after reverting. */
/** Each probe must have answered, and well enough, in the window since `from`. */
export function steadyStateProblems(events: readonly TimelineEvent[], scenario: LoadedScenario, from: number, minSuccess: number): string[] {
  const problems: string[] = [];
  for (const probe of scenario.entries.probes) {
    const samples = events.filter((e): e is SampleEvent => e.kind === 'sample' && e.probe === probe.name && e.t >= from);
    const good = samples.filter((s) => s.ok).length;
    if (samples.length === 0) problems.push(`probe ${probe.name} answered no sample`);
    else if (good / samples.length < minSuccess) {
      const lastError = samples.filter((s) => !s.ok).at(-1)?.error;
      problems.push(`probe ${probe.name}: ${good}/${samples.length} samples ok${lastError ? ` (last error: ${lastError})` : ''}`);
    }
  }
  return problems;
}

/** Each named signal's latest state must be the expected one. */
export function signalStateProblems(events: readonly TimelineEvent[], expected: Record<string, string>): string[] {
  return Object.entries(expected).flatMap(([signal, state]) => {
    const latest = events.filter((e) => e.kind === 'signal' && e.signal === signal).at(-1) as { state: string } | undefined;
    return latest?.state === state ? [] : [`signal ${signal} is ${latest?.state ?? 'not observed yet'}, expected ${state}`];
  });
}

