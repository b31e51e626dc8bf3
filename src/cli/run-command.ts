import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration } from '../core/duration.js';
import { formatBudget } from '../core/targets.js';
import { kindsFor } from '../runner/builtin-kinds.js';
import { runDrill } from '../runner/drill.js';
import { newDrillId, targetsOf } from '../runner/scenario-rules.js';
import { schemasOf, type Kinds } from '../runner/kinds.js';
import { EXIT, FiredrillError } from '../runtime/errors.js';
import { assertConfirmed } from '../aws/identity.js';
import { assertAllowed } from '../scenario/allow-list.js';
import type { Environment } from '../scenario/environment.js';
import { printCaller } from './caller.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { UsageError } from './usage-error.js';
import { environmentFor, environmentNamedIn } from './context.js';
import type { Io } from './io.js';
import { createProgress } from './progress.js';
import { renderSummary } from '../report/summary.js';
import { defaultPlugins } from '../report/default-plugins.js';
import { sparklinePlugin } from '../report/sparkline.js';
import { actingPerson, GAME_DAY_OPTIONS, gameDaySettingsFrom } from './game-day-session.js';
import { approveOnKey, APPROVE_KEY } from './key-approvals.js';
import { openGameDay, type GameDaySettings } from '../gameday/session.js';

const OPTIONS = {
  env: { type: 'string' },
  out: { type: 'string' },
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  confirm: { type: 'string' },
  'allure-results': { type: 'string' },
  ...GAME_DAY_OPTIONS,
} as const;

export interface Prepared {
  scenario: LoadedScenario;
  environment: Environment;
  kinds: Kinds;
  stateDir: string;
  out?: string;
  /** Where allure results go (`--allure-results`). */
  allureResults?: string;
  /** `--confirm NAME`, required by an environment marked `confirm: true`. */
  confirm?: string;
  /** People, CI mode, the live page; the defaults of `gameDaySettingsFrom` when absent. */
  gameDay?: GameDaySettings;
}

/** Parses the common options, resolves the environment, loads and validates the scenario and checks the allow-list. */
export async function prepare(command: string, argv: string[], io: Io): Promise<Prepared> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`firedrill ${command}: expected one scenario file, got ${positionals.length}`);
  const file = positionals[0]!;
  const stateDir = stateDirFrom(io.cwd, values['state-dir']);
  const named = values.env ? undefined : environmentNamedIn(resolve(io.cwd, file));
  const envName = values.env ?? named ?? 'lab';
  const environment = withFileContext(named ? `${file}: environment` : undefined, () =>
    // Validating needs nothing running: a provider's environment that is down is checked with stand-in values.
    environmentFor(envName, { cwd: io.cwd, ...(values.config ? { config: values.config } : {}), stateDir, ...(command === 'validate' ? { onNotRunning: 'placeholder' as const } : {}) }));
  const kinds = kindsFor(environment);
  const scenario = await loadScenario(file, environment, schemasOf(kinds), { cwd: io.cwd });
  assertAllowed(scenario, environment);
  return { scenario, environment, kinds, stateDir, gameDay: gameDaySettingsFrom(values), ...(values.out ? { out: values.out } : {}), ...(values.confirm ? { confirm: values.confirm } : {}), ...(values['allure-results'] ? { allureResults: resolve(io.cwd, values['allure-results']) } : {}) };
}

/** Prefixes a configuration error with where the bad value came from (the scenario's field). */
function withFileContext<T>(where: string | undefined, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (where && error instanceof FiredrillError) throw new FiredrillError(error.code, `${where}: ${error.message}`);
    throw error;
  }
}

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { scenario, environment } = await prepare('validate', argv, io);
  const against = 'placeholder' in environment ? `environment "${environment.name}" (not running: checked with stand-in values for its variables)` : `environment "${environment.name}"`;
  io.out(`${scenario.file}: valid scenario "${scenario.spec.scenario}" for ${against} (${scenario.entries.faults.length} fault(s), ${scenario.entries.probes.length} probe(s), ${scenario.entries.signals.length} signal(s), ${targetsOf(scenario.spec).length} target(s))`);
  return EXIT.passed;
}

/** What a drill would do, in order; it injects nothing and changes nothing. */
export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { scenario, environment, kinds } = await prepare('plan', argv, io);
  const { spec, entries } = scenario;
  io.out(`plan for "${spec.scenario}" in environment "${environment.name}" (nothing is injected by plan)`);
  await printCaller(scenario, environment, io);
  io.out(`\nprobes (sampled from the start, steady state for ${formatDuration(spec.steadyState.window)}):`);
  for (const p of entries.probes) io.out(`  ${p.name} (${p.kind})${p.common.protected ? ' [protected: failure aborts]' : ''}`);
  io.out('\nsignals:');
  for (const s of entries.signals) io.out(`  ${s.name} (${s.kind})${s.common.stopWhen ? ` [stop condition: ${s.common.stopWhen}]` : ''}`);
  io.out('\ncalls that change something, in order:');
  let n = 1;
  for (const c of entries.canaries) io.out(`  ${n++}. [canary ${c.name}] writes a sequence-numbered ${c.kind} canary every interval, from the steady state until recovery`);
  for (const f of entries.faults) for (const line of kinds.faults[f.kind]!.plan(f.settings)) io.out(`  ${n++}. [fault ${f.name}] ${line}`);
  for (const s of entries.steps) for (const line of kinds.steps[s.kind]!.plan(s.settings)) io.out(`  ${n++}. [step ${s.name}, at ${s.common.when}] ${line}`);
  for (const g of spec.gates) io.out(`  [gate ${g.name}, before ${typeof g.before === 'string' ? `the ${g.before} phase` : 'fault' in g.before ? `fault ${g.before.fault}` : `step ${g.before.step}`}] waits up to ${formatDuration(g.timeout)} for a person (firedrill approve ${g.name}); in CI: ${g.ci === 'approve' ? 'approved at once' : 'refused'}`);
  io.out(`\nobserve up to ${formatDuration(spec.observe.timeout)} for recovery; revert in reverse order and verify; verify for ${formatDuration(spec.verify.window)}`);
  io.out('\ntargets:');
  for (const t of targetsOf(spec)) io.out(`  ${t.name} ${formatBudget(t.name, t.budget)}`);
  io.out(`guardrails: max duration ${formatDuration(spec.guardrails.maxDuration)}${spec.guardrails.blastRadius ? `, blast radius ${spec.guardrails.blastRadius.join(', ')}` : ''}`);
  return EXIT.passed;
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const prepared = await prepare('run', argv, io);
  assertConfirmed(prepared.environment, prepared.confirm);
  return runAndReport(prepared, io);
}

/** Runs a loaded scenario with live progress and the closing summary; returns the exit code. */
export async function runAndReport(prepared: Prepared, io: Io): Promise<number> {
  const { scenario, environment, kinds, stateDir, out } = prepared;
  const drillId = newDrillId(scenario.spec.scenario);
  const outDir = resolve(io.cwd, out ?? join('out', drillId));
  const interrupt = io.interrupts();
  const gameDay = await openGameDay({ scenario, environment: environment.name, stateDir, drillId, settings: prepared.gameDay ?? gameDaySettingsFrom({}), log: (line) => io.err(line), interrupt });
  const keys = scenario.spec.gates.length && !gameDay.plugin.unattended ? io.keys?.() : undefined;
  const releaseKeys = keys ? approveOnKey({ input: keys, controls: gameDay.plugin, by: actingPerson(undefined), log: (line) => io.err(line), onInterrupt: () => process.kill(process.pid, 'SIGINT') }) : () => {};
  if (keys) io.err(`press ${APPROVE_KEY} to approve the gate that waits longest, as ${actingPerson(undefined)}`);
  const progress = createProgress(io.write, io.isTty);
  const sparklines = sparklinePlugin();
  let result;
  try {
    result = await runDrill({
      scenario, environment, kinds, outDir, stateDir, drillId,
      interrupt, onEvent: progress.onEvent, log: (line) => io.err(line),
      plugins: [gameDay.plugin, ...defaultPlugins({ environment, stateDir, ...(prepared.allureResults ? { allureResults: prepared.allureResults } : {}) }), sparklines],
    });
  } finally {
    progress.end();
    releaseKeys();
    await gameDay.close();
  }
  io.out(renderSummary(result));
  if (sparklines.lines.length) io.out(['', ...sparklines.lines].join('\n'));
  const resultPath = join(outDir, 'result.json');
  io.out(`\nresult: ${resultPath}`);
  return EXIT[result.outcome];
}
