import { expect } from 'chai';
import { exactMeasurement, type Measurement } from '../../src/core/measurement.js';
import type { Measurements } from '../../src/core/measurements.js';
import { formatBudget, formatMeasurement, TARGETS, type TargetName } from '../../src/core/targets.js';
import { allPassed, judge, type Bound, type Target, type VerdictStatus } from '../../src/core/verdicts.js';

const NONE: Measurements = { detectionMs: null, decisionMs: null, failoverMs: null, rtoMs: null, rpoMs: null, lostWrites: null, availability: null };
const target = (name: TargetName, budget: number): Target => ({ name, budget, source: `${name} ${budget}` });

describe('judge', () => {
  const rto: Measurement = { value: 10_000, lower: 9_000, upper: 12_000 };
  const availability: Measurement = { value: 0.95, lower: 0.9, upper: 1 };
  const cases: { title: string; target: Target; measurements: Measurements; bound: Bound; judged: number; status: VerdictStatus }[] = [
    { title: 'a ceiling judged pessimistically uses the upper bound', target: target('rto', 11_000), measurements: { ...NONE, rtoMs: rto }, bound: 'pessimistic', judged: 12_000, status: 'fail' },
    { title: 'a ceiling judged by value uses the point value', target: target('rto', 11_000), measurements: { ...NONE, rtoMs: rto }, bound: 'value', judged: 10_000, status: 'pass' },
    { title: 'a ceiling is met at exactly the budget', target: target('rto', 12_000), measurements: { ...NONE, rtoMs: rto }, bound: 'pessimistic', judged: 12_000, status: 'pass' },
    { title: 'a floor (availability) judged pessimistically uses the lower bound', target: target('availability', 0.92), measurements: { ...NONE, availability }, bound: 'pessimistic', judged: 0.9, status: 'fail' },
    { title: 'a floor judged by value uses the point value', target: target('availability', 0.92), measurements: { ...NONE, availability }, bound: 'value', judged: 0.95, status: 'pass' },
    { title: 'a floor is met at exactly the budget', target: target('availability', 0.9), measurements: { ...NONE, availability }, bound: 'pessimistic', judged: 0.9, status: 'pass' },
    { title: 'lost writes are a ceiling', target: target('lostWrites', 0), measurements: { ...NONE, lostWrites: exactMeasurement(3) }, bound: 'pessimistic', judged: 3, status: 'fail' },
    { title: 'each target reads its own measurement', target: target('detection', 500), measurements: { ...NONE, rtoMs: rto, detectionMs: { value: 400, lower: 300, upper: 480 } }, bound: 'pessimistic', judged: 480, status: 'pass' },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const [verdict] = judge([c.target], c.measurements, c.bound);
      expect(verdict).to.deep.include({ target: c.target.name, budget: c.target.budget, source: c.target.source, judged: c.judged, status: c.status });
      expect(verdict!.measured).to.deep.equal(c.measurements[TARGETS[c.target.name].measurement]);
    });
  }

  it('judges pessimistically by default', () => {
    expect(judge([target('rto', 11_000)], { ...NONE, rtoMs: rto })[0]!.status).to.equal('fail');
  });

  it('calls a target with no measurement inconclusive, which fails allPassed', () => {
    const verdicts = judge([target('rto', 60_000), target('rpo', 1_000)], { ...NONE, rtoMs: rto });
    expect(verdicts.map((v) => v.status)).to.deep.equal(['pass', 'inconclusive']);
    expect(verdicts[1]).to.deep.include({ measured: null, judged: null });
    expect(allPassed(verdicts)).to.equal(false);
    expect(allPassed(verdicts.slice(0, 1))).to.equal(true);
  });

  it('fails allPassed on one failed target among passes', () => {
    const verdicts = judge([target('rto', 60_000), target('availability', 0.99)], { ...NONE, rtoMs: rto, availability });
    expect(allPassed(verdicts)).to.equal(false);
  });
});

describe('formatMeasurement and formatBudget', () => {
  it('shows a duration with its bounds and uncertainty', () => {
    expect(formatMeasurement('rto', { value: 12_300, lower: 12_000, upper: 12_500 })).to.equal('12.3s (12.0s..12.5s, ±250ms)');
  });
  it('shows availability as a percentage and lost writes as a count', () => {
    expect(formatMeasurement('availability', exactMeasurement(0.975))).to.equal('97.5%');
    expect(formatMeasurement('lostWrites', exactMeasurement(1))).to.equal('1 write');
    expect(formatMeasurement('lostWrites', exactMeasurement(3))).to.equal('3 writes');
  });
  it('shows budgets as ceilings or floors', () => {
    expect(formatBudget('rto', 300_000)).to.equal('<= 5m00s');
    expect(formatBudget('availability', 0.995)).to.equal('>= 99.5%');
    expect(formatBudget('lostWrites', 0)).to.equal('<= 0');
  });
});
