import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyEntryOf, localHistory, type HistoryStore } from '../../src/report/history.js';
import type { DrillResult } from '../../src/runner/result.js';
import { DRILL_FIXTURES } from './drill-fixtures.js';

/**
 * A drill history in a temp folder: copies of the real passed lab drill, one a day, each with
 * its RTO set (and its bounds moved with it) so a test can plant one slow run.
 */
export interface PlantedHistory {
  store: HistoryStore;
  file: string;
  runDirs: string[];
}

export async function plantHistory(dir: string, rtoSeconds: readonly number[]): Promise<PlantedHistory> {
  const file = join(dir, 'history.ndjson');
  const store = localHistory(file);
  const runDirs: string[] = [];
  for (const [i, seconds] of rtoSeconds.entries()) {
    const runDir = join(dir, `run-${i + 1}`);
    cpSync(join(DRILL_FIXTURES, 'passed'), runDir, { recursive: true });
    const resultFile = join(runDir, 'result.json');
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as DrillResult;
    const rto = result.measurements.rtoMs!;
    const shift = seconds * 1000 - rto.value;
    const day = new Date(Date.parse(result.startedAt) + i * 86_400_000).toISOString();
    const planted: DrillResult = {
      ...result,
      drillId: `lab-demo-day${i + 1}`,
      startedAt: day,
      endedAt: new Date(Date.parse(day) + 8800).toISOString(),
      measurements: { ...result.measurements, rtoMs: { value: rto.value + shift, lower: rto.lower + shift, upper: rto.upper + shift } },
    };
    writeFileSync(resultFile, JSON.stringify(planted, null, 2));
    await store.append(historyEntryOf(planted, resultFile, 'ci@runner'));
    runDirs.push(runDir);
  }
  return { store, file, runDirs };
}
