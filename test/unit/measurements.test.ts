import { expect } from 'chai';
import { exactInstant } from '../../src/core/measurement.js';
import { measure, type MeasureOptions } from '../../src/core/measurements.js';
import type { Milestones } from '../../src/core/milestones.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { canaryRead, canaryWrite, sample, samples } from './timeline-builders.js';

const MILESTONES: Milestones = {
  fault: { t: 1_000, lower: 990, upper: 1_010 },
  impact: { t: 1_200, lower: 1_100, upper: 1_250 },
  detect: { t: 2_000, lower: 1_900, upper: 2_050 },
  decide: exactInstant(3_000),
  recovered: { t: 4_000, lower: 3_900, upper: 4_010 },
};
const OPTIONS: MeasureOptions = { origin: 'fault', userFacing: ['app'], observeEnd: 5_000 };

describe('measure', () => {
  describe('durations between milestones', () => {
    it('widen by the bounds of both ends', () => {
      const m = measure([], MILESTONES, OPTIONS);
      expect(m.detectionMs).to.deep.equal({ value: 1_000, lower: 1_900 - 1_010, upper: 2_050 - 990 });
      expect(m.decisionMs).to.deep.equal({ value: 1_000, lower: 3_000 - 2_050, upper: 3_000 - 1_900 });
      expect(m.failoverMs).to.deep.equal({ value: 1_000, lower: 3_900 - 3_000, upper: 4_010 - 3_000 });
      expect(m.rtoMs).to.deep.equal({ value: 3_000, lower: 3_900 - 1_010, upper: 4_010 - 990 });
    });

    it('count RTO from the impact when the scenario says so', () => {
      const m = measure([], MILESTONES, { ...OPTIONS, origin: 'impact' });
      expect(m.rtoMs).to.deep.equal({ value: 2_800, lower: 3_900 - 1_250, upper: 4_010 - 1_100 });
    });

    it('never go below zero when the bounds overlap', () => {
      const m = measure([], { ...MILESTONES, detect: { t: 1_005, lower: 950, upper: 1_020 } }, OPTIONS);
      expect(m.detectionMs).to.deep.equal({ value: 5, lower: 0, upper: 30 });
    });

    it('are 0 within their bounds, never a negative value outside them, when a milestone came before the one it follows', () => {
      const m = measure([], { ...MILESTONES, recovered: { t: 2_500, lower: 2_400, upper: 2_600 } }, OPTIONS);
      expect(m.failoverMs).to.deep.equal({ value: 0, lower: 0, upper: 0 }); // recovered at 2.5 s, decided at 3 s
    });

    it('are null when either end is missing', () => {
      const m = measure([], { ...MILESTONES, detect: null, recovered: null }, OPTIONS);
      expect(m.detectionMs).to.equal(null);
      expect(m.decisionMs).to.equal(null);
      expect(m.failoverMs).to.equal(null);
      expect(m.rtoMs).to.equal(null);
      expect(measure([], { ...MILESTONES, impact: null }, { ...OPTIONS, origin: 'impact' }).rtoMs).to.equal(null);
    });
  });

  describe('availability', () => {
    it('counts user-facing samples sent from T_fault until the end of observe', () => {
      const events: TimelineEvent[] = [
        sample('app', 900, false), // before the fault
        ...samples('app', 1_000, 500, '+--+++++'), // 1000..4500: 6 of 8 ok
        sample('app', 5_000, false), // at observeEnd: revert has started
        sample('internal', 2_000, false), // not user-facing
      ];
      expect(measure(events, MILESTONES, OPTIONS).availability).to.deep.equal({ value: 0.75, lower: 0.75, upper: 0.75 });
      expect(measure(events, MILESTONES, { ...OPTIONS, userFacing: ['app', 'internal'] }).availability?.value).to.equal(6 / 9);
    });

    it('is null with no samples in the window or no fault', () => {
      expect(measure([sample('app', 500, true)], MILESTONES, OPTIONS).availability).to.equal(null);
      expect(measure(samples('app', 1_000, 100, '++'), { ...MILESTONES, fault: null }, OPTIONS).availability).to.equal(null);
    });
  });

  describe('RPO from data canaries', () => {
    const writes = [500, 600, 700, 800, 900].map((t, i) => canaryWrite(t, i + 1));

    it('is 0 when no acknowledged write was lost', () => {
      const m = measure([...writes, canaryRead(4_500, { newestSeq: 5, lost: 0, newestCommitT: 900 })], MILESTONES, OPTIONS);
      expect(m.rpoMs).to.deep.equal({ value: 0, lower: 0, upper: 0 });
      expect(m.lostWrites).to.deep.equal({ value: 0, lower: 0, upper: 0 });
    });

    it('is T_fault minus the newest surviving commit, down to the first lost write', () => {
      // Seq 1..3 survived (newest committed at 700); 4 (800) and 5 (900) were lost.
      const m = measure([...writes, canaryRead(4_500, { newestSeq: 3, lost: 2, newestCommitT: 700 })], MILESTONES, OPTIONS);
      expect(m.rpoMs).to.deep.equal({ value: 1_000 - 700, lower: 990 - 800, upper: 1_010 - 700 });
      expect(m.lostWrites).to.deep.equal({ value: 2, lower: 2, upper: 2 });
    });

    it('reaches back to the first lost write when nothing survived', () => {
      const m = measure([...writes, canaryRead(4_500, { lost: 5 })], MILESTONES, OPTIONS);
      expect(m.rpoMs).to.deep.equal({ value: 1_000 - 500, lower: 990 - 500, upper: 1_010 - 500 });
    });

    it('ignores failed writes and reads, and uses the last good read', () => {
      const events: TimelineEvent[] = [
        ...writes,
        canaryWrite(950, 6, false),
        canaryRead(3_000, { newestSeq: 1, lost: 4, newestCommitT: 500 }),
        { kind: 'canary', t: 4_000, canary: 'orders', action: 'read', ok: false, error: 'connection refused' },
        canaryRead(4_500, { newestSeq: 4, lost: 1, newestCommitT: 800 }),
      ];
      expect(measure(events, MILESTONES, OPTIONS).rpoMs).to.deep.equal({ value: 200, lower: 990 - 900, upper: 1_010 - 800 });
    });

    it('with several canaries, takes the largest RPO and the most lost writes, each from the canary that saw it', () => {
      const heartbeat = [100, 300, 500, 700, 900].map((t, i) => canaryWrite(t, i + 1, true, 'heartbeat'));
      const m = measure([
        ...writes, canaryRead(4_500, { newestSeq: 4, lost: 1, newestCommitT: 800 }),
        ...heartbeat, canaryRead(4_600, { newestSeq: 2, lost: 3, newestCommitT: 300 }, 'heartbeat'),
      ], MILESTONES, OPTIONS);
      expect(m.rpoMs).to.deep.equal({ value: 700, lower: 490, upper: 710 });
      expect(m.lostWrites).to.deep.equal({ value: 3, lower: 3, upper: 3 });
    });

    it('is null without a canary read or without a fault', () => {
      expect(measure(writes, MILESTONES, OPTIONS).rpoMs).to.equal(null);
      expect(measure(writes, MILESTONES, OPTIONS).lostWrites).to.equal(null);
      expect(measure([...writes, canaryRead(4_500, { lost: 0 })], { ...MILESTONES, fault: null }, OPTIONS).rpoMs).to.equal(null);
    });
  });
});
