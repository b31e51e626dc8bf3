import type { RecordEvent, RecordedTimeline, SignalEvent } from '../core/timeline.js';
import type { LoadedScenario } from '../scenario/load.js';

/** The steady-state hypothesis, checked before injecting and again after reverting. */
/** Each probe must have answered, and well enough, in the window since `from`. */
export function steadyStateProblems(timeline: RecordedTimeline, scenario: LoadedScenario, from: number, minSuccess: number): string[] {
  const problems: string[] = [];
  for (const probe of scenario.entries.probes) {
    const own = timeline.samples.of(probe.name);
    const first = own ? own.indexAtOrAfter(from) : 0;
    const total = own ? own.length - first : 0;
    let good = 0;
    for (let i = first; i < first + total; i++) if (own!.okAt(i)) good++;
    if (total === 0) problems.push(`probe ${probe.name} answered no sample`);
    else if (good / total < minSuccess) {
      const lastError = own!.lastFailure && own!.lastFailure.t >= from ? own!.lastFailure.error : undefined;
      problems.push(`probe ${probe.name}: ${good}/${total} samples ok${lastError ? ` (last error: ${lastError})` : ''}`);
    }
  }
  return problems;
}

/**
 * Each named signal's latest state must be the expected one. A signal that says why it is not
 * (`detail.reason`: the image missing, the stack instance outdated) or could not be read
 * (`detail.error`) has that said too.
 */
export function signalStateProblems(events: readonly RecordEvent[], expected: Record<string, string>): string[] {
  return Object.entries(expected).flatMap(([signal, state]) => {
    const latest = events.filter((e): e is SignalEvent => e.kind === 'signal' && e.signal === signal).at(-1);
    if (latest?.state === state) return [];
    const why = latest?.detail?.reason ?? latest?.detail?.error;
    return [`signal ${signal} is ${latest?.state ?? 'not observed yet'}, expected ${state}${typeof why === 'string' ? ` (${why})` : ''}`];
  });
}
