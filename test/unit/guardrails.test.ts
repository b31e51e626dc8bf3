import { expect } from 'chai';
import { Timeline } from '../../src/core/timeline.js';
import { DrillAbort, watchGuardrails } from '../../src/runner/guardrails.js';
import type { LoadedScenario } from '../../src/scenario/load.js';

/** Only what `watchGuardrails` reads of a loaded scenario. */
function withErrorRate(rate: number, windowMs: number): LoadedScenario {
  return { entries: { signals: [], probes: [] }, spec: { guardrails: { maxErrorRate: [{ probe: 'app', rate, window: windowMs }] } } } as unknown as LoadedScenario;
}

describe('the maxErrorRate guardrail', () => {
  const watch = (scenario: LoadedScenario) => {
    const timeline = new Timeline();
    const stops: DrillAbort[] = [];
    watchGuardrails(scenario, timeline, (reason) => stops.push(reason));
    const sample = (t: number, ok: boolean, probe = 'app') => timeline.append({ kind: 'sample', t, probe, ok, latencyMs: 1 });
    return { stops, sample };
  };

  it('stops when the failures over the last window pass the rate, once the samples span half of it', () => {
    const { stops, sample } = watch(withErrorRate(0.5, 1_000));
    sample(0, false);
    sample(100, false);
    expect(stops).to.have.length(0); // two failures in 100 ms are not a rate yet
    for (let t = 200; t <= 500; t += 100) sample(t, false);
    expect(stops).to.have.length.above(0);
    expect(stops[0]!.guardrail).to.equal('maxErrorRate:app');
    expect(stops[0]!.reason).to.match(/error rate of probe app is 100% over 1000ms/);
  });

  it('forgets failures older than the window, and other probes do not count', () => {
    const { stops, sample } = watch(withErrorRate(0.5, 1_000));
    for (let t = 0; t < 400; t += 100) sample(t, false); // 4 failures, spanning under half the window
    for (let t = 1_400; t <= 20_000; t += 100) {
      sample(t, t % 300 !== 0); // a third failed: under the bound, with the early failures out of the window
      sample(t + 1, false, 'other');
    }
    expect(stops).to.deep.equal([]);
  });
});
