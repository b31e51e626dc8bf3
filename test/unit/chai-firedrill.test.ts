import { AssertionError, expect, use } from 'chai';
import { firedrillChai } from '../../src/assert/chai-firedrill.js';
import type { Measurements } from '../../src/core/measurements.js';
import { judge, type Target } from '../../src/core/verdicts.js';
import { RESULT_FORMAT, type DrillResult } from '../../src/runner/result.js';

use(firedrillChai);

const MEASUREMENTS: Measurements = {
  detectionMs: { value: 1_000, lower: 900, upper: 1_060 },
  decisionMs: { value: 1_200, lower: 1_150, upper: 1_250 },
  failoverMs: { value: 800, lower: 600, upper: 810 },
  rtoMs: { value: 2_400, lower: 2_300, upper: 2_500 },
  rpoMs: null,
  lostWrites: null,
  availability: { value: 0.5, lower: 0.5, upper: 0.5 },
};

/** A finished drill's result, judged against `targets` the way the runner judges it. */
function resultOf(targets: Target[], aborted: DrillResult['aborted'] = null): DrillResult {
  const verdicts = judge(targets, MEASUREMENTS);
  const passed = !aborted && verdicts.every((v) => v.status === 'pass');
  return {
    format: RESULT_FORMAT,
    drillId: 'lab-demo-20260101T000000Z-abcdef',
    scenario: { name: 'lab-demo', file: 'drills/lab-demo.yaml', sha256: '0'.repeat(64) },
    environment: 'lab',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    clockAnchor: '2026-01-01T00:00:00.000Z',
    outcome: aborted ? 'aborted' : passed ? 'passed' : 'failed',
    aborted,
    phases: [],
    milestones: { fault: null, impact: null, detect: null, decide: null, recovered: null },
    measurements: MEASUREMENTS,
    targets,
    verdicts,
    faults: [{ name: 'primary-region-outage', kind: 'blackhole', injectedAt: null, revertedAt: null, verified: true }],
    steps: [],
    checks: [],
    samples: { total: 0, failed: 0, byProbe: {} },
    probeLateness: {},
    warnings: [],
    artifacts: [],
  };
}

const target = (name: Target['name'], budget: number): Target => ({ name, budget, source: name });
const MET = resultOf([target('rto', 15_000), target('availability', 0.4)]);
const BREACHED = resultOf([target('rto', 2_000), target('availability', 0.4)]);

function failureOf(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    expect(error).to.be.instanceOf(AssertionError);
    return (error as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('chai-firedrill', () => {
  describe('meetAllTargets', () => {
    it('passes when every target passed', () => {
      expect(MET).to.meetAllTargets();
      expect(BREACHED).not.to.meetAllTargets();
    });

    it('fails on a breached target, showing the whole breakdown', () => {
      const message = failureOf(() => expect(BREACHED).to.meetAllTargets());
      expect(message).to.include('expected drill lab-demo-20260101T000000Z-abcdef (scenario lab-demo) to meet all its targets, but 1 of 2 target(s) did not pass: rto fail');
      expect(message).to.match(/detection\s+1\.00s \(900ms\.\.1\.06s, ±80ms\)/);
      expect(message).to.match(/decision\s+1\.20s \(1\.15s\.\.1\.25s, ±50ms\)/);
      expect(message).to.match(/failover\s+800ms \(600ms\.\.810ms, ±105ms\)/);
      expect(message).to.match(/RTO\s+2\.40s \(2\.30s\.\.2\.50s, ±100ms\)\s+<= 2\.00s\s+FAIL/);
      expect(message).to.include('breached: rto 2.50s > 2.00s');
    });

    it('fails on an aborted drill even when the targets it measured passed, and says why', () => {
      const aborted = resultOf([target('rto', 15_000)], { reason: 'stop condition: signal guard is ALARM', guardrail: 'stopWhen:guard', at: 1_500 });
      const message = failureOf(() => expect(aborted).to.meetAllTargets());
      expect(message).to.include('but it was aborted (stopWhen:guard): stop condition: signal guard is ALARM');
      expect(message).to.include('aborted: stop condition: signal guard is ALARM');
      expect(message).to.include('drill lab-demo-20260101T000000Z-abcdef — ABORTED');
    });

    it('refuses something that is not a drill result', () => {
      expect(failureOf(() => expect({ outcome: 'passed' }).to.meetAllTargets())).to.include('expected a drill result (format firedrill/result@1), got {"outcome":"passed"}');
    });
  });

  describe('haveMeasurement(...).within(...)', () => {
    it('passes when the pessimistic bound meets the budget', () => {
      expect(MET).to.haveMeasurement('rto').within('2.5s');
      expect(MET).to.haveMeasurement('detection').within(1_060);
      expect(MET).to.haveMeasurement('availability').within('50%');
      expect(MET).to.haveMeasurement('rto').not.within('2s');
    });

    it('judges by the point value when asked', () => {
      expect(MET).to.haveMeasurement('rto').within('2.4s', 'value');
      expect(failureOf(() => expect(MET).to.haveMeasurement('rto').within('2.4s'))).to.include('judged by the upper bound');
    });

    it('fails with the measurement, its bounds and the breakdown', () => {
      const message = failureOf(() => expect(MET).to.haveMeasurement('rto').within('2s'));
      expect(message).to.include('expected rto of drill lab-demo-20260101T000000Z-abcdef (scenario lab-demo) <= 2.00s judged by the upper bound, but it measured 2.40s (2.30s..2.50s, ±100ms)');
      expect(message).to.match(/detection\s+1\.00s \(900ms\.\.1\.06s, ±80ms\)/);
      expect(message).to.match(/failover\s+800ms/);
    });

    it('judges availability as a floor on its lower bound', () => {
      const message = failureOf(() => expect(MET).to.haveMeasurement('availability').within('99.5%'));
      expect(message).to.include('expected availability of drill lab-demo-20260101T000000Z-abcdef (scenario lab-demo) >= 99.5% judged by the lower bound, but it measured 50.0%');
    });

    it('fails when the drill did not measure it', () => {
      expect(failureOf(() => expect(MET).to.haveMeasurement('rpo'))).to.include('to have measured rpo, but it was not measured');
    });

    it('refuses a budget that is not one', () => {
      expect(() => expect(MET).to.haveMeasurement('rto').within('soon')).to.throw(TypeError, 'within: expected a duration like');
    });

    it("leaves chai's own within for numbers alone", () => {
      expect(5).to.be.within(1, 10);
      expect(failureOf(() => expect(11).to.be.within(1, 10))).to.equal('expected 11 to be within 1..10');
    });
  });
});
