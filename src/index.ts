import { join, resolve } from 'node:path';
import { stateDirFrom } from './cli/context.js';
import type { TimelineEvent } from './core/timeline.js';
import { kindsFor } from './runner/builtin-kinds.js';
import { newDrillId, runDrill } from './runner/drill.js';
import { schemasOf } from './runner/kinds.js';
import type { DrillResult } from './runner/result.js';
import { assertAllowed } from './scenario/allow-list.js';
import type { Environment } from './scenario/environment.js';
import { loadScenario, loadScenarioObject } from './scenario/load.js';
import type { ScenarioInput } from './scenario/schema.js';

/**
 * The public API for TypeScript drills (`drills/*.drill.ts`, run by mocha):
 *
 *   import { expect, use } from 'chai';
 *   import { firedrillChai, runScenario } from '../src/index.js';
 *   use(firedrillChai);
 *   const result = await runScenario(scenario, { environment });
 *   expect(result).to.meetAllTargets();
 */
export { firedrillChai } from './assert/chai-firedrill.js';
export { timelineMsOf } from './core/clock.js';
export { defineScenario, type ScenarioInput } from './scenario/schema.js';
export type { DrillResult, Outcome } from './runner/result.js';
export type { Environment } from './scenario/environment.js';

export interface RunScenarioOptions {
  environment: Environment;
  /** The drill's output folder; default `out/<drill id>` under the working directory. */
  outDir?: string;
  /** Where the journal and locks live; default `.firedrill` (or `$FIREDRILL_STATE_DIR`). */
  stateDir?: string;
  /** How messages name a scenario given as an object (default `scenario "<name>"`); a file names itself. */
  source?: string;
  interrupt?: AbortSignal;
  onEvent?: (event: TimelineEvent) => void;
  log?: (line: string) => void;
}

/**
 * Runs a scenario, given as a `defineScenario({...})` object or as a file (YAML, JSON, TS), through
 * the same validation and allow-list checks as `firedrill run`, and resolves with its result. A
 * drill that fails its targets resolves too: judge it with `expect(result).to.meetAllTargets()`.
 */
export async function runScenario(scenario: ScenarioInput | string, options: RunScenarioOptions): Promise<DrillResult> {
  const { environment } = options;
  const kinds = kindsFor(environment);
  const loaded = typeof scenario === 'string'
    ? await loadScenario(scenario, environment, schemasOf(kinds))
    : loadScenarioObject(scenario, options.source ?? `scenario ${JSON.stringify(scenario.scenario)}`, environment, schemasOf(kinds));
  assertAllowed(loaded, environment);
  const drillId = newDrillId(loaded.spec.scenario);
  return runDrill({
    scenario: loaded,
    environment,
    kinds,
    drillId,
    outDir: resolve(options.outDir ?? join('out', drillId)),
    stateDir: options.stateDir ?? stateDirFrom(process.cwd()),
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
