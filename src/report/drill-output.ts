import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { SampleStore } from '../core/sample-store.js';
import { Timeline, type RecordedTimeline, type RecordEvent, type TimelineEvent } from '../core/timeline.js';
import { RESULT_FORMAT, type DrillResult } from '../runner/result.js';
import { FiredrillError } from '../runtime/errors.js';

/** A timeline event as `timeline.ndjson` stores it: with its wall-clock time. */
export type RecordedEvent = TimelineEvent & { wall: string };

/** What a drill left in its output folder, read back for the report writers. */
export interface DrillOutput extends RecordedTimeline {
  dir: string;
  resultFile: string;
  result: DrillResult;
  /** Every event but samples, which are in `samples` (columns: an hour of samples fits). */
  events: (RecordEvent & { wall: string })[];
  samples: SampleStore;
}

export function readDrillOutput(dir: string): DrillOutput {
  const resultFile = existsSync(dir) && statSync(dir).isFile() ? dir : join(dir, 'result.json');
  const folder = dirname(resultFile);
  const result = readResult(resultFile);
  const timelineFile = join(folder, 'timeline.ndjson');
  const timeline = existsSync(timelineFile) ? readTimeline(timelineFile) : new Timeline();
  return { dir: folder, resultFile, result, events: timeline.events as DrillOutput['events'], samples: timeline.samples };
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

const READ_CHUNK_BYTES = 1 << 20;

/**
 * `timeline.ndjson` read back a line at a time into a `Timeline`: samples go to columns, so a
 * one-hour drill's file (hundreds of megabytes) is never one string nor millions of objects.
 */
export function readTimeline(file: string): Timeline {
  const timeline = new Timeline();
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(READ_CHUNK_BYTES);
  const decoder = new StringDecoder('utf8'); // a character split between two chunks stays whole
  let rest = '';
  let lineNumber = 0;
  const add = (line: string) => {
    lineNumber++;
    if (!line) return;
    try {
      timeline.append(JSON.parse(line) as RecordedEvent);
    } catch {
      throw new FiredrillError('FIREDRILL_USAGE', `${file}: line ${lineNumber}: expected one JSON timeline event, got ${JSON.stringify(line.slice(0, 60))}`);
    }
  };
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      const lines = (rest + decoder.write(chunk.subarray(0, n))).split('\n');
      rest = lines.pop()!;
      for (const line of lines) add(line);
    }
    add(rest + decoder.end());
  } finally {
    closeSync(fd);
  }
  return timeline;
}
