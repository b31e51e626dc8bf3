import { join, resolve } from 'node:path';
import type { TimelineEvent } from './core/timeline.js';
import { defaultPlugins } from './report/default-plugins.js';
import { kindsFor } from './runner/builtin-kinds.js';
import { runDrill } from './runner/drill.js';
import { schemasOf, type Kinds } from './runner/kinds.js';
import type { DrillPlugin } from './runner/plugin.js';
import type { GameDayControls } from './gameday/game-day.js';
import { isCiEnvironment, openGameDay, type GameDaySettings } from './gameday/session.js';
import type { DrillResult } from './runner/result.js';
import { newDrillId } from './runner/scenario-rules.js';
import { stateDirFrom } from './runtime/state-dir.js';
import { assertAllowed } from './scenario/allow-list.js';
import type { Environment } from './scenario/environment.js';
import { loadScenario, loadScenarioObject } from './scenario/load.js';
import type { ScenarioInput } from './scenario/schema.js';

/**
 * The public API for TypeScript drills (`drills/*.drill.ts`, run by mocha):
 *
 *   import { expect, use } from 'chai';
 *   import { firedrillChai, loadEnvironment, runScenario } from 'firedrill';
 *   use(firedrillChai);
 *   const result = await runScenario(scenario, { environment: loadEnvironment('staging') });
 *   expect(result).to.meetAllTargets();
 */
export { firedrillChai } from './assert/chai-firedrill.js';
export { reportToAllure } from './report/allure-mocha.js';
export { timelineMsOf } from './core/clock.js';
export { defineScenario, type ScenarioInput } from './scenario/schema.js';
export type { DrillResult, Outcome } from './runner/result.js';
export type { DrillPlugin } from './runner/plugin.js';
export type { Kinds, AdapterKind } from './runner/kinds.js';
export { DrillAbort } from './runner/guardrails.js';
export { loadEnvironment, type Environment } from './scenario/environment.js';
export type { GameDayControls, Person } from './gameday/game-day.js';

export interface RunScenarioOptions {
  environment: Environment;
  /** The drill's output folder; default `out/<drill id>` under the working directory. */
  outDir?: string;
  /** Where the journal and locks live; default `.firedrill` (or `$FIREDRILL_STATE_DIR`). */
  stateDir?: string;
  /** How messages name a scenario given as an object (default `scenario "<name>"`); a file names itself. */
  source?: string;
  interrupt?: AbortSignal;
  /** Run after the default plugins (the history entry, CloudWatch metrics where the environment asks). */
  plugins?: readonly DrillPlugin[];
  /** Kinds of your own, by section, beside the built-in ones (a name given here replaces a built-in one). */
  kinds?: Partial<Kinds>;
  onEvent?: (event: TimelineEvent) => void;
  log?: (line: string) => void;
  /**
   * People and manual gates, as `firedrill run` takes them: `ci` (default: `CI=true` / `CI=1` in the
   * environment) decides `ci: approve` gates at once and refuses any other; `live: true` serves the
   * live page (and so `firedrill approve` / `note`; default off); `people`; `reviewTimeoutMs` holds
   * the result open for lessons and sign-offs. `onOpen` hands over the controls, to approve or
   * note from code.
   */
  gameDay?: Partial<GameDaySettings> & { onOpen?(session: { controls: GameDayControls; pageUrl?: string }): void };
}

/**
 * Runs a scenario, given as a `defineScenario({...})` object or as a file (YAML, JSON, TS), through
 * the same validation and allow-list checks as `firedrill run`, and resolves with its result. A
 * drill that fails its targets resolves too: judge it with `expect(result).to.meetAllTargets()`.
 */
export async function runScenario(scenario: ScenarioInput | string, options: RunScenarioOptions): Promise<DrillResult> {
  const { environment } = options;
  const kinds = withExtraKinds(kindsFor(environment), options.kinds);
  const loaded = typeof scenario === 'string'
    ? await loadScenario(scenario, environment, schemasOf(kinds))
    : loadScenarioObject(scenario, options.source ?? `scenario ${JSON.stringify(scenario.scenario)}`, environment, schemasOf(kinds));
  assertAllowed(loaded, environment);
  const drillId = newDrillId(loaded.spec.scenario);
  const stateDir = options.stateDir ?? stateDirFrom(process.cwd());
  const { onOpen, ...settings } = options.gameDay ?? {};
  const gameDay = await openGameDay({
    scenario: loaded, environment: environment.name, stateDir, drillId, log: options.log ?? (() => {}),
    settings: { ci: isCiEnvironment(), live: false, people: [], ...settings },
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
  });
  try {
    onOpen?.({ controls: gameDay.plugin, ...(gameDay.pageUrl ? { pageUrl: gameDay.pageUrl } : {}) });
    return await runDrill({
      scenario: loaded,
      environment,
      kinds,
      drillId,
      outDir: resolve(options.outDir ?? join('out', drillId)),
      stateDir,
      plugins: [gameDay.plugin, ...defaultPlugins({ environment, stateDir }), ...(options.plugins ?? [])],
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  } finally {
    await gameDay.close();
  }
}

function withExtraKinds(builtin: Kinds, extra: Partial<Kinds> | undefined): Kinds {
  if (!extra) return builtin;
  return {
    probes: { ...builtin.probes, ...extra.probes },
    signals: { ...builtin.signals, ...extra.signals },
    canaries: { ...builtin.canaries, ...extra.canaries },
    faults: { ...builtin.faults, ...extra.faults },
    steps: { ...builtin.steps, ...extra.steps },
  };
}
