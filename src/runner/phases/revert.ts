import type { DrillContext } from '../drill-context.js';
import { DrillAbort } from '../guardrails.js';
import type { Task } from '../task-runner.js';

/** Reverts in reverse order and verifies each revert; an unverified revert stops the drill. */
export const revert: Task<DrillContext> = {
  title: 'revert',
  async setup(ctx) {
    await ctx.phase('revert', () => ctx.revertChanges());
    if (!ctx.ledger.allVerified()) throw new DrillAbort('a revert could not be verified: see faults[].error', 'revert-failed');
  },
};
