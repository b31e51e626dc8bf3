import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Measurements } from '../core/measurements.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { Artifact, DrillResult, Outcome } from '../runner/result.js';

/**
 * The drill history: one entry per drill, so reports can graph a scenario's RTO over time, flag
 * regressions and list the evidence for an audit period. It lives in a `HistoryStore` (a local
 * NDJSON file, or an S3 bucket under Object Lock that every CI job and team shares); see
 * `DrillHistory` for how records are chained, signed and appended.
 *
 * The history is hash-chained: each record carries its place (`seq`), the SHA-256 of the record
 * before it and its own, and the SHA-256 of the result and every artefact it points at, so
 * `firedrill report verify` can name a record that was edited, removed or reordered.
 */
export interface HistoryEntry {
  drillId: string;
  scenario: string;
  environment: string;
  startedAt: string;
  outcome: Outcome;
  measurements: Measurements;
  /** Where the full result is, and its SHA-256, so an entry can be checked against it. */
  result: { path: string; sha256: string };
  /** The drill's artefacts as `result.json` lists them (paths relative to its folder). */
  artifacts?: Artifact[];
  /** Who ran the drill: `FIREDRILL_OPERATOR`, else user@host. */
  ranBy?: string;
}

/** Where a record sits in the chain. */
export interface ChainLinks {
  /** 1, 2, 3…: the record's place in the chain. */
  seq: number;
  /** The previous record's `sha256`; null for the first. */
  prevSha256: string | null;
  /** SHA-256 of this record's canonical JSON without this field. */
  sha256: string;
}

/** A drill's record (records written before sign-offs existed have no `kind`). */
export interface HistoryRecord extends HistoryEntry, ChainLinks {
  kind?: 'drill';
}

/** A game day's sign-off: an approver's own signed record naming the drill record it approves. */
export interface SignOffRecord extends ChainLinks {
  kind: 'sign-off';
  drillId: string;
  /** The drill record signed off: its place and its SHA-256. */
  approves: { seq: number; sha256: string };
  by: string;
  at: string;
}

export type ChainRecord = HistoryRecord | SignOffRecord;

export interface HistoryFilter {
  scenario?: string;
  environment?: string;
}

/** One stored record as the store holds it: its bytes, where it is, and what the store itself sees wrong with it. */
export interface StoredRecord {
  body: string;
  /** For messages: `history.ndjson: line 3`, `s3://bucket/history/00000003.json`. */
  where: string;
  /** What only the store can tell (an S3 record overwritten, deleted, or no longer under retention). */
  problems: string[];
}

/**
 * Where the history's records are kept. Records are written create-only: `create` stores a
 * record at its place in the chain unless that place is taken, and never overwrites, which is
 * how two writers finishing at the same moment cannot fork the chain (the loser re-reads and
 * takes the next place).
 */
export interface HistoryStore {
  /** Where the history lives, for messages. */
  readonly location: string;
  /** Whether the files a record points at are on this machine (the local store) or were left on the machine that ran the drill. */
  readonly filesAreLocal: boolean;
  /** Stores `body` as record `seq`; false when record `seq` already exists. */
  create(seq: number, body: string): Promise<boolean>;
  /** Every record from `fromSeq` (default 1) on, in chain order. */
  read(options?: { fromSeq?: number }): Promise<StoredRecord[]>;
  /** The record with the highest place, if any: where an append starts. */
  newest(): Promise<StoredRecord | undefined>;
  /** Refuses a store the records could not be kept in (an S3 bucket without Object Lock, or none): asked before a drill runs. */
  check?(): Promise<void>;
}

/** A stored record that is not a record at all: the store's own words for where it is. */
export class CorruptHistoryError extends Error {
  constructor(readonly where: string, detail: string) {
    super(`${where}: ${detail}`);
  }
}

export function historyEntryOf(result: DrillResult, resultPath: string, ranBy = operatorName()): HistoryEntry {
  return {
    drillId: result.drillId,
    scenario: result.scenario.name,
    environment: result.environment,
    startedAt: result.startedAt,
    outcome: result.outcome,
    measurements: result.measurements,
    result: { path: resultPath, sha256: sha256Of(readFileSync(resultPath)) },
    artifacts: result.artifacts,
    ranBy,
  };
}

export function operatorName(): string {
  return process.env.FIREDRILL_OPERATOR || `${userInfo().username}@${hostname()}`;
}

/** `record` (without its links) placed after `previous`, with its own hash. */
export function chainAfter<R extends ChainRecord>(record: Omit<R, keyof ChainLinks>, previous: ChainRecord | undefined): R {
  const unsigned = { ...record, seq: (previous?.seq ?? 0) + 1, prevSha256: previous?.sha256 ?? null };
  return { ...unsigned, sha256: recordHash(unsigned) } as R;
}

/** The hash a record must carry: over its canonical JSON (sorted keys) without `sha256`. */
export function recordHash(record: Omit<ChainRecord, 'sha256'> & { sha256?: string }): string {
  const { sha256: _ignored, ...rest } = record;
  return sha256Of(canonicalJson(rest));
}

export function sha256Of(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function isSignOff(record: ChainRecord): record is SignOffRecord {
  return record.kind === 'sign-off';
}

/** Appends every drill to the history once its `result.json` is on disk. */
export function historyPlugin(history: { location: string; check(): Promise<void>; append(entry: HistoryEntry, result: DrillResult): Promise<HistoryRecord> }): DrillPlugin {
  return {
    name: 'history',
    // A history that cannot take the record is found before the drill, not after it ran and the record is lost.
    async beforePhase({ phase }) {
      if (phase === 'preflight') await history.check();
    },
    async onEnd({ result, resultFile, log }) {
      const record = await history.append(historyEntryOf(result, resultFile), result);
      log(`history: record ${record.seq} in ${history.location}`);
    },
  };
}
