import { resolve } from 'node:path';

/** Where the journal, locks, history and the lab's state live: `--state-dir`, `$FIREDRILL_STATE_DIR`, or `.firedrill`. */
export function stateDirFrom(cwd: string, explicit?: string): string {
  return resolve(cwd, explicit ?? process.env.FIREDRILL_STATE_DIR ?? '.firedrill');
}
