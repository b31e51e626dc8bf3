import { expect } from 'chai';
import type { Instant } from '../../src/core/measurement.js';
import type { SampleEvent, TimelineEvent } from '../../src/core/timeline.js';
import type { DrillResult } from '../../src/runner/result.js';

/**
 * The bounds the lab's first serve to users must lie in: those of the recovery probe's first good
 * sample after the impact, found here from the events. That is T_recovered itself, unless service
 * came back and went again before it held (on a loaded runner a sample can time out just after
 * the first answer); then the result's `recoveryFlap` must name that sample.
 */
export function firstRecoveryBounds(result: DrillResult, events: readonly TimelineEvent[], probe: string, region: string): Instant {
  const own = events.filter((e): e is SampleEvent => e.kind === 'sample' && e.probe === probe).sort((a, b) => a.t - b.t);
  const from = (result.milestones.impact ?? result.milestones.fault)!.t;
  const i = own.findIndex((s) => s.t >= from && s.ok && s.region === region);
  expect(i, `a good ${probe} sample served by ${region} after the impact`).to.be.at.least(0);
  const first = own[i]!;
  const bounds = { t: first.t, lower: own[i - 1]?.t ?? first.t, upper: first.t + first.latencyMs };
  const reported = result.recoveryFlap?.firstAnswer ?? result.milestones.recovered;
  const what = result.recoveryFlap ? 'the first answer of a recovery that flapped' : 'T_recovered (no flap reported)';
  expect(reported, what).to.not.equal(null);
  expect(reported!.t, what).to.equal(bounds.t);
  expect(reported!.lower, what).to.equal(bounds.lower);
  expect(reported!.upper, what).to.be.closeTo(bounds.upper, 0.01); // latency is kept to four bytes
  return bounds;
}
