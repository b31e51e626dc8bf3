import type { Clock } from '../core/clock.js';
import type { PhaseName, RecordedTimeline, TimelineEvent } from '../core/timeline.js';
import type { Environment } from '../scenario/environment.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Artifact, DrillResult } from './result.js';

/** What every hook is told about the drill it runs in. */
export interface DrillInfo {
  drillId: string;
  scenario: LoadedScenario;
  environment: Environment;
  /** The drill's output folder. */
  outDir: string;
  clock: Clock;
  /** Puts an event on the drill's timeline (a note, a gate's approval); it is on record before anyone hears of it. */
  record(event: TimelineEvent): void;
}

/** Before a phase starts. A hook that returns a promise holds the drill until it settles (a manual gate). */
export interface PhaseGateEvent {
  drill: DrillInfo;
  phase: PhaseName;
  /** Aborted when the drill is (Ctrl-C, a guardrail, the maximum duration): stop waiting then. */
  signal: AbortSignal;
}

/** Before a fault is injected or a recovery step is applied; may hold the drill like a phase gate. */
export interface ChangeGateEvent {
  drill: DrillInfo;
  change: { name: string; kind: string; section: 'fault' | 'step' };
  signal: AbortSignal;
}

/** One timeline event, delivered in order, after it is on record. */
export interface DrillEventNotice {
  drill: DrillInfo;
  event: TimelineEvent;
}

/** The drill is over and its result assembled; files written here are listed in `result.json`. */
export interface ArtifactsEvent {
  drill: DrillInfo;
  /** The result as it will be written (without the artifacts still being added). */
  result: DrillResult;
  /** The timeline on disk (`timeline.ndjson`), complete. */
  timelineFile: string;
  /** The timeline in memory: its events, and its samples in columns (no sample objects). */
  timeline: RecordedTimeline;
  /** Writes a file under the drill's output folder and lists it with its SHA-256. */
  addArtifact(relativePath: string, content: string | Buffer): Artifact;
}

/** `result.json` is on disk: for what lives outside the drill's folder (history, metrics, reports). */
export interface DrillEndEvent {
  drill: DrillInfo;
  result: DrillResult;
  resultFile: string;
  log(line: string): void;
}

/**
 * The one seam through which everything beside the drill itself plugs in: gates, live views,
 * report writers, history, metrics. Every hook is optional and takes one event object. A hook
 * that throws is logged and does not stop the drill, except a gate: a gate that throws a
 * `DrillAbort` (nobody approved in time) aborts the drill, any other error makes it errored, and
 * either way everything it injected is reverted.
 */
export interface DrillPlugin {
  readonly name: string;
  beforePhase?(event: PhaseGateEvent): void | Promise<void>;
  beforeChange?(event: ChangeGateEvent): void | Promise<void>;
  onEvent?(event: DrillEventNotice): void;
  artifacts?(event: ArtifactsEvent): void | Promise<void>;
  onEnd?(event: DrillEndEvent): void | Promise<void>;
}
