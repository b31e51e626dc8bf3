import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Measurements } from '../core/measurements.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { DrillResult, Outcome } from '../runner/result.js';

/**
 * The drill history: one entry per drill, so later reports can graph a scenario's RTO over time
 * and flag regressions. Behind a small interface so a team whose CI runners are throwaway can
 * keep it in a shared store; the default is a local NDJSON file.
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
}

export interface HistoryStore {
  append(entry: HistoryEntry): Promise<void>;
  list(filter?: { scenario?: string; environment?: string }): Promise<HistoryEntry[]>;
}

export function historyEntryOf(result: DrillResult, resultPath: string): HistoryEntry {
  return {
    drillId: result.drillId,
    scenario: result.scenario.name,
    environment: result.environment,
    startedAt: result.startedAt,
    outcome: result.outcome,
    measurements: result.measurements,
    result: { path: resultPath, sha256: createHash('sha256').update(readFileSync(resultPath)).digest('hex') },
  };
}

export function localHistory(file: string): HistoryStore {
  return {
    async append(entry) {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, JSON.stringify(entry) + '\n');
    },
    async list(filter = {}) {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryEntry)
        .filter((e) => (!filter.scenario || e.scenario === filter.scenario) && (!filter.environment || e.environment === filter.environment));
    },
  };
}

/** Adds each drill to `store` once its `result.json` is written. */
export function historyPlugin(store: HistoryStore): DrillPlugin {
  return {
    name: 'history',
    async onEnd({ result, resultFile }) {
      await store.append(historyEntryOf(result, resultFile));
    },
  };
}
