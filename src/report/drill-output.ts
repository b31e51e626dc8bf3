import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TimelineEvent } from '../core/timeline.js';
import { RESULT_FORMAT, type DrillResult } from '../runner/result.js';
import { FiredrillError } from '../runtime/errors.js';

/** A timeline event as `timeline.ndjson` stores it: with its wall-clock time. */
export type RecordedEvent = TimelineEvent & { wall: string };

/** What a drill left in its output folder, read back for the report writers. */
export interface DrillOutput {
  dir: string;
  resultFile: string;
  result: DrillResult;
  events: RecordedEvent[];
}

export function readDrillOutput(dir: string): DrillOutput {
  const resultFile = existsSync(dir) && statSync(dir).isFile() ? dir : join(dir, 'result.json');
  const folder = dirname(resultFile);
  const result = readResult(resultFile);
  const timelineFile = join(folder, 'timeline.ndjson');
  return { dir: folder, resultFile, result, events: existsSync(timelineFile) ? readTimeline(timelineFile) : [] };
}

export function readResult(file: string): DrillResult {
  if (!existsSync(file)) throw new FiredrillError('FIREDRILL_USAGE', `${file}: no such file (expected a drill's output folder or its result.json)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FiredrillError('FIREDRILL_USAGE', `${file}: expected a firedrill result (JSON), got invalid JSON: ${(error as Error).message}`);
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (format !== RESULT_FORMAT) throw new FiredrillError('FIREDRILL_USAGE', `${file}: format: expected "${RESULT_FORMAT}", got ${JSON.stringify(format)}`);
  return parsed as DrillResult;
}

export function readTimeline(file: string): RecordedEvent[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line, i) => {
    try {
      return JSON.parse(line) as RecordedEvent;
    } catch {
      throw new FiredrillError('FIREDRILL_USAGE', `${file}: line ${i + 1}: expected one JSON timeline event, got ${JSON.stringify(line.slice(0, 60))}`);
    }
  });
}
