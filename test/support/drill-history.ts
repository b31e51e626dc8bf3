import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrillHistory } from '../../src/report/drill-history.js';
import { statementOf, type DsseEnvelope } from '../../src/report/dsse.js';
import { historyEntryOf, recordHash, type HistoryRecord } from '../../src/report/history.js';
import type { RecordPredicate } from '../../src/report/history-record.js';
import { localHistory } from '../../src/report/local-history.js';
import { generateKeyFile, keyFileSigner } from '../../src/report/signers.js';
import type { DrillResult } from '../../src/runner/result.js';
import { DRILL_FIXTURES } from './drill-fixtures.js';

/**
 * A drill history in a temp folder: copies of the real passed lab drill, one a day, each with
 * its RTO set (and its bounds moved with it) so a test can plant one slow run. Records are signed
 * with a key made for the history (`publicKey`: its public half, for `verify --public-key`).
 */
export interface PlantedHistory {
  history: DrillHistory;
  file: string;
  publicKey: string;
  runDirs: string[];
}

export async function plantHistory(dir: string, rtoSeconds: readonly number[]): Promise<PlantedHistory> {
  const file = join(dir, 'history.ndjson');
  const key = generateKeyFile(join(dir, 'runner-key.pem'));
  const history = new DrillHistory(localHistory(file), keyFileSigner(key.privateFile));
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
    await history.append(historyEntryOf(planted, resultFile, 'ci@runner'), planted);
    runDirs.push(runDir);
  }
  return { history, file, publicKey: key.publicFile, runDirs };
}

/** A stored line (a signed envelope) with its record changed as a forger would: the payload re-encoded, the signature left as it was. */
export function forgeRecord(line: string, change: (record: HistoryRecord) => void, options: { rehash?: boolean } = {}): string {
  const envelope = JSON.parse(line) as DsseEnvelope;
  const statement = statementOf<RecordPredicate>(envelope);
  const record = statement.predicate.record as HistoryRecord;
  change(record);
  if (options.rehash) record.sha256 = recordHash(record);
  return JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') });
}
