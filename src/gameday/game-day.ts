import { formatDuration } from '../core/duration.js';
import { wallTimeOf } from '../core/clock.js';
import type { GateEvent, NoteEvent, TimelineEvent } from '../core/timeline.js';
import type { ScenarioSpec, GateSpec } from '../scenario/schema.js';
import { FiredrillError } from '../runtime/errors.js';
import { DrillAbort } from '../runner/guardrails.js';
import type { ArtifactsEvent, ChangeGateEvent, DrillEventNotice, DrillInfo, DrillPlugin, PhaseGateEvent } from '../runner/plugin.js';
import type { GameDayRecord, Person } from '../runner/result.js';
import { GameDayRefusal } from './refusal.js';
import { Review, type Lesson, type ReviewState, type SignOff } from './review.js';

export type { Person } from '../runner/result.js';
export { GameDayRefusal } from './refusal.js';

/** A note as a person writes it (`firedrill note`, the live page). */
export interface NoteInput {
  message: string;
  author: string;
  noteKind?: NonNullable<NoteEvent['noteKind']>;
  owner?: string;
  due?: string;
}

interface PendingGate {
  spec: GateSpec;
  approve(by: string, via: NonNullable<GateEvent['via']>): void;
}

/** What anyone watching may act on: approve a waiting gate, put a note on the timeline, review the drill. */
export interface GameDayControls {
  /** The names of the gates waiting for a person, in the order they started waiting. */
  pending(): { gate: string; runbook: string[]; waitingSince: number; timeoutMs: number }[];
  /** Throws (with a message for the person) when no gate of that name is waiting. */
  approve(gate: string, by: string, via: 'cli' | 'page'): void;
  note(note: NoteInput): void;
  /** After the drill, while its review is open (`run --review`): a lesson learned, a sign-off. */
  lesson(lesson: Lesson): void;
  signOff(signOff: SignOff): void;
  review(): ReviewState | null;
  /** Every event so far but samples, then each new one: for live views. */
  subscribe(listener: (event: TimelineEvent) => void): () => void;
}

export interface GameDayOptions {
  gates: readonly GateSpec[];
  people: readonly Person[];
  ci: boolean;
  /** Hold the result open for lessons and sign-offs after the drill, for at most this long. */
  reviewTimeoutMs?: number;
  /** Ctrl-C: closes the review with what it has. */
  interrupt?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * The game day as a plugin: the scenario's manual gates hold the drill until a person approves
 * (or abort it at their timeout), notes go on the timeline with their author, and the people,
 * approvals and notes go into `result.json` — after a review of the drill (lessons, sign-offs)
 * when asked for one. In CI a gate never waits: `ci: approve` decides at
 * once, and a scenario with any other gate is refused before it starts (`assertUnattended`).
 */
export class GameDay implements DrillPlugin, GameDayControls {
  readonly name = 'game-day';
  private drill: DrillInfo | undefined;
  private readonly waiting = new Map<string, PendingGate & { since: number }>();
  private readonly events: TimelineEvent[] = [];
  private readonly listeners = new Set<(event: TimelineEvent) => void>();
  private readonly reviewing = new Review();

  constructor(private readonly options: GameDayOptions) {}

  /** In CI nothing waits for a person. */
  get unattended(): boolean {
    return this.options.ci;
  }

  beforePhase({ drill, phase, signal }: PhaseGateEvent): Promise<void> {
    this.drill = drill;
    return this.pass(this.options.gates.filter((g) => g.before === phase), signal);
  }

  beforeChange({ drill, change, signal }: ChangeGateEvent): Promise<void> {
    this.drill = drill;
    const matches = (g: GateSpec) => typeof g.before === 'object' && ('fault' in g.before ? change.section === 'fault' && g.before.fault === change.name : change.section === 'step' && g.before.step === change.name);
    return this.pass(this.options.gates.filter(matches), signal);
  }

  onEvent({ drill, event }: DrillEventNotice): void {
    this.drill = drill;
    if (event.kind !== 'sample') this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  async artifacts({ drill, result }: ArtifactsEvent): Promise<void> {
    const wall = (t: number) => wallTimeOf(drill.clock, t).toISOString();
    const review = this.options.reviewTimeoutMs === undefined || this.options.ci ? undefined : await this.holdReview(result.outcome, this.options.reviewTimeoutMs);
    const record: GameDayRecord = {
      people: [...this.options.people],
      approvals: this.events.filter((e): e is GateEvent => e.kind === 'gate' && e.state === 'approved')
        .map((e) => ({ gate: e.gate, by: e.by ?? 'unknown', via: e.via ?? 'cli', t: e.t, wall: wall(e.t) })),
      notes: this.events.filter((e): e is NoteEvent => e.kind === 'note')
        .map(({ kind: _kind, ...note }) => ({ ...note, wall: wall(note.t) })),
      ...(review ? { review } : {}),
    };
    result.gameDay = record;
  }

  pending(): ReturnType<GameDayControls['pending']> {
    return [...this.waiting.values()].map((g) => ({ gate: g.spec.name, runbook: g.spec.runbook, waitingSince: g.since, timeoutMs: g.spec.timeout }));
  }

  approve(gate: string, by: string, via: 'cli' | 'page'): void {
    const pending = this.waiting.get(gate);
    if (!pending) {
      const waiting = [...this.waiting.keys()];
      throw new GameDayRefusal(`gate "${gate}" is not waiting for approval (${waiting.length ? `waiting: ${waiting.join(', ')}` : 'no gate is waiting'})`);
    }
    pending.approve(by, via);
  }

  note(note: NoteInput): void {
    const drill = this.requireDrill();
    const event: NoteEvent = { kind: 'note', t: drill.clock.now(), ...note };
    if (!this.reviewing.isOpen) return drill.record(event);
    // The timeline is closed once the drill is over: a note made in the review goes into the result, and to the live views.
    this.onEvent({ drill, event });
  }

  lesson(lesson: Lesson): void {
    this.reviewing.addLesson(lesson);
  }

  signOff(signOff: SignOff): void {
    this.reviewing.signOff(signOff);
  }

  review(): ReviewState | null {
    return this.reviewing.state();
  }

  subscribe(listener: (event: TimelineEvent) => void): () => void {
    for (const event of this.events) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private holdReview(outcome: string, timeoutMs: number): ReturnType<Review['hold']> {
    this.options.log?.(`review: the drill is over (${outcome.toUpperCase()}), its faults reverted; until someone signs off with --close (or ${formatDuration(timeoutMs)} pass), this goes into result.json:\n`
      + '  firedrill lesson "what we learned" · firedrill note "…" --kind action --owner NAME --due DATE · firedrill signoff --role ROLE [--close]');
    return this.reviewing.hold({ outcome, timeoutMs, ...(this.options.interrupt ? { interrupt: this.options.interrupt } : {}) });
  }

  private requireDrill(): DrillInfo {
    if (!this.drill) throw new GameDayRefusal('the drill has not started yet');
    return this.drill;
  }

  private async pass(gates: GateSpec[], signal: AbortSignal): Promise<void> {
    for (const gate of gates) await this.hold(gate, signal);
  }

  /** Resolves when a person approves; a `DrillAbort` at the timeout; gives up when the drill stops. */
  private hold(gate: GateSpec, signal: AbortSignal): Promise<void> {
    const drill = this.requireDrill();
    const record = (event: Omit<GateEvent, 'kind' | 't' | 'gate'>) => drill.record({ kind: 'gate', t: drill.clock.now(), gate: gate.name, ...event });
    if (this.options.ci) {
      // assertUnattended refused every other gate before the drill started.
      record({ state: 'approved', by: 'ci', via: 'ci' });
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(gate.name);
        error ? reject(error) : resolve();
      };
      const onAbort = () => finish(signal.reason as Error);
      const timer = setTimeout(() => {
        record({ state: 'timed-out' });
        finish(new DrillAbort(`gate ${gate.name}: nobody approved within ${formatDuration(gate.timeout)}`, `gate:${gate.name}`));
      }, gate.timeout);
      this.waiting.set(gate.name, {
        spec: gate,
        since: drill.clock.now(),
        approve: (by, via) => {
          record({ state: 'approved', by, via });
          finish();
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      record({ state: 'waiting' });
      this.options.log?.(`gate ${gate.name}: waiting for approval (firedrill approve ${gate.name}), at most ${formatDuration(gate.timeout)}${gate.runbook.map((step) => `\n  [ ] ${step}`).join('')}`);
    });
  }
}

/** CI mode never waits for a person: a manual gate without an automatic decision refuses the drill before it starts. */
export function assertUnattended(spec: ScenarioSpec, file: string): void {
  const manual = spec.gates.map((g, i) => ({ g, i })).filter(({ g }) => g.ci !== 'approve');
  if (!manual.length) return;
  throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${file}: CI mode never waits for a person, and this scenario has manual gate(s):`,
    manual.map(({ g, i }) => `gates[${i}] "${g.name}": set "ci: approve" to decide automatically in CI, or run without --ci (and without CI=true)`));
}
