import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway folder (a state dir, scenario copies, drill output), removed by `remove()`. */
export interface TempDir {
  path: string;
  /** Writes `content` to `name` inside the folder and returns its full path. */
  write(name: string, content: string | Buffer): string;
  remove(): void;
}

export function createTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `firedrill-${prefix}-`));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
