import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { TimelineEvent } from '../core/timeline.js';
import { timelineLine } from './result.js';

export const TIMELINE_FILE = 'timeline.ndjson';

/** Samples wait at most this long in memory before they are written. */
export const SAMPLE_FLUSH_MS = 200;

/**
 * `timeline.ndjson`, written as the drill runs, so a drill that is killed still leaves its
 * evidence and others can follow it with `tail -f`. Every event but a sample is written (with
 * the samples before it) before the drill's other listeners hear of it; samples are written in
 * batches at most `SAMPLE_FLUSH_MS` later, so thousands of samples a second cost a few writes, and
 * a drill killed with SIGKILL loses at most the samples of that window. Writes go to the kernel
 * (they survive the process, not a crash of the machine); the journal is what is fsynced.
 * Events before the output folder is known to be writable wait in memory.
 */
export class TimelineFile {
  private fd: number | undefined;
  private path: string | undefined;
  private buffered: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clock: Pick<Clock, 'anchorWallMs'>) {}

  get file(): string | undefined {
    return this.path;
  }

  open(outDir: string): void {
    const path = join(outDir, TIMELINE_FILE);
    this.fd = openSync(path, 'w');
    this.path = path;
    this.flush();
  }

  write(event: TimelineEvent): void {
    this.buffered.push(timelineLine(this.clock, event));
    if (this.fd === undefined) return;
    if (event.kind !== 'sample') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), SAMPLE_FLUSH_MS);
  }

  /** Writes what is buffered and closes the file. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    writeSync(this.fd, text);
  }
}
