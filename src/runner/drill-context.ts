import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsChange } from '../aws/change-log.js';
import { recordingInto } from '../aws/clients.js';
import type { CallerIdentity } from '../aws/identity.js';
import { createClock, type Clock } from '../core/clock.js';
import { MilestoneTracker } from '../core/milestone-tracker.js';
import type { MilestoneRules, Milestones } from '../core/milestones.js';
import { Timeline, type PhaseName, type TimelineEvent } from '../core/timeline.js';
import type { Canary } from '../probes/canary.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { ScenarioSpec } from '../scenario/schema.js';
import { ChangeLedger } from './change-ledger.js';
import { DrillAbort } from './guardrails.js';
import { Journal } from './journal.js';
import type { AdapterEnv, Kinds } from './kinds.js';
import type { EnvironmentLock } from './lock.js';
import { milestoneRulesOf, newDrillId } from './scenario-rules.js';
import type { DrillInfo, DrillPlugin } from './plugin.js';
import { PluginHost } from './plugin-host.js';
import { writeArtifact, type Artifact, type DrillResult } from './result.js';
import type { Schedule } from './schedule.js';
import { TimelineFile } from './timeline-file.js';

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
  /** Gates, live views, report writers, history, metrics: see `DrillPlugin`. */
  plugins?: readonly DrillPlugin[];
  onEvent?: (event: TimelineEvent) => void;
  log?: (line: string) => void;
  /** How long one revert may take before it counts as failed (default two minutes). */
  revertTimeoutMs?: number;
}

/** Everything the phases of one drill share; the phases are the only ones that change it. */
export class DrillContext {
  readonly scenario: LoadedScenario;
  readonly spec: ScenarioSpec;
  readonly environment: Environment;
  readonly kinds: Kinds;
  readonly outDir: string;
  readonly stateDir: string;
  readonly clock: Clock;
  readonly drillId: string;
  readonly log: (line: string) => void;
  readonly interrupt: AbortSignal | undefined;
  readonly timeline = new Timeline();
  readonly timelineFile: TimelineFile;
  readonly journal: Journal;
  readonly ledger: ChangeLedger;
  readonly plugins: PluginHost;
  readonly info: DrillInfo;
  readonly adapterEnv: AdapterEnv;
  readonly milestoneRules: MilestoneRules;
  private readonly milestoneTracker: MilestoneTracker;
  readonly phases: DrillResult['phases'] = [];
  readonly checks: DrillResult['checks'] = [];
  readonly evidence: Artifact[] = [];
  /** Every AWS call that changed something, through any target the drill gave out (the result's provenance). */
  readonly awsChanges: AwsChange[] = [];
  /** Files samples attached as evidence (relative to the output folder); samples themselves are not kept as objects. */
  readonly sampleEvidence = new Set<string>();
  /** Each probe's sampling interval, once it is created: what its lateness is judged against. */
  readonly probeIntervalsMs = new Map<string, number>();
  /** What stops when the drill does: probe schedules, signal polls, their clients. */
  readonly running: { schedules: Schedule[]; closers: (() => Promise<void>)[]; canaries: Canary[] } = { schedules: [], closers: [], canaries: [] };
  lock: EnvironmentLock | undefined;
  /** Who the drill's AWS credentials belong to (environments with an `aws` section). */
  caller: CallerIdentity | undefined;
  /** When observation ended (the start of revert, or the abort): availability is counted up to here. */
  observeEnd: number | undefined;
  private readonly abortController = new AbortController();

  constructor(options: RunOptions) {
    this.scenario = options.scenario;
    this.spec = options.scenario.spec;
    this.environment = options.environment;
    this.kinds = options.kinds;
    this.outDir = options.outDir;
    this.stateDir = options.stateDir;
    this.clock = options.clock ?? createClock();
    this.log = options.log ?? (() => {});
    this.interrupt = options.interrupt;
    this.drillId = options.drillId ?? newDrillId(this.spec.scenario, new Date(this.clock.anchorWallMs));
    this.adapterEnv = { environment: this.environment, awsTarget: (region) => recordingInto(awsTargetOf(this.environment, region), this.awsChanges) };
    this.milestoneRules = milestoneRulesOf(this.scenario);
    this.journal = Journal.forEnvironment(this.stateDir, this.environment.name);
    this.timelineFile = new TimelineFile(this.clock);
    this.milestoneTracker = new MilestoneTracker(this.milestoneRules, this.timeline.samples);
    this.info = { drillId: this.drillId, scenario: this.scenario, environment: this.environment, outDir: this.outDir, clock: this.clock, record: (event) => this.record(event) };
    const onEvent = options.onEvent;
    this.plugins = new PluginHost([...(onEvent ? [{ name: 'onEvent', onEvent: ({ event }: { event: TimelineEvent }) => onEvent(event) }] : []), ...(options.plugins ?? [])], this.log);
    // The file first: an event is on record before anyone is told about it.
    this.timeline.subscribe((event) => this.timelineFile.write(event));
    this.timeline.subscribe((event) => this.milestoneTracker.add(event));
    this.timeline.subscribe((event) => { if (event.kind === 'sample') for (const file of event.evidence ?? []) this.sampleEvidence.add(file); });
    this.timeline.subscribe((event) => this.plugins.notify(this.info, event));
    this.ledger = new ChangeLedger({
      journal: this.journal,
      environment: this.environment.name,
      clock: this.clock,
      record: (event) => this.record(event),
      log: this.log,
      awsChanges: this.awsChanges,
      keepEvidence: (name, record) => {
        mkdirSync(join(this.outDir, 'evidence'), { recursive: true });
        this.evidence.push(writeArtifact(this.outDir, join('evidence', `${name}.json`), JSON.stringify(record, null, 2) + '\n'));
      },
      ...(options.revertTimeoutMs !== undefined ? { revertTimeoutMs: options.revertTimeoutMs } : {}),
    });
  }

  /** Aborted when the drill is stopped: by an interrupt, a guardrail or its maximum duration. */
  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  record(event: TimelineEvent): void {
    this.timeline.append(event);
  }

  /** Stops the drill (once): the reason goes on the timeline, and every phase's wait ends. */
  stop(reason: DrillAbort): void {
    if (this.signal.aborted) return;
    this.record({ kind: 'guardrail', t: this.clock.now(), guardrail: reason.guardrail ?? 'abort', reason: reason.reason });
    this.abortController.abort(reason);
  }

  milestones(): Milestones {
    return this.milestoneTracker.current();
  }

  /** Reverts what the drill changed, newest first; says loudly what could not be. */
  async revertChanges(): Promise<void> {
    for (const outcome of await this.ledger.revertAll()) {
      if (outcome.status === 'failed') this.log(`REVERT FAILED for ${outcome.name}: ${outcome.error} — it stays in the journal; run "firedrill cleanup"`);
    }
  }

  /** Runs one phase: its gates first, then the body between a start and an end event. */
  async phase<T>(name: PhaseName, body: () => Promise<T>): Promise<T> {
    await this.plugins.beforePhase(this.info, name, this.signal);
    const record: DrillResult['phases'][number] = { phase: name, start: this.clock.now(), end: null, outcome: 'ok' };
    this.phases.push(record);
    this.record({ kind: 'phase', t: record.start, phase: name, state: 'start' });
    try {
      return await body();
    } catch (error) {
      record.outcome = 'failed';
      throw error;
    } finally {
      record.end = this.clock.now();
      this.record({ kind: 'phase', t: record.end, phase: name, state: 'end', outcome: record.outcome as 'ok' | 'failed' });
    }
  }

  /** Resolves after `ms`, or as soon as `done` holds; throws if the drill is stopped meanwhile. */
  waitUntil(ms: number, done: () => boolean = () => false): Promise<boolean> {
    const signal = this.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      if (done()) return resolve(true);
      const finish = (value: boolean | Error) => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        value instanceof Error ? reject(value) : resolve(value);
      };
      const onAbort = () => finish(signal.reason as Error);
      const timer = setTimeout(() => finish(done()), Math.max(0, ms));
      const unsubscribe = this.timeline.subscribe(() => { if (done()) finish(true); });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
