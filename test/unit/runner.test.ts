import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { exactInstant } from '../../src/core/measurement.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { FaultKind } from '../../src/faults/fault.js';
import type { Probe, SampleOutcome } from '../../src/probes/probe.js';
import { runDrill, type RunOptions } from '../../src/runner/drill.js';
import { DrillAbort } from '../../src/runner/guardrails.js';
import { Journal, type JournalEntry } from '../../src/runner/journal.js';
import type { DrillPlugin } from '../../src/runner/plugin.js';
import { schemasOf, type Kinds } from '../../src/runner/kinds.js';
import { acquireLock } from '../../src/runner/lock.js';
import type { DrillResult } from '../../src/runner/result.js';
import type { Environment } from '../../src/scenario/environment.js';
import { loadScenarioObject } from '../../src/scenario/load.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { FiredrillError } from '../../src/runtime/errors.js';
import type { Signal } from '../../src/signals/signal.js';
import { refusalOf } from '../support/failure-of.js';

/**
 * The runner against fakes that implement the real adapter interfaces: a world whose fault
 * switches at inject, probes and signals whose answers follow a script of time since the fault.
 * Real clock, short durations; the only waits are the runner's own.
 */
const ENV: Environment = { name: 'fake', vars: {} };

/** What a scripted probe or signal sees: ms since the fault was injected (undefined before). */
interface Moment { sinceFault: number | undefined }
type ProbeScript = (m: Moment) => SampleOutcome;
type SignalScript = (m: Moment) => string;

interface World {
  faultAt: number | undefined;
  /** Every call the fake fault kind received, in order, as the runner logs them: "inject:outage", "revert:outage", … */
  calls: string[];
  /** The journal as it was when each inject was called. */
  journalAtInject: JournalEntry[][];
}

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ok = (region: string): SampleOutcome => ({ ok: true, region, status: 200 });
const down: SampleOutcome = { ok: false, error: 'connection refused' };
/** Served by the primary until the fault, refused for `outageMs`, then served by the recovery side. */
const failsOver = (outageMs: number): ProbeScript => ({ sinceFault }) => sinceFault === undefined ? ok(EAST) : sinceFault < outageMs ? down : ok(WEST);
const becomesAfter = (ms: number, state: string, before = 'OK'): SignalScript => ({ sinceFault }) => sinceFault !== undefined && sinceFault >= ms ? state : before;

function fakeKinds(world: World, scripts: { probes: Record<string, ProbeScript>; signals?: Record<string, SignalScript> }, stateDir: string): Kinds {
  const now = () => performance.now();
  const moment = (): Moment => ({ sinceFault: world.faultAt === undefined ? undefined : now() - world.faultAt });
  const scriptedProbe = (name: string): Probe => ({
    name, intervalMs: 10, timeoutMs: 200,
    sample: async () => scripts.probes[name]!(moment()),
    close: async () => {},
  });
  const scriptedSignal = (name: string): Signal => ({
    name, intervalMs: 5,
    observe: async () => ({ state: scripts.signals![name]!(moment()) }),
    close: async () => {},
  });
  // Each call announces itself through ctx.log, which the runner prefixes with the fault's name.
  const fault: FaultKind<{ failInject?: boolean; failBeforeChange?: boolean }> = {
    kind: 'fake',
    settings: z.strictObject({ failInject: z.boolean().optional(), failBeforeChange: z.boolean().optional() }),
    plan: () => ['flip the fake switch'],
    async inject(settings, ctx) {
      ctx.log('inject');
      world.journalAtInject.push(Journal.forEnvironment(stateDir, ENV.name).read());
      if (settings.failBeforeChange) throw new Error('refused before changing anything');
      await ctx.remember({ switching: true });
      if (settings.failInject) throw new Error('boom');
      world.faultAt ??= now();
      return { at: exactInstant(ctx.clock.now()), state: { switched: true } };
    },
    async revert(_settings, _state, ctx) { ctx.log('revert'); },
    async verifyReverted(_settings, _state, ctx) { ctx.log('verify'); },
  };
  return {
    probes: { scripted: { settings: z.strictObject({}), create: (name) => scriptedProbe(name) } },
    signals: { scripted: { settings: z.strictObject({}), create: (name) => scriptedSignal(name) } },
    canaries: {},
    faults: { fake: fault },
    steps: {},
  };
}

const BASE: ScenarioInput = {
  scenario: 'fake-failover',
  faults: [{ name: 'outage', kind: 'fake' }],
  probes: [{ name: 'app', kind: 'scripted' }],
  signals: [{ name: 'alarm', kind: 'scripted' }, { name: 'decision', kind: 'scripted' }],
  milestones: {
    detect: { signal: 'alarm', becomes: 'ALARM' },
    decide: { signal: 'decision', becomes: 'ALARM' },
    recovered: { probe: 'app', region: WEST, consecutive: 3 },
  },
  steadyState: { window: '60ms' },
  observe: { timeout: '2s', settle: '30ms' },
  verify: { window: '50ms', noFailback: { probe: 'app', region: WEST } },
  targets: { rto: '1s', detection: '1s', availability: '10%' },
  guardrails: { maxDuration: '10s' },
};

const SCRIPTS = {
  probes: { app: failsOver(50) },
  signals: { alarm: becomesAfter(20, 'ALARM'), decision: becomesAfter(35, 'ALARM') },
};

/** A measurement's bounds contain the scripted truth (1 ms of slack for clock rounding). */
function expectContains(m: { lower: number; upper: number } | null, truth: number, what: string): void {
  expect(m, `${what} was not measured`).to.not.equal(null);
  expect(m!.lower, `${what} lower bound`).to.be.at.most(truth + 1);
  expect(m!.upper, `${what} upper bound`).to.be.at.least(truth - 1);
}

describe('runDrill', function () {
  this.timeout(20_000);
  let dir: string;
  let world: World;
  const stateDir = () => join(dir, 'state');
  const journal = () => Journal.forEnvironment(stateDir(), ENV.name);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'firedrill-runner-'));
    world = { faultAt: undefined, calls: [], journalAtInject: [] };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** `maxDurationMs` sets the guard below what validation allows (the phases' needs): the guard is what such a test tests. */
  const drill = (scenario: ScenarioInput, scripts: Parameters<typeof fakeKinds>[1] = SCRIPTS, extra: Partial<RunOptions> = {}, maxDurationMs?: number): Promise<DrillResult> => {
    const kinds = fakeKinds(world, scripts, stateDir());
    const loaded = loadScenarioObject(scenario, 'fake.scenario.ts', ENV, schemasOf(kinds));
    if (maxDurationMs !== undefined) loaded.spec.guardrails.maxDuration = maxDurationMs;
    const log = (line: string) => {
      const call = /^(\S+): (inject|revert|verify)$/.exec(line);
      if (call) world.calls.push(`${call[2]}:${call[1]}`);
    };
    return runDrill({ scenario: loaded, environment: ENV, kinds, outDir: join(dir, 'out'), stateDir: stateDir(), log, ...extra });
  };

  it('runs the phases in order, reverts and verifies, and measures the scripted timeline', async () => {
    const result = await drill(BASE);
    expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
    expect(result.phases.map((p) => `${p.phase}:${p.outcome}`)).to.deep.equal(
      ['preflight:ok', 'steady-state:ok', 'inject:ok', 'observe:ok', 'revert:ok', 'verify:ok']);
    for (let i = 1; i < result.phases.length; i++) expect(result.phases[i]!.start).to.be.at.least(result.phases[i - 1]!.end!);
    expect(world.calls).to.deep.equal(['inject:outage', 'revert:outage', 'verify:outage']);
    expect(result.faults).to.have.length(1);
    expect(result.faults[0]).to.deep.include({ name: 'outage', kind: 'fake', verified: true });

    // The script: detected 20 ms after the fault, decided at 35 ms, recovered at 50 ms.
    expectContains(result.measurements.detectionMs, 20, 'detection');
    expectContains(result.measurements.decisionMs, 15, 'decision');
    expectContains(result.measurements.failoverMs, 15, 'failover');
    expectContains(result.measurements.rtoMs, 50, 'rto');
    const availability = result.measurements.availability!.value;
    expect(availability).to.be.greaterThan(0).and.lessThan(1);
    expect(result.verdicts.map((v) => `${v.target}:${v.status}`)).to.deep.equal(['detection:pass', 'rto:pass', 'availability:pass']);
    expect(result.checks.map((c) => `${c.name}:${c.ok}`)).to.deep.equal(['steady-state before:true', 'steady state after:true', 'no failback:true']);
    expect(result.artifacts.map((a) => a.path)).to.include('timeline.ndjson');
  });

  it('journals the fault as an intent before inject is called, and leaves the journal clean', async () => {
    const result = await drill(BASE);
    expect(world.journalAtInject).to.have.length(1);
    expect(world.journalAtInject[0]).to.have.length(1);
    expect(world.journalAtInject[0]![0]).to.deep.include({ drillId: result.drillId, environment: 'fake', name: 'outage', kind: 'fake', status: 'intent' });
    expect(journal().read()).to.deep.equal([]);
  });

  it('fails, without aborting, when a measurement misses its target', async () => {
    const result = await drill({ ...BASE, targets: { detection: '1ms', rto: '1s' } });
    expect(result.outcome).to.equal('failed');
    expect(result.aborted).to.equal(null);
    expect(result.verdicts.map((v) => `${v.target}:${v.status}`)).to.deep.equal(['detection:fail', 'rto:pass']);
    expect(result.verdicts[0]!.judged).to.equal(result.measurements.detectionMs!.upper);
    expect(world.calls).to.deep.equal(['inject:outage', 'revert:outage', 'verify:outage']);
  });

  describe('a guardrail or an interrupt mid-observe aborts, and the fault is still reverted and verified', () => {
    const neverRecovers = { ...SCRIPTS, probes: { app: failsOver(Infinity) } };
    const cases: { title: string; scenario: ScenarioInput; scripts: Parameters<typeof fakeKinds>[1]; extra?: (interrupt: AbortController) => Partial<RunOptions>; maxDurationMs?: number; guardrail: string; reason: string | RegExp }[] = [
      {
        title: 'a signal reaching its stopWhen state',
        scenario: { ...BASE, signals: [...BASE.signals!, { name: 'guard', kind: 'scripted', stopWhen: 'ALARM' }] },
        scripts: { ...neverRecovers, signals: { ...neverRecovers.signals, guard: becomesAfter(20, 'ALARM') } },
        guardrail: 'stopWhen:guard',
        reason: 'stop condition: signal guard is ALARM',
      },
      {
        title: 'a protected probe failing',
        scenario: { ...BASE, probes: [...BASE.probes, { name: 'backend', kind: 'scripted', userFacing: false, protected: { failures: 2 } }] },
        scripts: { ...neverRecovers, probes: { ...neverRecovers.probes, backend: ({ sinceFault }) => sinceFault === undefined ? ok(EAST) : down } },
        guardrail: 'protected:backend',
        reason: 'protected probe backend failed 2 time(s) in a row: connection refused',
      },
      {
        title: 'the maximum duration',
        scenario: BASE,
        maxDurationMs: 400,
        scripts: neverRecovers,
        guardrail: 'maxDuration',
        reason: 'maximum duration of 400ms reached',
      },
      {
        title: 'an interrupt (Ctrl-C)',
        scenario: BASE,
        scripts: neverRecovers,
        extra: (interrupt) => ({
          interrupt: interrupt.signal,
          onEvent: (e: TimelineEvent) => { if (e.kind === 'signal' && e.signal === 'alarm' && e.state === 'ALARM') interrupt.abort('operator pressed Ctrl-C'); },
        }),
        guardrail: 'interrupt',
        reason: 'operator pressed Ctrl-C',
      },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        const result = await drill(c.scenario, c.scripts, c.extra?.(new AbortController()) ?? {}, c.maxDurationMs);
        expect(result.outcome).to.equal('aborted');
        expect(result.aborted).to.deep.include({ guardrail: c.guardrail, reason: c.reason });
        const observe = result.phases.find((p) => p.phase === 'observe')!;
        expect(observe.outcome).to.equal('failed');
        expect(result.aborted!.at).to.be.at.least(observe.start);
        expect(result.phases.at(-1)!.phase).to.equal('observe');
        expect(world.calls).to.deep.equal(['inject:outage', 'revert:outage', 'verify:outage']);
        expect(result.faults[0]!.verified).to.equal(true);
        expect(journal().unreverted()).to.deep.equal([]);
      });
    }
  });

  it('injects nothing when the steady state is not met', async () => {
    const result = await drill(BASE, { ...SCRIPTS, probes: { app: ({ sinceFault }) => sinceFault === undefined ? down : ok(WEST) } });
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted).to.deep.include({ guardrail: 'steady-state' });
    expect(result.aborted!.reason).to.match(/^steady state not met before injecting, so no fault was injected: probe app: 0\/\d+ samples ok \(last error: connection refused\)$/);
    expect(result.phases.map((p) => `${p.phase}:${p.outcome}`)).to.deep.equal(['preflight:ok', 'steady-state:failed']);
    expect(world.calls).to.deep.equal([]);
    expect(result.faults).to.deep.equal([]);
    expect(result.milestones.fault).to.equal(null);
  });

  it('aborts when a fault cannot be injected, reverting the ones injected before it', async () => {
    const scenario: ScenarioInput = { ...BASE, faults: [{ name: 'first', kind: 'fake' }, { name: 'second', kind: 'fake', failInject: true }] };
    const result = await drill(scenario);
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted).to.deep.include({ guardrail: 'inject-failed', reason: 'fault second could not be injected: boom' });
    // The failed one is reverted too: a partly applied fault must not stay behind.
    expect(world.calls).to.deep.equal(['inject:first', 'inject:second', 'revert:second', 'verify:second', 'revert:first', 'verify:first']);
    expect(result.faults.map((f) => ({ name: f.name, injected: f.injectedAt !== null, verified: f.verified }))).to.deep.equal([
      { name: 'first', injected: true, verified: true },
      { name: 'second', injected: false, verified: true },
    ]);
    expect(result.faults[1]!.error).to.equal('boom');
    expect(journal().unreverted()).to.deep.equal([]);
  });

  it('does not revert a fault that failed before it remembered anything, since it changed nothing', async () => {
    const scenario: ScenarioInput = { ...BASE, faults: [{ name: 'first', kind: 'fake' }, { name: 'second', kind: 'fake', failBeforeChange: true }] };
    const result = await drill(scenario);
    expect(result.outcome).to.equal('aborted');
    expect(world.calls).to.deep.equal(['inject:first', 'inject:second', 'revert:first', 'verify:first']);
    expect(result.faults.map((f) => f.verified)).to.deep.equal([true, true]);
    expect(journal().unreverted()).to.deep.equal([]);
  });

  describe('refused before injecting', () => {
    it('while the journal holds an unreverted fault of an earlier drill', async () => {
      await journal().record({ drillId: 'crashed-drill', environment: 'fake', name: 'outage', kind: 'fake', settings: {}, state: { switched: true }, status: 'injected' });
      const error = await refusalOf(drill(BASE));
      expect(error.code).to.equal('FIREDRILL_JOURNAL_DIRTY');
      expect(error.message).to.include('firedrill cleanup --env fake').and.include('fake outage (drill crashed-drill, injected)');
      expect(world.calls).to.deep.equal([]);
      expect(journal().unreverted()).to.have.length(1);
    });

    it('while another drill holds the lock on the environment', async () => {
      const lock = acquireLock(stateDir(), ENV.name, 'other-drill', 60_000);
      try {
        const error = await refusalOf(drill(BASE));
        expect(error.code).to.equal('FIREDRILL_LOCKED');
        expect(error.message).to.include('locked by drill other-drill');
        expect(world.calls).to.deep.equal([]);
      } finally {
        lock.release();
      }
    });

    it('when the output folder cannot be written', async () => {
      // We run as root, where a 0o500 folder is still writable: a path under a regular file is not.
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const error = await refusalOf(drill(BASE, SCRIPTS, { outDir: join(file, 'out') }));
      expect(error.code).to.equal('FIREDRILL_PREFLIGHT');
      expect(error.message).to.include(`${join(file, 'out')} is not writable`);
      expect(world.calls).to.deep.equal([]);
    });
  });

  describe('whatever stops it after inject, the fault is reverted and verified and the journal is clean', () => {
    const throwers: { kind: string; make: () => Error; outcome: DrillResult['outcome'] }[] = [
      { kind: 'a FiredrillError', make: () => new FiredrillError('FIREDRILL_PREFLIGHT', 'a refusal too late to refuse'), outcome: 'errored' },
      { kind: 'a plain error', make: () => new TypeError('a bug in the harness'), outcome: 'errored' },
      { kind: 'a DrillAbort', make: () => new DrillAbort('nobody approved', 'gate:test'), outcome: 'aborted' },
    ];
    for (const phase of ['observe', 'revert', 'verify'] as const) {
      for (const thrower of throwers) {
        it(`${thrower.kind} before ${phase}`, async () => {
          const plugin: DrillPlugin = { name: 'thrower', beforePhase: (e) => { if (e.phase === phase) throw thrower.make(); } };
          const result = await drill(BASE, SCRIPTS, { plugins: [plugin] });
          expect(result.outcome).to.equal(thrower.outcome);
          expect(world.calls.slice(0, 3)).to.deep.equal(['inject:outage', 'revert:outage', 'verify:outage']);
          expect(result.faults.map((f) => f.verified)).to.deep.equal([true]);
          expect(journal().unreverted()).to.deep.equal([]);
        });
      }
      it(`an interrupt before ${phase}`, async () => {
        const interrupt = new AbortController();
        const plugin: DrillPlugin = { name: 'interrupter', beforePhase: (e) => { if (e.phase === phase) interrupt.abort('SIGINT received'); } };
        const result = await drill(BASE, SCRIPTS, { plugins: [plugin], interrupt: interrupt.signal });
        expect(result.outcome).to.equal('aborted');
        expect(result.aborted).to.deep.include({ guardrail: 'interrupt', reason: 'SIGINT received' });
        expect(world.calls.slice(0, 3)).to.deep.equal(['inject:outage', 'revert:outage', 'verify:outage']);
        expect(journal().unreverted()).to.deep.equal([]);
      });
    }
  });

  describe('plugins', () => {
    it('a gate holds the drill before inject until released, events arrive in order, artifacts are listed with their hash', async () => {
      let release!: () => void;
      let heldAt: number | undefined;
      const seen: TimelineEvent[] = [];
      const gate: DrillPlugin = {
        name: 'gate',
        beforeChange: (e) => new Promise<void>((resolve) => {
          heldAt = e.drill.clock.now();
          expect(world.faultAt, 'nothing injected while the gate holds').to.equal(undefined);
          release = resolve;
          setTimeout(() => release(), 100);
        }),
        onEvent: (e) => seen.push(e.event),
        artifacts: (e) => { e.addArtifact('report/notes.txt', `drill ${e.result.drillId}: ${e.result.outcome}\n`); },
      };
      const result = await drill(BASE, SCRIPTS, { plugins: [gate] });
      expect(result.outcome).to.equal('passed');
      const intent = result.faults[0]!.injectedAt!;
      expect(intent.t - heldAt!).to.be.at.least(99);
      const written = readFileSync(join(dir, 'out', 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TimelineEvent & { wall: string });
      expect(seen).to.deep.equal(written.map(({ wall: _wall, ...event }) => event));
      const notes = result.artifacts.find((a) => a.path === 'report/notes.txt')!;
      const bytes = readFileSync(join(dir, 'out', 'report', 'notes.txt'));
      expect(notes).to.deep.equal({ path: 'report/notes.txt', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
      const onDisk = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as DrillResult;
      expect(onDisk.artifacts).to.deep.include(notes);
    });

    it('a hook other than a gate that throws is logged, and the drill goes on', async () => {
      const lines: string[] = [];
      const broken: DrillPlugin = { name: 'broken', onEvent: () => { throw new Error('no'); }, onEnd: () => { throw new Error('nope'); } };
      const result = await drill(BASE, SCRIPTS, { plugins: [broken], log: (line) => lines.push(line) });
      expect(result.outcome).to.equal('passed');
      expect(lines).to.include('plugin broken: onEnd failed: nope');
      expect(lines).to.include('plugin broken: onEvent failed: no');
    });
  });
});
