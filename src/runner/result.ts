import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wallTimeOf, type Clock } from '../core/clock.js';
import type { ProbeLateness } from '../core/lateness.js';
import type { Instant } from '../core/measurement.js';
import type { Measurements } from '../core/measurements.js';
import type { Milestones } from '../core/milestones.js';
import type { RecordedTimeline, TimelineEvent } from '../core/timeline.js';
import type { Target, Verdict } from '../core/verdicts.js';
import type { AwsChange } from '../aws/change-log.js';
import type { CallerIdentity } from '../aws/identity.js';
import { fileDigest } from '../runtime/file-digest.js';

/**
 * `result.json`, format `firedrill/result@1` (documented in the README). Times on the timeline
 * are milliseconds since `clockAnchor`; every instant also carries its wall-clock time.
 */
export const RESULT_FORMAT = 'firedrill/result@1';

/**
 * `failed`: the system missed a target or a check (a finding). `aborted`: a guardrail or a person
 * stopped the drill. `errored`: the harness itself broke — not evidence about the system.
 */
export type Outcome = 'passed' | 'failed' | 'aborted' | 'errored';

export interface InstantRecord extends Instant {
  wall: string;
}

export interface FaultRecord {
  name: string;
  kind: string;
  injectedAt: InstantRecord | null;
  revertedAt: InstantRecord | null;
  /** True once the revert was checked (the proxy passes traffic, the experiment reads stopped…). */
  verified: boolean;
  error?: string;
}

export interface Artifact {
  path: string;
  sha256: string;
  bytes: number;
}

/** Someone at a game day, and the part they play. */
export interface Person { name: string; role: 'commander' | 'observer' | 'scribe' }

/** A game day's people and what they did, filled in by the game-day plugin. */
export interface GameDayRecord {
  people: Person[];
  approvals: { gate: string; by: string; via: string; t: number; wall: string }[];
  /** Notes in time order; those with `noteKind: action` (owner, due date) are the corrective actions. */
  notes: { t: number; wall: string; message: string; author?: string; noteKind?: string; owner?: string; due?: string }[];
  /** After the drill (`run --review`): the lessons learned and who signed the record. */
  review?: ReviewRecord;
}

/** The review held after a drill, before `result.json` is written (so the history's hash covers it). */
export interface ReviewRecord {
  openedAt: string;
  closedAt: string;
  /** `sign-off`: someone signed and closed it; `timeout`: nobody closed it in time; `interrupted`: Ctrl-C. */
  closedBy: 'sign-off' | 'timeout' | 'interrupted';
  lessons: { message: string; author: string; wall: string }[];
  signOff: { name: string; role: string; wall: string }[];
}

export interface DrillResult {
  format: typeof RESULT_FORMAT;
  drillId: string;
  scenario: { name: string; file: string; sha256: string; description?: string };
  environment: string;
  /** Who ran the drill: the caller STS named in preflight (environments with an `aws` section). */
  caller?: CallerIdentity;
  /**
   * What an auditor matches against the account's own records: the firedrill version that ran the
   * drill, and every AWS call that changed something, with the request id CloudTrail lists it under
   * (absent in results written before it existed). The scenario's SHA-256 and the caller are above.
   */
  provenance?: { firedrill: string; awsChanges: AwsChange[] };
  startedAt: string;
  endedAt: string;
  clockAnchor: string;
  outcome: Outcome;
  aborted: { reason: string; guardrail?: string; at: number } | null;
  phases: { phase: string; start: number; end: number | null; outcome: string }[];
  milestones: { [K in keyof Milestones]: InstantRecord | null };
  measurements: Measurements;
  targets: Target[];
  verdicts: Verdict[];
  faults: FaultRecord[];
  steps: FaultRecord[];
  checks: { name: string; ok: boolean; detail: string }[];
  samples: { total: number; failed: number; byProbe: Record<string, { total: number; failed: number }> };
  /** How late the probe engine sent each probe's samples against their schedule (absent in results written before it existed). */
  probeLateness?: Record<string, ProbeLateness>;
  /** Service that answered once after the fault and failed again before T_recovered held (absent when it did not). */
  recoveryFlap?: { firstAnswer: InstantRecord; failedAfter: number; samplesAfter: number };
  /** What the reader should know that is not a verdict (a probe engine that fell behind). */
  warnings?: string[];
  artifacts: Artifact[];
  /** Present when the drill ran with the game-day plugin (gates, people, notes). */
  gameDay?: GameDayRecord;
}

export function instantRecord(clock: Pick<Clock, 'anchorWallMs'>, instant: Instant | null): InstantRecord | null {
  return instant ? { ...instant, wall: wallTimeOf(clock, instant.t).toISOString() } : null;
}

/** Writes a file into the drill's folder and returns it as an artifact with its SHA-256. */
export function writeArtifact(outDir: string, relative: string, content: string | Buffer): Artifact {
  writeFileSync(join(outDir, relative), content);
  return artifactOf(outDir, relative);
}

export function artifactOf(outDir: string, relative: string): Artifact {
  return { path: relative, ...fileDigest(join(outDir, relative)) };
}

/** One line of `timeline.ndjson`: the event with its wall-clock time first. */
export function timelineLine(clock: Pick<Clock, 'anchorWallMs'>, event: TimelineEvent): string {
  // Spliced rather than spread: this runs for every sample.
  return `{"wall":"${wallTimeOf(clock, event.t).toISOString()}",${JSON.stringify(event).slice(1)}\n`;
}

export function summarizeSamples(timeline: RecordedTimeline): DrillResult['samples'] {
  const byProbe: Record<string, { total: number; failed: number }> = {};
  for (const probe of timeline.samples.probes()) {
    const own = timeline.samples.of(probe)!;
    byProbe[probe] = { total: own.length, failed: own.failed };
  }
  const all = Object.values(byProbe);
  return { total: all.reduce((n, p) => n + p.total, 0), failed: all.reduce((n, p) => n + p.failed, 0), byProbe };
}
