import type { Instant } from './measurement.js';
import { SampleStore } from './sample-store.js';

/**
 * Everything a drill saw, in order, on one monotonic timeline. Times (`t`) are milliseconds
 * since the drill's clock anchor. Verdicts and reports read only this record; they never call
 * an adapter.
 */
export type PhaseName = 'preflight' | 'steady-state' | 'inject' | 'observe' | 'revert' | 'verify';

export interface PhaseEvent {
  kind: 'phase';
  t: number;
  phase: PhaseName;
  state: 'start' | 'end';
  outcome?: 'ok' | 'failed' | 'skipped';
  detail?: string;
}

/** One sample of a probe: taken at `t` (when the request was sent), answered `latencyMs` later. */
export interface SampleEvent {
  kind: 'sample';
  t: number;
  /** When the schedule meant to send it: `t − plannedT` is how late the probe engine was. */
  plannedT?: number;
  probe: string;
  ok: boolean;
  latencyMs: number;
  /** The Region (or side) that served the sample, when the probe can tell. */
  region?: string;
  /** Where the sample was taken from; one vantage point per probe instance for now. */
  vantage?: string;
  status?: number;
  error?: string;
  detail?: Record<string, unknown>;
  /** Files attached as evidence (screenshots, bodies), relative to the drill's output folder. */
  evidence?: string[];
}

/** The state of a signal whose source did not answer: never healthy, never a detection. */
export const UNKNOWN_STATE = 'unknown';

/**
 * A signal changed state. `at` is when the change happened: from the source's own clock when it
 * has one (an alarm's history timestamp), else bracketed by the poll that saw it and the one before.
 * `observedT` is when firedrill saw it: the gap between the two is worth reporting.
 */
export interface SignalEvent {
  kind: 'signal';
  t: number;
  signal: string;
  state: string;
  previous?: string;
  at: Instant;
  observedT: number;
  source: 'source-clock' | 'observed';
  detail?: Record<string, unknown>;
}

export type FaultAction = 'inject-intent' | 'injected' | 'revert-start' | 'reverted' | 'verified' | 'revert-failed' | 'failed';

export interface FaultEvent {
  kind: 'fault';
  t: number;
  fault: string;
  faultKind: string;
  action: FaultAction;
  /** For `injected` and `reverted`: when the fault really took (or left) effect. */
  at?: Instant;
  detail?: Record<string, unknown>;
  error?: string;
}

export interface GuardrailEvent {
  kind: 'guardrail';
  t: number;
  guardrail: string;
  reason: string;
}

export interface NoteEvent {
  kind: 'note';
  t: number;
  message: string;
  author?: string;
  /** What the note is, on a game day; a corrective action has an owner and a due date. */
  noteKind?: 'observation' | 'deviation' | 'action';
  owner?: string;
  due?: string;
}

/** A manual gate: waiting for a person, approved (by whom, through what), or timed out. */
export interface GateEvent {
  kind: 'gate';
  t: number;
  gate: string;
  state: 'waiting' | 'approved' | 'timed-out';
  by?: string;
  /** How the approval came: `cli` (`firedrill approve`), `page` (the live view), `ci` (the scenario's automatic decision). */
  via?: 'cli' | 'page' | 'ci';
}

/** A data canary's write or read, for RPO. */
export interface CanaryEvent {
  kind: 'canary';
  t: number;
  canary: string;
  action: 'write' | 'read';
  /** For writes: the sequence number acknowledged (or failed). */
  seq?: number;
  ok: boolean;
  /**
   * For reads: the newest sequence number that survived on the recovered side before the first
   * lost write (a canary that keeps writing after failover has newer rows that say nothing about
   * the loss), and how many acknowledged writes the recovered side lacks.
   */
  newestSeq?: number;
  lost?: number;
  /** For reads: the timeline time that surviving canary was acknowledged at. */
  newestCommitT?: number;
  error?: string;
}

export type TimelineEvent = PhaseEvent | SampleEvent | SignalEvent | FaultEvent | GuardrailEvent | NoteEvent | GateEvent | CanaryEvent;

/** Every event but samples: few enough to keep as objects (samples live in a `SampleStore`). */
export type RecordEvent = Exclude<TimelineEvent, SampleEvent>;

export type TimelineListener = (event: TimelineEvent) => void;

/** What a drill recorded: its events, and its samples in columns. What the core reads after a drill. */
export interface RecordedTimeline {
  readonly events: readonly RecordEvent[];
  readonly samples: SampleStore;
}

/** An append-only record that others can subscribe to (live views, guardrails, milestones, the file). */
export class Timeline implements RecordedTimeline {
  readonly events: RecordEvent[] = [];
  readonly samples = new SampleStore();
  private readonly listeners = new Set<TimelineListener>();

  /** A timeline holding `events`, e.g. read back from `timeline.ndjson`. */
  static of(events: Iterable<TimelineEvent>): Timeline {
    const timeline = new Timeline();
    for (const event of events) timeline.append(event);
    return timeline;
  }

  append(event: TimelineEvent): void {
    if (event.kind === 'sample') this.samples.add(event);
    else this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: TimelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  of<K extends RecordEvent['kind']>(kind: K): Extract<RecordEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<RecordEvent, { kind: K }> => e.kind === kind);
  }
}
