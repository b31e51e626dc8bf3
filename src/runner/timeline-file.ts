import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { TimelineEvent } from '../core/timeline.js';
import { timelineLine } from './result.js';

export const TIMELINE_FILE = 'timeline.ndjson';

/**
 * `timeline.ndjson`, written as the drill runs, so a drill that is killed still leaves its
 * evidence and others can follow it with `tail -f`. Events before the output folder is known to
 * be writable wait in memory; each later one is on disk before the drill's other listeners hear it.
 */
export class TimelineFile {
  private path: string | undefined;
  private readonly pending: TimelineEvent[] = [];

  constructor(private readonly clock: Pick<Clock, 'anchorWallMs'>) {}

  get file(): string | undefined {
    return this.path;
  }

  open(outDir: string): void {
    const path = join(outDir, TIMELINE_FILE);
    writeFileSync(path, this.pending.splice(0).map((e) => timelineLine(this.clock, e)).join(''));
    this.path = path;
  }

  write(event: TimelineEvent): void {
    if (this.path) appendFileSync(this.path, timelineLine(this.clock, event));
    else this.pending.push(event);
  }
}
