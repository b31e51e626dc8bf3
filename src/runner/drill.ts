import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClock, type Clock } from '../core/clock.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { exactInstant, type Instant } from '../core/measurement.js';
import { measure } from '../core/measurements.js';
import { deriveMilestones, type MilestoneRules, type Milestones } from '../core/milestones.js';
import { Timeline, UNKNOWN_STATE, type PhaseName, type TimelineEvent } from '../core/timeline.js';
import { allPassed, formatBudget, judge, TARGET_NAMES, type Target } from '../core/verdicts.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import type { Canary } from '../probes/canary.js';
import type { Probe } from '../probes/probe.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import type { AdapterEntry, LoadedScenario } from '../scenario/load.js';
import type { ScenarioSpec } from '../scenario/schema.js';
import type { Signal } from '../signals/signal.js';
import { FiredrillError } from '../runtime/errors.js';
import { checkCallerIdentity, type CallerIdentity } from '../aws/identity.js';
import { regionsUsedBy } from '../scenario/allow-list.js';
import { Journal } from './journal.js';
import type { AdapterEnv, Kinds } from './kinds.js';
import { locksFor } from './lock.js';
import { artifactOf, instantRecord, RESULT_FORMAT, summarizeSamples, timelineLine, writeArtifact, type DrillResult, type FaultRecord } from './result.js';
import { signalStateProblems, steadyStateProblems } from './checks.js';
import { DrillAbort, watchGuardrails } from './guardrails.js';
import { pollSignal, scheduleProbe, type Schedule } from './schedule.js';

export interface RunOptions {
  scenario: LoadedScenario;
  environment: Environment;
  kinds: Kinds;
  /** The drill's own output folder (created). */
  outDir: string;
  /** Where the journal and locks live. */
  stateDir: string;
  drillId?: string;
  clock?: Clock;
  /** Aborting this (Ctrl-C, SIGTERM) stops the drill; its reason is recorded. */
  interrupt?: AbortSignal;
  onEvent?: (event: TimelineEvent) => void;
  log?: (line: string) => void;
}

interface Change {
  name: string;
  entry: AdapterEntry<unknown>;
  kind: FaultKind<unknown>;
  record: FaultRecord;
  state?: JsonObject;
  stopRenewing?: () => void;
}

/** How long one revert (and its verification) may take before it counts as failed. */
const REVERT_TIMEOUT_MS = 120_000;

export function newDrillId(scenario: string, now = new Date()): string {
  return `${scenario}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function targetsOf(spec: ScenarioSpec): Target[] {
  return TARGET_NAMES.filter((name) => spec.targets[name] !== undefined)
    .map((name) => ({ name, budget: spec.targets[name]!, source: `${name} ${formatBudget(name, spec.targets[name]!)}` }));
}

export function milestoneRulesOf(scenario: LoadedScenario): MilestoneRules {
  const { spec } = scenario;
  const rule = spec.milestones.recovered;
  const region = rule.region !== undefined ? { region: rule.region } : {};
  return {
    userFacing: scenario.entries.probes.filter((p) => p.common.userFacing !== false).map((p) => p.name),
    ...(spec.milestones.detect ? { detect: spec.milestones.detect } : {}),
    ...(spec.milestones.decide ? { decide: spec.milestones.decide } : {}),
    recovered: 'percent' in rule
      ? { probe: rule.probe, ...region, percent: rule.percent, windowMs: rule.window }
      : { probe: rule.probe, ...region, consecutive: rule.consecutive },
  };
}

export async function runDrill(options: RunOptions): Promise<DrillResult> {
  const { scenario, environment, kinds } = options;
  const { spec } = scenario;
  const clock = options.clock ?? createClock();
  const log = options.log ?? (() => {});
  const drillId = options.drillId ?? newDrillId(spec.scenario, new Date(clock.anchorWallMs));
  const timeline = new Timeline();
  // The timeline goes to disk as it happens (once the output folder is known to be writable), so
  // a drill that is killed still leaves its evidence, and others can follow it with `tail -f`.
  let timelineFile: string | undefined;
  const unwritten: TimelineEvent[] = [];
  timeline.subscribe((event) => {
    if (timelineFile) appendFileSync(timelineFile, timelineLine(clock, event));
    else unwritten.push(event);
  });
  // Subscribed after the disk writer: an event is on record before anyone is told about it.
  if (options.onEvent) timeline.subscribe(options.onEvent);
  const abort = new AbortController();
  const stop = (reason: DrillAbort) => {
    if (abort.signal.aborted) return;
    timeline.append({ kind: 'guardrail', t: clock.now(), guardrail: reason.guardrail ?? 'abort', reason: reason.reason });
    abort.abort(reason);
  };
  const onInterrupt = () => stop(new DrillAbort(String(options.interrupt?.reason ?? 'interrupted'), 'interrupt'));
  options.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  if (options.interrupt?.aborted) onInterrupt();

  const adapterEnv: AdapterEnv = { environment, awsTarget: (region) => awsTargetOf(environment, region) };
  const journal = Journal.forEnvironment(options.stateDir, environment.name);
  const phases: DrillResult['phases'] = [];
  const checks: DrillResult['checks'] = [];
  const changes: Change[] = [];
  const schedules: Schedule[] = [];
  const closers: (() => Promise<void>)[] = [];
  const canaries: Canary[] = [];
  let aborted: DrillResult['aborted'] = null;
  let observeEnd: number | undefined;
  let release = async () => {};
  let caller: CallerIdentity | undefined;

  const phase = async <T>(name: PhaseName, body: () => Promise<T>): Promise<T> => {
    const record = { phase: name, start: clock.now(), end: null as number | null, outcome: 'ok' };
    phases.push(record);
    timeline.append({ kind: 'phase', t: record.start, phase: name, state: 'start' });
    try {
      return await body();
    } catch (error) {
      record.outcome = 'failed';
      throw error;
    } finally {
      record.end = clock.now();
      timeline.append({ kind: 'phase', t: record.end, phase: name, state: 'end', outcome: record.outcome as 'ok' | 'failed' });
    }
  };

  /** Resolves after `ms`, or as soon as `done` holds; throws if the drill is aborted meanwhile. */
  const waitUntil = (ms: number, done: () => boolean = () => false): Promise<boolean> => new Promise((resolve, reject) => {
    if (abort.signal.aborted) return reject(abort.signal.reason);
    if (done()) return resolve(true);
    const finish = (value: boolean | Error) => {
      clearTimeout(timer);
      unsubscribe();
      abort.signal.removeEventListener('abort', onAbort);
      value instanceof Error ? reject(value) : resolve(value);
    };
    const onAbort = () => finish(abort.signal.reason as Error);
    const timer = setTimeout(() => finish(done()), Math.max(0, ms));
    const unsubscribe = timeline.subscribe(() => { if (done()) finish(true); });
    abort.signal.addEventListener('abort', onAbort, { once: true });
  });

  /** Injecting stops when the drill is aborted; reverting must not, so it gets its own deadline. */
  const faultContext = (name: string, onRemember: (state: JsonObject) => void, signal: AbortSignal = abort.signal): FaultContext => ({
    clock,
    signal,
    drillId,
    log: (message) => log(`${name}: ${message}`),
    remember: async (state) => onRemember(state),
  });

  const applyChange = async (entry: AdapterEntry<unknown>, kind: FaultKind<unknown>, section: 'fault' | 'step') => {
    const change: Change = { name: entry.name, entry, kind, record: { name: entry.name, kind: entry.kind, injectedAt: null, revertedAt: null, verified: false } };
    changes.push(change);
    const journalIt = (status: 'intent' | 'injected' | 'reverted') => journal.record({
      drillId, environment: environment.name, name: entry.name, kind: entry.kind,
      settings: entry.settings as JsonValue, state: change.state ?? {}, status,
    });
    journalIt('intent');
    timeline.append({ kind: 'fault', t: clock.now(), fault: entry.name, faultKind: entry.kind, action: 'inject-intent' });
    const ctx = faultContext(entry.name, (state) => { change.state = { ...change.state, ...state }; journalIt('intent'); });
    try {
      const injection = await kind.inject(entry.settings, ctx);
      change.state = { ...change.state, ...injection.state };
      journalIt('injected');
      change.record.injectedAt = instantRecord(clock, injection.at);
      timeline.append({ kind: 'fault', t: clock.now(), fault: entry.name, faultKind: entry.kind, action: 'injected', at: injection.at, ...(injection.detail ? { detail: injection.detail } : {}) });
      if (kind.renewLease && kind.leaseRenewEveryMs) {
        const timer = setInterval(() => {
          kind.renewLease!(entry.settings, change.state!, ctx).catch((error: Error) => log(`${entry.name}: lease renewal failed: ${error.message}`));
        }, kind.leaseRenewEveryMs(entry.settings));
        change.stopRenewing = () => clearInterval(timer);
      }
    } catch (error) {
      change.record.error = (error as Error).message;
      timeline.append({ kind: 'fault', t: clock.now(), fault: entry.name, faultKind: entry.kind, action: 'failed', error: (error as Error).message });
      throw abort.signal.aborted ? abort.signal.reason : new DrillAbort(`${section} ${entry.name} could not be injected: ${(error as Error).message}`, 'inject-failed');
    }
  };

  const evidence: DrillResult['artifacts'] = [];
  /** The fault's own record after the drill (e.g. the FIS experiment), as a file listed with its hash. */
  const keepEvidence = async (change: Change, ctx: FaultContext) => {
    try {
      const record = await change.kind.evidence!(change.entry.settings, change.state ?? {}, ctx);
      mkdirSync(join(options.outDir, 'evidence'), { recursive: true });
      evidence.push(writeArtifact(options.outDir, join('evidence', `${change.name}.json`), JSON.stringify(record, null, 2) + '\n'));
    } catch (error) {
      log(`${change.name}: could not keep its evidence: ${(error as Error).message}`);
    }
  };

  /** Reverts every change in reverse order and verifies each; a failed revert does not stop the others. */
  const revertAll = async () => {
    for (const change of [...changes].reverse()) {
      if (change.record.verified) continue;
      change.stopRenewing?.();
      if (change.state === undefined) {
        // Interrupted before it remembered anything, so before its first change: nothing to undo.
        change.record.verified = true;
        journal.record({ drillId, environment: environment.name, name: change.name, kind: change.entry.kind, settings: change.entry.settings as JsonValue, state: {}, status: 'reverted' });
        timeline.append({ kind: 'fault', t: clock.now(), fault: change.name, faultKind: change.entry.kind, action: 'verified', detail: { nothingToRevert: 'interrupted before it changed anything' } });
        continue;
      }
      const ctx = faultContext(change.name, () => {}, AbortSignal.timeout(REVERT_TIMEOUT_MS));
      timeline.append({ kind: 'fault', t: clock.now(), fault: change.name, faultKind: change.entry.kind, action: 'revert-start' });
      try {
        const at = await change.kind.revert(change.entry.settings, change.state ?? {}, ctx);
        const instant: Instant = at ?? exactInstant(clock.now());
        change.record.revertedAt = instantRecord(clock, instant);
        timeline.append({ kind: 'fault', t: clock.now(), fault: change.name, faultKind: change.entry.kind, action: 'reverted', at: instant });
        await change.kind.verifyReverted(change.entry.settings, change.state ?? {}, ctx);
        change.record.verified = true;
        if (change.kind.evidence) await keepEvidence(change, ctx);
        journal.record({ drillId, environment: environment.name, name: change.name, kind: change.entry.kind, settings: change.entry.settings as JsonValue, state: change.state ?? {}, status: 'reverted' });
        timeline.append({ kind: 'fault', t: clock.now(), fault: change.name, faultKind: change.entry.kind, action: 'verified' });
      } catch (error) {
        change.record.error = (error as Error).message;
        timeline.append({ kind: 'fault', t: clock.now(), fault: change.name, faultKind: change.entry.kind, action: 'revert-failed', error: (error as Error).message });
        log(`REVERT FAILED for ${change.name}: ${(error as Error).message} — it stays in the journal; run "firedrill cleanup"`);
      }
    }
  };

  const milestoneRules = milestoneRulesOf(scenario);
  const milestones = (): Milestones => deriveMilestones(timeline.events, milestoneRules);
  const maxTimer = setTimeout(() => stop(new DrillAbort(`maximum duration of ${spec.guardrails.maxDuration}ms reached`, 'maxDuration')), spec.guardrails.maxDuration);

  try {
    await phase('preflight', async () => {
      const probeFile = join(options.outDir, '.writable');
      try {
        mkdirSync(options.outDir, { recursive: true });
        writeFileSync(probeFile, drillId);
        unlinkSync(probeFile);
        writeFileSync(join(options.outDir, 'timeline.ndjson'), unwritten.splice(0).map((e) => timelineLine(clock, e)).join(''));
        timelineFile = join(options.outDir, 'timeline.ndjson');
      } catch (error) {
        throw new FiredrillError('FIREDRILL_PREFLIGHT', `the output folder ${options.outDir} is not writable (${(error as NodeJS.ErrnoException).code}): refusing to inject a fault whose evidence cannot be kept`);
      }
      // The lock first: a drill that is running holds its faults in the journal, and must not be
      // mistaken for a crashed one.
      const lock = await locksFor(environment, options.stateDir).acquire({ environment: environment.name, drillId, ttlMs: spec.guardrails.maxDuration + 60_000 });
      release = lock.release;
      // Issue 19 (one marked edit, for the lead to port into the preflight task): who the credentials belong to, before any change.
      caller = await checkCallerIdentity(environment, regionsUsedBy(scenario, environment));
      const leftovers = journal.unreverted();
      if (leftovers.length) {
        throw new FiredrillError('FIREDRILL_JOURNAL_DIRTY', `environment "${environment.name}" still has faults injected by an earlier drill that were never reverted: run "firedrill cleanup --env ${environment.name}" first`, leftovers.map((e) => `${e.kind} ${e.name} (drill ${e.drillId}, ${e.status})`));
      }
      const allowed = spec.guardrails.blastRadius;
      if (allowed) {
        const outside = [...scenario.entries.faults, ...scenario.entries.steps].filter((e) => !allowed.includes(e.name) && !allowed.includes(e.kind));
        if (outside.length) throw new FiredrillError('FIREDRILL_NOT_ALLOWED', `outside the declared blast radius (${allowed.join(', ')}):`, outside.map((e) => `${e.kind} ${e.name}`));
      }
    });

    const probes = scenario.entries.probes.map((e) => kinds.probes[e.kind]!.create(e.name, e.written, adapterEnv) as Probe);
    const signals = scenario.entries.signals.map((e) => kinds.signals[e.kind]!.create(e.name, e.written, adapterEnv) as Signal);
    canaries.push(...scenario.entries.canaries.map((e) => kinds.canaries[e.kind]!.create(e.name, e.written, adapterEnv) as Canary));
    closers.push(...probes.map((p) => () => p.close()), ...signals.map((s) => () => s.close()));
    watchGuardrails(scenario, timeline, stop);
    schedules.push(...probes.map((p) => scheduleProbe(p, { clock, timeline, outDir: options.outDir })));
    schedules.push(...signals.map((s) => pollSignal(s, { clock, timeline })));

    await phase('steady-state', async () => {
      const from = clock.now();
      for (const canary of canaries) canary.start({ clock, emit: (e) => timeline.append(e) });
      await waitUntil(spec.steadyState.window);
      const problems = [...steadyStateProblems(timeline.events, scenario, from, spec.steadyState.minSuccess), ...signalStateProblems(timeline.events, spec.steadyState.signals)];
      checks.push({ name: 'steady-state before', ok: problems.length === 0, detail: problems.join('; ') || 'every probe healthy' });
      if (problems.length) throw new DrillAbort(`steady state not met before injecting, so no fault was injected: ${problems.join('; ')}`, 'steady-state');
    });

    await phase('inject', async () => {
      for (const entry of scenario.entries.faults) await applyChange(entry, kinds.faults[entry.kind]!, 'fault');
    });

    await phase('observe', async () => {
      const pending = [...scenario.entries.steps];
      const due = () => {
        const m = milestones();
        return pending.filter((s) => m[s.common.when as keyof Milestones] !== null);
      };
      const deadline = clock.now() + spec.observe.timeout;
      while (clock.now() < deadline) {
        const recovered = () => milestones().recovered !== null;
        await waitUntil(deadline - clock.now(), () => recovered() || due().length > 0);
        for (const step of due()) {
          pending.splice(pending.indexOf(step), 1);
          await applyChange(step, kinds.steps[step.kind]!, 'step');
        }
        if (recovered()) break;
      }
      if (milestones().recovered) await waitUntil(spec.observe.settle);
      for (const canary of canaries) {
        await canary.stop();
        timeline.append(await canary.readRecovered());
      }
    });
    observeEnd = clock.now();

    await phase('revert', revertAll);
    if (changes.some((c) => !c.record.verified)) throw new DrillAbort('a revert could not be verified: see faults[].error', 'revert-failed');

    await phase('verify', async () => {
      const from = clock.now();
      await waitUntil(spec.verify.window);
      const problems = steadyStateProblems(timeline.events, scenario, from, 1);
      checks.push({ name: 'steady state after', ok: problems.length === 0, detail: problems.join('; ') || 'every probe healthy' });
      const silent = scenario.entries.signals.filter((s) => !timeline.of('signal').some((e) => e.signal === s.name && e.state !== UNKNOWN_STATE));
      if (silent.length) checks.push({ name: 'signals answered', ok: false, detail: `never answered during the drill (evidence missing): ${silent.map((s) => s.name).join(', ')}` });
      if (spec.verify.noFailback) {
        const { probe, region } = spec.verify.noFailback;
        const flapped = timeline.of('sample').filter((s) => s.probe === probe && s.t >= from && s.ok && s.region !== region);
        checks.push({ name: 'no failback', ok: flapped.length === 0, detail: flapped.length ? `${flapped.length} sample(s) of ${probe} were served by ${[...new Set(flapped.map((s) => s.region))].join(', ')} after the revert, expected only ${region}` : `all traffic stayed on ${region}` });
      }
    });
  } catch (error) {
    const reason = error instanceof DrillAbort ? error : abort.signal.aborted ? (abort.signal.reason as DrillAbort) : undefined;
    if (!reason && error instanceof FiredrillError) {
      await shutDown();
      throw error;
    }
    aborted = reason
      ? { reason: reason.reason, ...(reason.guardrail ? { guardrail: reason.guardrail } : {}), at: clock.now() }
      : { reason: `harness error: ${(error as Error).stack ?? String(error)}`, guardrail: 'crash', at: clock.now() };
    log(`aborting: ${aborted.reason}`);
    observeEnd ??= clock.now();
    await revertAll();
  } finally {
    await shutDown();
  }

  async function shutDown() {
    clearTimeout(maxTimer);
    options.interrupt?.removeEventListener('abort', onInterrupt);
    for (const change of changes) change.stopRenewing?.();
    await Promise.allSettled(canaries.map((c) => c.stop()));
    await Promise.allSettled(schedules.splice(0).map((s) => s.stop()));
    await Promise.allSettled(closers.splice(0).map((close) => close()));
    const releasing = release();
    release = async () => {};
    await releasing.catch((error: Error) => log(`could not release the lock on environment "${environment.name}" (it expires by itself): ${error.message}`));
  }

  const m = milestones();
  const measurements = measure(timeline.events, m, { origin: spec.origin, userFacing: milestoneRules.userFacing, observeEnd: observeEnd ?? clock.now() });
  const targets = targetsOf(spec);
  const verdicts = judge(targets, measurements, spec.verdictBound);
  const passed = !aborted && allPassed(verdicts) && checks.every((c) => c.ok);
  const result: DrillResult = {
    format: RESULT_FORMAT,
    drillId,
    scenario: { name: spec.scenario, file: scenario.file, sha256: scenario.sha256, ...(spec.description ? { description: spec.description } : {}) },
    environment: environment.name,
    ...(caller ? { caller } : {}),
    startedAt: new Date(clock.anchorWallMs).toISOString(),
    endedAt: new Date(clock.anchorWallMs + clock.now()).toISOString(),
    clockAnchor: new Date(clock.anchorWallMs).toISOString(),
    outcome: aborted ? (aborted.guardrail === 'crash' ? 'errored' : 'aborted') : passed ? 'passed' : 'failed',
    aborted,
    phases,
    milestones: { fault: instantRecord(clock, m.fault), impact: instantRecord(clock, m.impact), detect: instantRecord(clock, m.detect), decide: instantRecord(clock, m.decide), recovered: instantRecord(clock, m.recovered) },
    measurements,
    targets,
    verdicts,
    faults: changes.filter((c) => scenario.entries.faults.includes(c.entry as never)).map((c) => c.record),
    steps: changes.filter((c) => scenario.entries.steps.includes(c.entry as never)).map((c) => c.record),
    checks,
    samples: summarizeSamples(timeline.events),
    artifacts: [...evidence],
  };
  journal.compact();
  if (timelineFile) result.artifacts.push(artifactOf(options.outDir, 'timeline.ndjson'));
  writeFileSync(join(options.outDir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
