import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCallerIdentity } from '../aws/identity.js';
import { createClock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { kindsFor } from '../runner/builtin-kinds.js';
import { ChangeLedger, REVERT_TIMEOUT_MS } from '../runner/change-ledger.js';
import { Journal } from '../runner/journal.js';
import { locksFor } from '../runner/lock.js';
import { EXIT } from '../runtime/errors.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import type { Environment } from '../scenario/environment.js';
import { environmentFor } from './context.js';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

/**
 * `firedrill cleanup`: reverts, from the journal, every fault a drill injected and did not
 * revert (it crashed, was killed, lost its network), through the same ledger a drill reverts
 * with: newest first, each revert verified and under its own deadline. Idempotent: reverting a
 * fault that is already gone is fine, and a verified revert is marked done.
 */
export async function cleanupCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { env: { type: 'string' }, config: { type: 'string' }, 'state-dir': { type: 'string' }, 'revert-timeout': { type: 'string' } } });
  const stateDir = stateDirFrom(io.cwd, values['state-dir']);
  const revertTimeoutMs = values['revert-timeout'] === undefined ? REVERT_TIMEOUT_MS : parseDuration(values['revert-timeout']);
  if (revertTimeoutMs === undefined) throw new UsageError(`firedrill cleanup: --revert-timeout: expected a duration like "30s", got ${JSON.stringify(values['revert-timeout'])}`);
  const journalDir = join(stateDir, 'journal');
  const names = values.env ? [values.env] : existsSync(journalDir) ? readdirSync(journalDir).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')) : [];
  let failed = 0;
  let reverted = 0;
  for (const envName of names) {
    const journal = Journal.forEnvironment(stateDir, envName);
    if (journal.unreverted().length === 0) continue;
    // A drill that is running holds its faults in the journal: never revert them under it.
    const environment = environmentForCleanup(envName, { cwd: io.cwd, stateDir, ...(values.config ? { config: values.config } : {}) });
    const lock = await locksFor(environment, stateDir).acquire({ environment: envName, drillId: `cleanup-${process.pid}`, ttlMs: 10 * 60_000 });
    // Reverts are changes too: only with credentials of an allowed account (issue 19).
    await checkCallerIdentity(environment, environment.aws ? [environment.aws.regions[0]!] : []).catch(async (error: Error) => {
      await lock.release();
      throw error;
    });
    const kinds = kindsFor(environment);
    const ledger = new ChangeLedger({ journal, environment: envName, clock: createClock(), log: (line) => io.out(`  ${line}`), revertTimeoutMs });
    for (const entry of journal.unreverted()) {
      const kind = kinds.faults[entry.kind] ?? kinds.steps[entry.kind];
      if (kind) ledger.adopt(entry, kind);
      else {
        io.err(`cannot revert ${entry.kind} ${entry.name} (drill ${entry.drillId}, environment ${envName}): unknown kind`);
        failed++;
      }
    }
    for (const outcome of await ledger.revertAll()) {
      const label = `${outcome.kind} ${outcome.name} (drill ${outcome.drillId}, environment ${envName})`;
      if (outcome.status === 'nothing-to-revert') io.out(`nothing to revert: ${label} never got as far as changing anything`);
      else if (outcome.status === 'verified') {
        io.out(`reverted and verified: ${label}`);
        reverted++;
      } else {
        io.err(`could not revert ${label}: ${outcome.error} — it is still in effect and stays in the journal`);
        failed++;
      }
    }
    await journal.compact();
    await lock.release();
  }
  io.out(failed ? `${reverted} fault(s) reverted, ${failed} could not be: they stay in the journal` : reverted ? `${reverted} fault(s) reverted; nothing is left injected` : 'nothing to clean up: the journal holds no unreverted fault');
  return failed ? EXIT.failed : EXIT.passed;
}

/** Cleanup must work even when the environment cannot be fully resolved (the lab is down). */
function environmentForCleanup(name: string, options: { cwd: string; config?: string; stateDir: string }): Environment {
  try {
    return environmentFor(name, options);
  } catch {
    return { name, vars: {} };
  }
}
