import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { Measurements } from '../core/measurements.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { Artifact, DrillResult, Outcome } from '../runner/result.js';

/**
 * The drill history: one entry per drill, so reports can graph a scenario's RTO over time, flag
 * regressions and list the evidence for an audit period. Behind a small interface so a team whose
 * CI runners are throwaway can keep it in a shared store; the default is a local NDJSON file.
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

export interface HistoryRecord extends HistoryEntry {
  /** 1, 2, 3…: the record's place in the chain. */
  seq: number;
  /** The previous record's `sha256`; null for the first. */
  prevSha256: string | null;
  /** SHA-256 of this record's canonical JSON without this field. */
  sha256: string;
}

export interface HistoryFilter {
  scenario?: string;
  environment?: string;
}

export interface HistoryStore {
  /** Where the history lives, for messages. */
  readonly location: string;
  /** Chains the entry after the newest record and stores it. */
  append(entry: HistoryEntry): Promise<HistoryRecord>;
  /** Every record in stored order (the chain's order), optionally of one scenario or environment. */
  list(filter?: HistoryFilter): Promise<HistoryRecord[]>;
}

/** A line of the history that is not a JSON record: the store's own words for where it is. */
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

export function chainEntry(entry: HistoryEntry, previous: HistoryRecord | undefined): HistoryRecord {
  const unsigned = { ...entry, seq: (previous?.seq ?? 0) + 1, prevSha256: previous?.sha256 ?? null };
  return { ...unsigned, sha256: recordHash(unsigned) };
}

/** The hash a record must carry: over its canonical JSON (sorted keys) without `sha256`. */
export function recordHash(record: Omit<HistoryRecord, 'sha256'> & { sha256?: string }): string {
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

export function localHistory(file: string): HistoryStore {
  const readAll = (): HistoryRecord[] => {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as HistoryRecord];
      } catch {
        throw new CorruptHistoryError(`${file}: line ${i + 1}`, 'not a JSON record (edited by hand?)');
      }
    });
  };
  return {
    location: file,
    async append(entry) {
      mkdirSync(dirname(file), { recursive: true });
      const record = chainEntry(entry, readAll().at(-1));
      appendFileSync(file, JSON.stringify(record) + '\n');
      return record;
    },
    async list(filter = {}) {
      return readAll().filter((e) => (!filter.scenario || e.scenario === filter.scenario) && (!filter.environment || e.environment === filter.environment));
    },
  };
}

/** Appends every drill to the history once its `result.json` is on disk. */
export function historyPlugin(store: HistoryStore): DrillPlugin {
  return {
    name: 'history',
    async onEnd({ result, resultFile, log }) {
      const record = await store.append(historyEntryOf(result, resultFile));
      log(`history: record ${record.seq} in ${store.location}`);
    },
  };
}

