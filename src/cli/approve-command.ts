import { parseArgs } from 'node:util';
import { callLiveDrill, findLiveDrill } from '../gameday/live-file.js';
import { EXIT } from '../runtime/errors.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { actingPerson } from './game-day-session.js';
import type { Io } from './io.js';
import { UsageError } from './run-command.js';

/** `firedrill approve <gate> [--as NAME] [--env NAME]`: lets a waiting manual gate of the running drill through. */
export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { as: { type: 'string' }, env: { type: 'string' }, 'state-dir': { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`expected one gate name, got ${positionals.length}`);
  const gate = positionals[0]!;
  const by = actingPerson(values.as);
  try {
    const live = findLiveDrill(stateDirFrom(io.cwd, values['state-dir']), values.env);
    await callLiveDrill(live, '/approve', { gate, by, via: 'cli' });
    io.out(`approved gate ${gate} of drill ${live.drillId} as ${by}`);
    return EXIT.passed;
  } catch (error) {
    io.err(`firedrill approve: ${(error as Error).message}`);
    return EXIT.invalid;
  }
}
