import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryStore, StoredRecord } from './history.js';
import { readRecord } from './history-record.js';

/**
 * The history as one NDJSON file on this machine (`<state-dir>/history.ndjson`): the default when
 * nothing else is configured. Checking the newest record and appending happen with no await in
 * between, so writers in one process cannot fork the chain; writers on other machines need the
 * shared S3 store.
 */
export function localHistory(file: string): HistoryStore {
  const readLines = (): StoredRecord[] => {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (line.trim() ? [{ body: line, where: `${file}: line ${i + 1}`, problems: [] }] : []));
  };
  return {
    location: file,
    filesAreLocal: true,
    async create(seq, body) {
      const newest = readLines().at(-1);
      if (newest && readRecord(newest).record.seq >= seq) return false;
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, body + '\n');
      return true;
    },
    async newest() {
      return readLines().at(-1);
    },
    async read({ fromSeq = 1 } = {}) {
      return readLines().filter((stored) => fromSeq <= 1 || readRecord(stored).record.seq >= fromSeq);
    },
  };
}
