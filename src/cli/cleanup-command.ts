import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCallerIdentity } from '../aws/identity.js';
import { createClock } from '../core/clock.js';
import type { FaultContext } from '../faults/fault.js';
import { kindsFor } from '../runner/builtin-kinds.js';
import { Journal } from '../runner/journal.js';
import { locksFor } from '../runner/lock.js';
import { EXIT } from '../runtime/errors.js';
import type { Environment } from '../scenario/environment.js';
import { resolveEnvironment, stateDirFrom } from './context.js';
import type { Io } from './io.js';

/**
 * `firedrill cleanup`: reverts, from the journal, every fault a drill injected and did not
 * revert (it crashed, was killed, lost its network). Idempotent: reverting a fault that is
 * already gone is fine, and a verified revert is marked done.
 */
export async function cleanupCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { env: { type: 'string' }, config: { type: 'string' }, 'state-dir': { type: 'string' } } });
  const stateDir = stateDirFrom(io.cwd, values['state-dir']);
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
    for (const entry of journal.unreverted()) {
      const kind = kinds.faults[entry.kind] ?? kinds.steps[entry.kind];
      const label = `${entry.kind} ${entry.name} (drill ${entry.drillId}, environment ${envName})`;
      if (!kind) {
        io.err(`cannot revert ${label}: unknown kind`);
        failed++;
        continue;
      }
      if (entry.status === 'intent' && Object.keys(entry.state).length === 0) {
        // The drill died before the fault remembered anything, so before it changed anything.
        journal.record({ ...entry, status: 'reverted' });
        io.out(`nothing to revert: ${label} never got as far as changing anything`);
        continue;
      }
      const ctx: FaultContext = { clock: createClock(), signal: new AbortController().signal, drillId: entry.drillId, remember: async () => {}, log: (line) => io.out(`  ${line}`) };
      try {
        await kind.revert(entry.settings, entry.state, ctx);
        await kind.verifyReverted(entry.settings, entry.state, ctx);
        journal.record({ ...entry, status: 'reverted' });
        io.out(`reverted and verified: ${label}`);
        reverted++;
      } catch (error) {
        io.err(`could not revert ${label}: ${(error as Error).message}`);
        failed++;
      }
    }
    journal.compact();
    await lock.release();
  }
  io.out(failed ? `${reverted} fault(s) reverted, ${failed} could not be: they stay in the journal` : reverted ? `${reverted} fault(s) reverted; nothing is left injected` : 'nothing to clean up: the journal holds no unreverted fault');
  return failed ? EXIT.failed : EXIT.passed;
}

/** Cleanup must work even when the environment cannot be fully resolved (the lab is down). */
function environmentForCleanup(name: string, options: { cwd: string; config?: string; stateDir: string }): Environment {
  try {
    return resolveEnvironment(name, options);
  } catch {
    return { name, vars: {} };
  }
}
