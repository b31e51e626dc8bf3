import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FiredrillError } from '../runtime/errors.js';
import { FIREDRILL_VERSION } from '../runtime/version.js';
import { assembleResult } from './assemble-result.js';
import { REVERT_TIMEOUT_MS } from './change-ledger.js';
import { DrillContext, type RunOptions } from './drill-context.js';
import { DrillAbort } from './guardrails.js';
import { guard } from './phases/guard.js';
import { inject } from './phases/inject.js';
import { observe } from './phases/observe.js';
import { preflight } from './phases/preflight.js';
import { revert } from './phases/revert.js';
import { steadyState } from './phases/steady-state.js';
import { verify } from './phases/verify.js';
import { watch } from './phases/watch.js';
import { artifactOf, writeArtifact, type DrillResult } from './result.js';
import { sampleEvidenceArtifacts } from './sample-evidence.js';
import { runTasks, type Task, type TaskRun } from './task-runner.js';
import { TIMELINE_FILE } from './timeline-file.js';

export type { RunOptions } from './drill-context.js';

/** A drill, in order. Every task's teardown is registered before its setup runs. */
function drillTasks(): Task<DrillContext>[] {
  return [guard(), preflight, watch, steadyState, inject, observe, revert, verify];
}

export async function runDrill(options: RunOptions): Promise<DrillResult> {
  const ctx = new DrillContext(options);
  let aborted: DrillResult['aborted'] = null;
  const run = await runTasks(drillTasks(), ctx, {
    signal: ctx.signal,
    teardownTimeoutMs: REVERT_TIMEOUT_MS,
    onStop(stopped) {
      if (refusalOf(stopped)) return;
      aborted = abortRecordOf(stopped, ctx);
      ctx.log(`aborting: ${aborted.reason}`);
      ctx.observeEnd ??= ctx.clock.now();
    },
  });
  const refusal = refusalOf(run);
  if (refusal) {
    ctx.timelineFile.close();
    throw refusal;
  }
  for (const { title, error } of run.teardownErrors) ctx.log(`${title}: teardown failed: ${(error as Error).message}`);
  return finishDrill(ctx, aborted);
}

/** A drill refused before it changed anything (bad output folder, locked, dirty journal) is an input error, not a result. */
function refusalOf(run: TaskRun): FiredrillError | undefined {
  return run.status === 'failed' && run.stoppedAt === 'preflight' && run.error instanceof FiredrillError ? run.error : undefined;
}

function abortRecordOf(run: TaskRun, ctx: DrillContext): NonNullable<DrillResult['aborted']> {
  const at = ctx.clock.now();
  const reason = run.error instanceof DrillAbort ? run.error : ctx.signal.aborted ? (ctx.signal.reason as DrillAbort) : undefined;
  if (reason) return { reason: reason.reason, ...(reason.guardrail ? { guardrail: reason.guardrail } : {}), at };
  return { reason: `harness error: ${(run.error as Error)?.stack ?? String(run.error)}`, guardrail: 'crash', at };
}

/** The result, its artifacts (the plugins' too), `result.json`, then the plugins' end. */
async function finishDrill(ctx: DrillContext, aborted: DrillResult['aborted']): Promise<DrillResult> {
  const { outDir } = ctx;
  const result = assembleResult({
    drillId: ctx.drillId,
    scenario: ctx.scenario,
    environment: ctx.environment.name,
    caller: ctx.caller,
    clock: ctx.clock,
    endedAt: ctx.clock.now(),
    aborted,
    phases: ctx.phases,
    timeline: ctx.timeline,
    milestones: ctx.milestones(),
    milestoneRules: ctx.milestoneRules,
    probeIntervalsMs: ctx.probeIntervalsMs,
    observeEnd: ctx.observeEnd ?? ctx.clock.now(),
    checks: ctx.checks,
    faults: ctx.ledger.records('fault'),
    steps: ctx.ledger.records('step'),
    artifacts: [...ctx.evidence, ...sampleEvidenceArtifacts(outDir, ctx.sampleEvidence)],
    provenance: { firedrill: FIREDRILL_VERSION, awsChanges: ctx.awsChanges },
  });
  await ctx.journal.compact();
  ctx.timelineFile.close();
  mkdirSync(outDir, { recursive: true });
  if (ctx.timelineFile.file) result.artifacts.push(artifactOf(outDir, TIMELINE_FILE));
  await ctx.plugins.artifacts({
    drill: ctx.info,
    result,
    timelineFile: join(outDir, TIMELINE_FILE),
    timeline: ctx.timeline,
    addArtifact(relativePath, content) {
      mkdirSync(dirname(join(outDir, relativePath)), { recursive: true });
      const artifact = writeArtifact(outDir, relativePath, content);
      result.artifacts.push(artifact);
      return artifact;
    },
  });
  const resultFile = join(outDir, 'result.json');
  writeFileSync(resultFile, JSON.stringify(result, null, 2) + '\n');
  await ctx.plugins.end({ drill: ctx.info, result, resultFile, log: ctx.log });
  return result;
}
