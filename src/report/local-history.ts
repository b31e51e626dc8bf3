import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
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
  // An append reads only the newest record: reading the whole file made the ten-thousandth append read every record before it.
  const readNewest = (): StoredRecord | undefined => {
    if (!existsSync(file)) return undefined;
    const body = lastLineOf(file);
    return body === undefined ? undefined : { body, where: `${file}: its last line`, problems: [] };
  };
  return {
    location: file,
    filesAreLocal: true,
    async create(seq, body) {
      const newest = readNewest();
      if (newest && readRecord(newest).record.seq >= seq) return false;
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, body + '\n');
      return true;
    },
    async newest() {
      return readNewest();
    },
    async read({ fromSeq = 1 } = {}) {
      return readLines().filter((stored) => fromSeq <= 1 || readRecord(stored).record.seq >= fromSeq);
    },
  };
}

const TAIL_CHUNK_BYTES = 64 * 1024;

/** The file's last non-empty line, read from its end backwards a chunk at a time. */
function lastLineOf(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    let end = fstatSync(fd).size;
    let tail = Buffer.alloc(0);
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK_BYTES);
      const chunk = Buffer.alloc(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      tail = Buffer.concat([chunk, tail]);
      end = start;
      const text = tail.toString('utf8').replace(/\n+$/, '');
      const newline = text.lastIndexOf('\n');
      if (newline >= 0) return text.slice(newline + 1);
    }
    const text = tail.toString('utf8').trim();
    return text || undefined;
  } finally {
    closeSync(fd);
  }
}
