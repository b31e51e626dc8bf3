import { parseArgs } from 'node:util';
import { callLiveDrill, findLiveDrill } from '../gameday/live-file.js';
import { EXIT } from '../runtime/errors.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { actingPerson } from './game-day-session.js';
import type { Io } from './io.js';
import { UsageError } from './run-command.js';

const KINDS = ['observation', 'deviation', 'action'];

/** `firedrill note "…" [--kind observation|deviation|action] [--owner X --due DATE] [--as NAME]`: a note on the running drill's timeline. */
export async function noteCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { as: { type: 'string' }, kind: { type: 'string' }, owner: { type: 'string' }, due: { type: 'string' }, env: { type: 'string' }, 'state-dir': { type: 'string' } },
  });
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError('expected the note as one argument (quote it)');
  const noteKind = values.kind ?? 'observation';
  if (!KINDS.includes(noteKind)) throw new UsageError(`--kind: expected one of ${KINDS.join(', ')}, got ${JSON.stringify(noteKind)}`);
  if (noteKind === 'action' && (!values.owner || !values.due)) throw new UsageError('--kind action: a corrective action needs --owner NAME and --due DATE');
  const author = actingPerson(values.as);
  try {
    const live = findLiveDrill(stateDirFrom(io.cwd, values['state-dir']), values.env);
    await callLiveDrill(live, '/note', { message: positionals[0], author, noteKind, ...(values.owner ? { owner: values.owner } : {}), ...(values.due ? { due: values.due } : {}) });
    io.out(`noted on drill ${live.drillId} as ${author}`);
    return EXIT.passed;
  } catch (error) {
    io.err(`firedrill note: ${(error as Error).message}`);
    return EXIT.invalid;
  }
}
