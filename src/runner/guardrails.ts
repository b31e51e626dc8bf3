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
  const errorRates = scenario.spec.guardrails.maxErrorRate.map((bound) => ({ bound, window: new ErrorRateWindow(bound.window) }));
  timeline.subscribe((event) => {
    if (event.kind === 'sample') {
      for (const { bound, window } of errorRates) {
        if (bound.probe !== event.probe) continue;
        window.add(event);
        // Judged once the samples span half the window: one early failure alone is not a rate.
        if (window.spanMs(event.t) >= bound.window / 2 && window.rate > bound.rate) {
          stop(new DrillAbort(`error rate of probe ${event.probe} is ${(window.rate * 100).toFixed(0)}% over ${bound.window}ms, above the bound of ${(bound.rate * 100).toFixed(0)}%`, `maxErrorRate:${event.probe}`));
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

/** The samples of the last `windowMs` and how many of them failed, kept as samples arrive: constant work per sample. */
class ErrorRateWindow {
  private readonly samples: Pick<SampleEvent, 't' | 'ok'>[] = [];
  private head = 0;
  private failed = 0;

  constructor(private readonly windowMs: number) {}

  add(sample: SampleEvent): void {
    this.samples.push({ t: sample.t, ok: sample.ok });
    if (!sample.ok) this.failed++;
    while (this.samples[this.head]!.t <= sample.t - this.windowMs) {
      if (!this.samples[this.head]!.ok) this.failed--;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.samples.length) {
      this.samples.splice(0, this.head);
      this.head = 0;
    }
  }

  get rate(): number {
    return this.failed / (this.samples.length - this.head);
  }

  /** From the oldest sample in the window to `t`. */
  spanMs(t: number): number {
    return t - this.samples[this.head]!.t;
  }
}
