import { expect } from 'chai';
import type { Instant } from '../../src/core/measurement.js';
import type { SampleEvent, TimelineEvent } from '../../src/core/timeline.js';
import type { DrillResult } from '../../src/runner/result.js';

/**
 * The bounds the lab's first serve to users must lie in: those of the recovery probe's first good
 * sample after the impact. That is T_recovered itself, unless service came back and went again
 * before it held (on a loaded runner a sample can time out just after the first answer), and then
 * the result must say that recovery flapped.
 */
export function firstRecoveryBounds(result: DrillResult, events: readonly TimelineEvent[], probe: string, region: string): Instant {
  const own = events.filter((e): e is SampleEvent => e.kind === 'sample' && e.probe === probe).sort((a, b) => a.t - b.t);
  const from = (result.milestones.impact ?? result.milestones.fault)!.t;
  const i = own.findIndex((s) => s.t >= from && s.ok && s.region === region);
  expect(i, `a good ${probe} sample served by ${region} after the impact`).to.be.at.least(0);
  const first = own[i]!;
  const bounds = { t: first.t, lower: own[i - 1]?.t ?? first.t, upper: first.t + first.latencyMs };
  const flapped = (result.warnings ?? []).some((w) => w.startsWith('T_recovered: recovery flapped'));
  if (first.t === result.milestones.recovered?.t) expect(flapped, (result.warnings ?? []).join('\n')).to.equal(false);
  else expect(flapped, `a good sample at ${first.t} before T_recovered at ${result.milestones.recovered?.t}, and the warnings: ${(result.warnings ?? []).join('\n')}`).to.equal(true);
  return bounds;
}
