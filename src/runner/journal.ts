import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * The on-disk record of faults injected and not yet reverted. The intent is written and flushed
 * before a fault is injected, its revert state as soon as it is known, and the entry is marked
 * reverted only after the revert was verified: whatever kills the drill, `firedrill cleanup`
 * finds here what to undo.
 */
export interface JournalEntry {
  drillId: string;
  environment: string;
  name: string;
  kind: string;
  /** The fault's settings as validated (JSON), so cleanup needs no scenario file. */
  settings: JsonValue;
  state: JsonObject;
  status: 'intent' | 'injected' | 'reverted';
  updatedAt: string;
}

export class Journal {
  /** Writes one after another, each reading what the one before wrote. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static forEnvironment(stateDir: string, environment: string): Journal {
    return new Journal(join(stateDir, 'journal', `${environment}.json`));
  }

  read(): JournalEntry[] {
    if (!existsSync(this.file)) return [];
    return (JSON.parse(readFileSync(this.file, 'utf8')) as { entries: JournalEntry[] }).entries;
  }

  unreverted(): JournalEntry[] {
    return this.read().filter((e) => e.status !== 'reverted');
  }

  /** Adds or updates the entry for (drillId, name); resolves once it is on disk. */
  record(entry: Omit<JournalEntry, 'updatedAt'>): Promise<void> {
    return this.update((entries) => [
      ...entries.filter((e) => !(e.drillId === entry.drillId && e.name === entry.name)),
      { ...entry, updatedAt: new Date().toISOString() },
    ]);
  }

  /** Forgets reverted entries, keeping the file small. */
  compact(): Promise<void> {
    return this.update((entries) => entries.filter((e) => e.status !== 'reverted'), { onlyIfPresent: true });
  }

  /**
   * The flush runs on libuv's threads, not the event loop: a drill's probes keep their schedule
   * while the disk syncs (bench/README.md).
   */
  private update(change: (entries: JournalEntry[]) => JournalEntry[], options: { onlyIfPresent?: boolean } = {}): Promise<void> {
    const written = this.writing.then(async () => {
      if (options.onlyIfPresent && !existsSync(this.file)) return;
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(JSON.stringify({ entries: change(this.read()) }, null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
    });
    this.writing = written.catch(() => undefined);
    return written;
  }
}
