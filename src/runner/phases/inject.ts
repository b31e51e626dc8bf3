import type { AdapterEntry } from '../../scenario/load.js';
import type { DrillContext } from '../drill-context.js';
import type { Task } from '../task-runner.js';

/** Injects the faults in order. Its teardown is the revert, so nothing after inject can skip it. */
export const inject: Task<DrillContext> = {
  title: 'inject',
  setup: (ctx) => ctx.phase('inject', async () => {
    for (const entry of ctx.scenario.entries.faults) await applyChange(ctx, entry, 'fault');
  }),
  teardown: (ctx) => ctx.revertChanges(),
  teardownTimeoutMs: Number.POSITIVE_INFINITY,
};

/** A fault or a recovery step, after the plugins' gates let it through. */
export async function applyChange(ctx: DrillContext, entry: AdapterEntry<unknown>, section: 'fault' | 'step'): Promise<void> {
  const kind = section === 'fault' ? ctx.kinds.faults[entry.kind]! : ctx.kinds.steps[entry.kind]!;
  await ctx.plugins.beforeChange(ctx.info, { name: entry.name, kind: entry.kind, section }, ctx.signal);
  await ctx.ledger.apply(entry, kind, section, ctx.drillId, ctx.signal);
}
