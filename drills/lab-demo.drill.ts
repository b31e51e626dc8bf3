import { expect, use } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement } from '../src/core/measurement.js';
import type { SampleEvent, SignalEvent, TimelineEvent } from '../src/core/timeline.js';
import { firedrillChai, reportToAllure, runScenario, timelineMsOf, type DrillResult } from '../src/index.js';
import { startLab, type Lab } from '../lab/lab.js';
import type { TruthEvent } from '../lab/ground-truth.js';
import scenario from './lab-demo.scenario.js';

use(firedrillChai);

const PROJECT_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Slack for rounding: the runner's clock keeps microseconds, the lab's truth whole milliseconds. */
const SLACK_MS = 1;

/**
 * The lab demo as a TypeScript drill: a Region outage on the lab, judged against its targets, and
 * — because the lab records what it really did — a check that every measured instant and duration
 * holds the lab's ground truth within the uncertainty it states.
 */
describe('lab demo drill: primary Region outage, alarm-driven DNS failover', function () {
  this.timeout(180_000);
  let dir: string;
  let lab: Lab | undefined;
  let result: DrillResult;
  let timeline: TimelineEvent[];
  /** A ground-truth event on the drill's timeline (ms since its clock anchor). */
  let truthT: (event: TruthEvent) => number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firedrill-lab-demo-'));
    lab = await startLab({ dir: join(dir, 'lab'), projectDir: PROJECT_DIR });
    const outDir = join(dir, 'out');
    result = await runScenario(scenario, { environment: lab.environment, outDir, stateDir: join(dir, 'state'), source: 'drills/lab-demo.scenario.ts' });
    // Under the allure-mocha reporter the drill's phases and milestones become this test's steps.
    await reportToAllure(result, { outDir });
    timeline = readFileSync(join(outDir, 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TimelineEvent);
    const anchor = { anchorWallMs: Date.parse(result.clockAnchor) };
    truthT = (event) => {
      const record = lab!.truth.first(event);
      expect(record, `the lab recorded no "${event}"`).to.not.equal(undefined);
      return timelineMsOf(anchor, record!.wallMs);
    };
  });

  after(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('meets all its targets', () => {
    expect(result).to.meetAllTargets();
    expect(result.outcome).to.equal('passed');
  });

  it('the customer\'s journey in Chromium fails against the dark primary and succeeds on the recovery Region after', () => {
    const shop = timeline.filter((e): e is SampleEvent => e.kind === 'sample' && e.probe === 'shop');
    const fault = result.milestones.fault!;
    const reverted = result.faults[0]!.revertedAt!.t;
    const toDarkPrimary = shop.filter((s) => s.t > fault.upper && s.t < reverted && s.detail?.address === lab!.vars.primaryAddress);
    expect(toDarkPrimary.length, 'journeys sent to the primary during the outage').to.be.greaterThan(0);
    expect(toDarkPrimary.every((s) => !s.ok && s.evidence?.some((f) => f.endsWith('.png')))).to.equal(true);
    const recovered = shop.filter((s) => s.t >= result.milestones.recovered!.upper);
    expect(recovered.length).to.be.greaterThan(0);
    expect(recovered.every((s) => s.ok && s.region === 'us-west-2'), 'journeys after T_recovered').to.equal(true);
  });

  describe('measurements lie within their stated uncertainty of the ground truth', () => {
    // The lab records no "fault-on" of its own: the blackhole proxy's switch time, which the fault
    // reports as injectedAt, is the truth of when the outage began.
    const faultT = () => result.faults[0]!.injectedAt!.t;

    it('T_fault is the proxy switch', () => {
      expect(result.milestones.fault).to.not.equal(null);
      expectHolds(result.milestones.fault!, faultT(), 'T_fault');
    });

    it('detection: the health alarm went to ALARM when the lab detected the outage', () => {
      expectHolds(result.milestones.detect!, truthT('detected'), 'T_detect');
      expectHolds(asInstant(result.measurements.detectionMs), truthT('detected') - faultT(), 'detection');
    });

    it('decision: the decision alarm went to ALARM when the lab decided to fail over', () => {
      expectHolds(result.milestones.decide!, truthT('decided'), 'T_decide');
      expectHolds(asInstant(result.measurements.decisionMs), truthT('decided') - truthT('detected'), 'decision');
    });

    it('the DNS switch: the PRIMARY record change seen by the route53-record signal', () => {
      const change = timeline.find((e): e is SignalEvent => e.kind === 'signal' && e.signal === 'primary-record' && e.previous !== undefined && e.at.upper >= faultT());
      expect(change, 'the primary-record signal saw no change after the fault').to.not.equal(undefined);
      expect(change!.state).to.equal(lab!.vars.recoveryAddress);
      expectHolds(change!.at, truthT('dns-switched'), 'the DNS switch');
    });

    it('failover and RTO: the recovered bounds contain the first request the recovery side served to users', () => {
      // The lab's truth: the first request for the app's name (what users ask for) that the
      // recovery side served after the decision.
      const firstServe = truthT('first-recovery-serve');
      expect(firstServe, 'T_recovered bounds').to.be.within(result.milestones.recovered!.lower - SLACK_MS, result.milestones.recovered!.upper + SLACK_MS);
      expect(result.measurements.failoverMs!.upper, 'failover upper bound').to.be.at.least(firstServe - truthT('decided') - SLACK_MS);
      expect(result.measurements.rtoMs!.upper, 'RTO upper bound').to.be.at.least(firstServe - faultT() - SLACK_MS);
      expect(result).to.haveMeasurement('rto').within('15s');
    });
  });
});

function asInstant(m: Measurement | null): { t: number; lower: number; upper: number } {
  expect(m, 'not measured').to.not.equal(null);
  return { t: m!.value, lower: m!.lower, upper: m!.upper };
}

function expectHolds(measured: { t: number; lower: number; upper: number }, truth: number, what: string): void {
  const text = `${what}: truth ${truth.toFixed(1)}ms, measured ${measured.t.toFixed(1)}ms in [${measured.lower.toFixed(1)}, ${measured.upper.toFixed(1)}]`;
  expect(measured.lower, text).to.be.at.most(truth + SLACK_MS);
  expect(measured.upper, text).to.be.at.least(truth - SLACK_MS);
}
