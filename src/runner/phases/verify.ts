import { UNKNOWN_STATE } from '../../core/timeline.js';
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
    const problems = steadyStateProblems(timeline.events, scenario, from, 1);
    ctx.checks.push({ name: 'steady state after', ok: problems.length === 0, detail: problems.join('; ') || 'every probe healthy' });
    const silent = scenario.entries.signals.filter((s) => !timeline.of('signal').some((e) => e.signal === s.name && e.state !== UNKNOWN_STATE));
    if (silent.length) ctx.checks.push({ name: 'signals answered', ok: false, detail: `never answered during the drill (evidence missing): ${silent.map((s) => s.name).join(', ')}` });
    if (spec.verify.noFailback) {
      const { probe, region } = spec.verify.noFailback;
      const flapped = timeline.of('sample').filter((s) => s.probe === probe && s.t >= from && s.ok && s.region !== region);
      ctx.checks.push({ name: 'no failback', ok: flapped.length === 0, detail: flapped.length ? `${flapped.length} sample(s) of ${probe} were served by ${[...new Set(flapped.map((s) => s.region))].join(', ')} after the revert, expected only ${region}` : `all traffic stayed on ${region}` });
    }
  }),
};
