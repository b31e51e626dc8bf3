import type { Milestones } from '../../core/milestones.js';
import type { DrillContext } from '../drill-context.js';
import type { Task } from '../task-runner.js';
import { applyChange } from './inject.js';

/** Watches until service is back (or the timeout), running each recovery step when its milestone is reached. */
export const observe: Task<DrillContext> = {
  title: 'observe',
  setup: (ctx) => ctx.phase('observe', async () => {
    const { spec } = ctx;
    const pending = [...ctx.scenario.entries.steps];
    const due = () => {
      const m = ctx.milestones();
      return pending.filter((s) => m[s.common.when as keyof Milestones] !== null);
    };
    const recovered = () => ctx.milestones().recovered !== null;
    const deadline = ctx.clock.now() + spec.observe.timeout;
    while (ctx.clock.now() < deadline) {
      await ctx.waitUntil(deadline - ctx.clock.now(), () => recovered() || due().length > 0);
      for (const step of due()) {
        pending.splice(pending.indexOf(step), 1);
        await applyChange(ctx, step, 'step');
      }
      if (recovered()) break;
    }
    if (recovered()) await ctx.waitUntil(spec.observe.settle);
    for (const canary of ctx.running.canaries) {
      await canary.stop();
      ctx.record(await canary.readRecovered());
    }
    ctx.observeEnd = ctx.clock.now();
  }),
};
