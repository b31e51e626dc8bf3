import type { SampleEvent, Timeline } from '../core/timeline.js';
import type { LoadedScenario } from '../scenario/load.js';

/** Why a drill stopped early: a guardrail tripped, or someone interrupted it. */
export class DrillAbort extends Error {
  constructor(readonly reason: string, readonly guardrail?: string) {
    super(reason);
  }
}

/** Stop conditions: a signal reaching its `stopWhen` state, a protected probe failing. */
export function watchGuardrails(scenario: LoadedScenario, timeline: Timeline, stop: (reason: DrillAbort) => void): void {
  const stopWhen = new Map(scenario.entries.signals.filter((s) => s.common.stopWhen).map((s) => [s.name, s.common.stopWhen as string]));
  const protectedProbes = new Map(scenario.entries.probes.filter((p) => p.common.protected).map((p) => {
    const setting = p.common.protected as boolean | { failures: number };
    return [p.name, setting === true ? 1 : (setting as { failures: number }).failures];
  }));
  const failuresInARow = new Map<string, number>();
  const errorRates = scenario.spec.guardrails.maxErrorRate;
  const recent = new Map<string, SampleEvent[]>();
  timeline.subscribe((event) => {
    if (event.kind === 'sample') {
      for (const bound of errorRates.filter((b) => b.probe === event.probe)) {
        const window = [...(recent.get(event.probe) ?? []), event].filter((s) => s.t > event.t - bound.window);
        recent.set(event.probe, window);
        const rate = window.filter((s) => !s.ok).length / window.length;
        // Judged once the samples span half the window: one early failure alone is not a rate.
        if (window[0]!.t <= event.t - bound.window / 2 && rate > bound.rate) {
          stop(new DrillAbort(`error rate of probe ${event.probe} is ${(rate * 100).toFixed(0)}% over ${bound.window}ms, above the bound of ${(bound.rate * 100).toFixed(0)}%`, `maxErrorRate:${event.probe}`));
        }
      }
    }
    if (event.kind === 'signal' && stopWhen.get(event.signal) === event.state) {
      stop(new DrillAbort(`stop condition: signal ${event.signal} is ${event.state}`, `stopWhen:${event.signal}`));
    }
    if (event.kind === 'sample' && protectedProbes.has(event.probe)) {
      const n = event.ok ? 0 : (failuresInARow.get(event.probe) ?? 0) + 1;
      failuresInARow.set(event.probe, n);
      if (n >= protectedProbes.get(event.probe)!) stop(new DrillAbort(`protected probe ${event.probe} failed ${n} time(s) in a row: ${event.error ?? 'failed'}`, `protected:${event.probe}`));
    }
  });
}
