import { formatBudget, formatMeasurement, parseBudget, TARGET_NAMES, TARGETS, UNIT_HINT, type TargetName } from '../core/targets.js';
import { allPassed, judge, type Bound } from '../core/verdicts.js';
import { renderSummary } from '../report/summary.js';
import { RESULT_FORMAT, type DrillResult } from '../runner/result.js';

/**
 * Chai assertions on a drill's result, for TypeScript drills:
 *
 *   chai.use(firedrillChai);
 *   expect(result).to.meetAllTargets();
 *   expect(result).to.haveMeasurement('rto').within('30s');
 *   expect(result).to.haveMeasurement('availability').within('99%', 'value');
 *
 * `within` judges like the drill's own verdicts: a ceiling for times and lost writes, a floor for
 * availability, on the pessimistic bound unless told `'value'`. A failure shows the drill's whole
 * summary (detection, decision, failover, RTO with their bounds, why it aborted), not one number.
 */
declare global {
  namespace Chai {
    interface Assertion {
      /** The drill ran to the end (no guardrail, no interrupt) and every target passed. */
      meetAllTargets(): Assertion;
      /** The drill measured this; chain `.within(budget)` to judge it. */
      haveMeasurement(name: TargetName): Assertion;
    }
    interface NumericComparison {
      /** After `haveMeasurement(name)`: the measurement meets `budget` ("30s", "99.5%", a number of ms, a ratio or a count). */
      within(budget: string | number, bound?: Bound): Assertion;
    }
  }
}

const MEASUREMENT_FLAG = 'firedrill.measurement';

export const firedrillChai: Chai.ChaiPlugin = (chai, utils) => {
  const { Assertion } = chai;

  Assertion.addMethod('meetAllTargets', function () {
    const result = drillResultOf(this._obj, chai);
    const breached = result.verdicts.filter((v) => v.status !== 'pass');
    const why = result.aborted
      ? `it was aborted (${result.aborted.guardrail ?? 'no guardrail'}): ${result.aborted.reason.split('\n')[0]}`
      : `${breached.length} of ${result.verdicts.length} target(s) did not pass: ${breached.map((v) => `${v.target} ${v.status}`).join(', ')}`;
    this.assert(
      !result.aborted && allPassed(result.verdicts),
      `expected ${describe(result)} to meet all its targets, but ${why}\n${renderSummary(result)}`,
      `expected ${describe(result)} not to meet all its targets, but it did\n${renderSummary(result)}`,
    );
  });

  Assertion.addMethod('haveMeasurement', function (name: TargetName) {
    const result = drillResultOf(this._obj, chai);
    if (!TARGET_NAMES.includes(name)) throw new TypeError(`haveMeasurement: expected one of ${TARGET_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
    const measured = result.measurements[TARGETS[name].measurement];
    this.assert(
      measured !== null,
      `expected ${describe(result)} to have measured ${name}, but it was not measured\n${renderSummary(result)}`,
      `expected ${describe(result)} not to have measured ${name}, but it measured ${measured ? formatMeasurement(name, measured) : ''}`,
    );
    utils.flag(this, MEASUREMENT_FLAG, name);
  });

  Assertion.overwriteMethod('within', (base: (...args: unknown[]) => unknown) => function (this: Chai.AssertionStatic, ...args: unknown[]) {
    const name = utils.flag(this, MEASUREMENT_FLAG) as TargetName | undefined;
    if (name === undefined) return base.apply(this, args);
    const [written, bound = 'pessimistic'] = args as [string | number, Bound | undefined];
    const result = drillResultOf(this._obj, chai);
    const budget = budgetOf(name, written);
    const [verdict] = judge([{ name, budget, source: String(written) }], result.measurements, bound);
    const measured = verdict!.measured ? formatMeasurement(name, verdict!.measured) : 'nothing (not measured)';
    const judgedBy = bound === 'value' ? 'the point value' : TARGETS[name].direction === 'floor' ? 'the lower bound' : 'the upper bound';
    this.assert(
      verdict!.status === 'pass',
      `expected ${name} of ${describe(result)} ${formatBudget(name, budget)} judged by ${judgedBy}, but it measured ${measured}\n${renderSummary(result)}`,
      `expected ${name} of ${describe(result)} not ${formatBudget(name, budget)} judged by ${judgedBy}, but it measured ${measured}`,
    );
  });
};

function describe(result: DrillResult): string {
  return `drill ${result.drillId} (scenario ${result.scenario.name})`;
}

function drillResultOf(value: unknown, chai: Chai.ChaiStatic): DrillResult {
  if (value && typeof value === 'object' && (value as { format?: unknown }).format === RESULT_FORMAT) return value as DrillResult;
  throw new chai.AssertionError(`expected a drill result (format ${RESULT_FORMAT}), got ${typeof value === 'object' ? JSON.stringify(value)?.slice(0, 200) : String(value)}`);
}

/** A budget as a scenario would write it, or already a number (ms, a ratio, a count). */
function budgetOf(name: TargetName, written: string | number): number {
  const budget = parseBudget(name, written);
  if (budget === undefined) throw new TypeError(`within: expected ${UNIT_HINT[TARGETS[name].unit]} for ${name}, got ${JSON.stringify(written)}`);
  return budget;
}
