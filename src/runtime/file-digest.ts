import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const READ_CHUNK_BYTES = 1 << 20;

/**
 * A file's SHA-256 and size, read a chunk at a time: an hour-long drill's `timeline.ndjson` is
 * hundreds of megabytes, and read whole it would sit in memory beside the drill (and fail past 2 GiB).
 */
export function fileDigest(path: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(READ_CHUNK_BYTES);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes };
}
