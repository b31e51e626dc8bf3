import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
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

  /** Adds or updates the entry for (drillId, name), durably. */
  record(entry: Omit<JournalEntry, 'updatedAt'>): void {
    const entries = this.read().filter((e) => !(e.drillId === entry.drillId && e.name === entry.name));
    entries.push({ ...entry, updatedAt: new Date().toISOString() });
    this.write(entries);
  }

  /** Forgets reverted entries, keeping the file small. */
  compact(): void {
    if (existsSync(this.file)) this.write(this.read().filter((e) => e.status !== 'reverted'));
  }

  private write(entries: JournalEntry[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ entries }, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
