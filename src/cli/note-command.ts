import { parseArgs } from 'node:util';
import { actingPerson } from './game-day-session.js';
import type { Io } from './io.js';
import { callRunningDrill, LIVE_CALL_OPTIONS } from './live-call.js';
import { UsageError } from './usage-error.js';

const KINDS = ['observation', 'deviation', 'action'];

/** `firedrill note "…" [--kind observation|deviation|action] [--owner X --due DATE] [--as NAME]`: a note on the running drill's timeline. */
export async function noteCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { ...LIVE_CALL_OPTIONS, kind: { type: 'string' }, owner: { type: 'string' }, due: { type: 'string' } },
  });
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError('expected the note as one argument (quote it)');
  const noteKind = values.kind ?? 'observation';
  if (!KINDS.includes(noteKind)) throw new UsageError(`--kind: expected one of ${KINDS.join(', ')}, got ${JSON.stringify(noteKind)}`);
  if (noteKind === 'action' && (!values.owner || !values.due)) throw new UsageError('--kind action: a corrective action needs --owner NAME and --due DATE');
  const author = actingPerson(values.as);
  const body = { message: positionals[0], author, noteKind, ...(values.owner ? { owner: values.owner } : {}), ...(values.due ? { due: values.due } : {}) };
  return callRunningDrill({ command: 'note', values, path: '/note', body, done: (drillId) => `noted on drill ${drillId} as ${author}` }, io);
}
