import { UNKNOWN_STATE, type RecordedTimeline } from '../../core/timeline.js';
import { steadyStateProblems } from '../checks.js';
import type { DrillContext } from '../drill-context.js';
import type { Task } from '../task-runner.js';

/** After the revert: the steady state holds again, every signal answered, and no traffic failed back. */
export const verify: Task<DrillContext> = {
  title: 'verify',
  setup: (ctx) => ctx.phase('verify', async () => {
    const { spec, scenario, timeline } = ctx;
    const from = ctx.clock.now();
    await ctx.waitUntil(spec.verify.window);
    const problems = steadyStateProblems(timeline, scenario, from, 1);
    ctx.checks.push({ name: 'steady state after', ok: problems.length === 0, detail: problems.join('; ') || 'every probe healthy' });
    const silent = scenario.entries.signals.filter((s) => !timeline.of('signal').some((e) => e.signal === s.name && e.state !== UNKNOWN_STATE));
    if (silent.length) ctx.checks.push({ name: 'signals answered', ok: false, detail: `never answered during the drill (evidence missing): ${silent.map((s) => s.name).join(', ')}` });
    if (spec.verify.noFailback) {
      const { probe, region } = spec.verify.noFailback;
      const flapped = servedElsewhere(timeline, probe, region, from);
      ctx.checks.push({ name: 'no failback', ok: flapped.count === 0, detail: flapped.count ? `${flapped.count} sample(s) of ${probe} were served by ${[...flapped.regions].join(', ')} after the revert, expected only ${region}` : `all traffic stayed on ${region}` });
    }
  }),
};

/** Good samples of `probe` since `from` served by any Region but `region`. */
function servedElsewhere(timeline: RecordedTimeline, probe: string, region: string, from: number): { count: number; regions: Set<string | undefined> } {
  const own = timeline.samples.of(probe);
  const regions = new Set<string | undefined>();
  let count = 0;
  if (own) {
    for (let i = own.indexAtOrAfter(from); i < own.length; i++) {
      if (own.okAt(i) && own.regionAt(i) !== region) {
        count++;
        regions.add(own.regionAt(i));
      }
    }
  }
  return { count, regions };
}
