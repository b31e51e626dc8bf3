import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCallerIdentity } from '../../aws/identity.js';
import { FiredrillError } from '../../runtime/errors.js';
import { regionsUsedBy } from '../../scenario/allow-list.js';
import type { DrillContext } from '../drill-context.js';
import { locksFor } from '../lock.js';
import type { Task } from '../task-runner.js';

/** Nothing is injected until the evidence can be kept, the environment is ours, and the plan is allowed. */
export const preflight: Task<DrillContext> = {
  title: 'preflight',
  setup: (ctx) => ctx.phase('preflight', async () => {
    openOutputFolder(ctx);
    // The lock first: a drill that is running holds its faults in the journal, and must not be
    // mistaken for a crashed one.
    ctx.lock = await locksFor(ctx.environment, ctx.stateDir, ctx.awsChanges).acquire({ environment: ctx.environment.name, drillId: ctx.drillId, ttlMs: ctx.spec.guardrails.maxDuration + 60_000 });
    // Who the credentials belong to, before any change: an account off the allow-list is refused.
    ctx.caller = await checkCallerIdentity(ctx.environment, regionsUsedBy(ctx.scenario, ctx.environment));
    refuseLeftovers(ctx);
    refuseOutsideBlastRadius(ctx);
  }),
  async teardown(ctx) {
    const lock = ctx.lock;
    ctx.lock = undefined;
    await lock?.release().catch((error: Error) => ctx.log(`could not release the lock on environment "${ctx.environment.name}" (it expires by itself): ${error.message}`));
  },
};

function openOutputFolder(ctx: DrillContext): void {
  const probeFile = join(ctx.outDir, '.writable');
  try {
    mkdirSync(ctx.outDir, { recursive: true });
    writeFileSync(probeFile, ctx.drillId);
    unlinkSync(probeFile);
    ctx.timelineFile.open(ctx.outDir);
  } catch (error) {
    throw new FiredrillError('FIREDRILL_PREFLIGHT', `the output folder ${ctx.outDir} is not writable (${(error as NodeJS.ErrnoException).code}): refusing to inject a fault whose evidence cannot be kept`);
  }
}

function refuseLeftovers(ctx: DrillContext): void {
  const leftovers = ctx.journal.unreverted();
  if (leftovers.length === 0) return;
  throw new FiredrillError('FIREDRILL_JOURNAL_DIRTY', `environment "${ctx.environment.name}" still has faults injected by an earlier drill that were never reverted: run "firedrill cleanup --env ${ctx.environment.name}" first`, leftovers.map((e) => `${e.kind} ${e.name} (drill ${e.drillId}, ${e.status})`));
}

function refuseOutsideBlastRadius(ctx: DrillContext): void {
  const allowed = ctx.spec.guardrails.blastRadius;
  if (!allowed) return;
  const outside = [...ctx.scenario.entries.faults, ...ctx.scenario.entries.steps].filter((e) => !allowed.includes(e.name) && !allowed.includes(e.kind));
  if (outside.length) throw new FiredrillError('FIREDRILL_NOT_ALLOWED', `outside the declared blast radius (${allowed.join(', ')}):`, outside.map((e) => `${e.kind} ${e.name}`));
}
