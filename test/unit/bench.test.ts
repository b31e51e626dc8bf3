import { expect } from 'chai';
import type { SampleEvent, TimelineEvent } from '../../src/core/timeline.js';
import { deriveResult, SampleTimes } from '../../bench/engine-adapter.js';
import { generateTimeline, planOf } from '../../bench/generated-timeline.js';
import { spreadOf } from '../../bench/stats.js';
import { injected, sample } from './timeline-builders.js';

/** The pieces the benchmarks' figures rest on: lateness against the schedule, the generated timeline, quantiles. */
describe('benchmarks: what their figures rest on', () => {
  describe('SampleTimes: how late each sample was sent', () => {
    it("takes the engine's own planned times, and leaves out events that are not samples", () => {
      const times = new SampleTimes();
      const planned = (t: number, plannedT: number) => ({ ...sample('a', t, true), plannedT }) as SampleEvent;
      times.record(planned(1010, 1000));
      times.record(planned(1107, 1100));
      times.record(injected(1150));
      const { plannedT, lateMs } = times.lateness();
      expect([...plannedT]).to.deep.equal([1000, 1100]);
      expect([...lateMs]).to.deep.equal([10, 7]);
    });
  });

  describe('the generated timeline', () => {
    it('yields the milestones and availability it was built with', () => {
      const plan = planOf(3, 100, 120_000);
      const timeline = generateTimeline(plan);
      const derived = deriveResult(timeline.events, timeline.rules, { observeEnd: timeline.observeEnd, targets: [{ name: 'rto', budget: 30_000, source: 'rto 30s' }] });
      expect(timeline.events.filter((e: TimelineEvent) => e.kind === 'sample')).to.have.length(3 * 1200);
      expect(derived.milestones).to.deep.include(timeline.expected);
      expect(derived.measurements.detectionMs?.value).to.equal(plan.detectAt - plan.faultAt);
      // From the fault (tick 300) to the end (tick 1200), ticks 300..359 fail: 60 of 900.
      expect(derived.measurements.availability?.value).to.be.closeTo(840 / 900, 1e-12);
      expect(JSON.parse(derived.resultJson).verdicts[0].status).to.equal('pass');
    });
  });

  describe('spreadOf', () => {
    it('takes quantiles by nearest rank, and none when there is nothing', () => {
      const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
      expect(spreadOf(hundred)).to.deep.equal({ n: 100, p50: 50, p95: 95, p99: 99, max: 100 });
      expect(spreadOf([])).to.equal(null);
    });
  });
});
