import { signalStateProblems, steadyStateProblems } from '../checks.js';
import type { DrillContext } from '../drill-context.js';
import { DrillAbort } from '../guardrails.js';
import type { Task } from '../task-runner.js';

/** A system that is already broken gets no fault: the steady-state hypothesis must hold first. */
export const steadyState: Task<DrillContext> = {
  title: 'steady-state',
  setup: (ctx) => ctx.phase('steady-state', async () => {
    const { spec, scenario } = ctx;
    const from = ctx.clock.now();
    for (const canary of ctx.running.canaries) canary.start({ clock: ctx.clock, emit: (e) => ctx.record(e) });
    await ctx.waitUntil(spec.steadyState.window);
    const problems = [...steadyStateProblems(ctx.timeline, scenario, from, spec.steadyState.minSuccess), ...signalStateProblems(ctx.timeline.events, spec.steadyState.signals)];
    ctx.checks.push({ name: 'steady-state before', ok: problems.length === 0, detail: problems.join('; ') || 'every probe healthy' });
    if (problems.length) throw new DrillAbort(`steady state not met before injecting, so no fault was injected: ${problems.join('; ')}`, 'steady-state');
  }),
};
