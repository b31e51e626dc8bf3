import { parseArgs } from 'node:util';
import { actingPerson } from './game-day-session.js';
import type { Io } from './io.js';
import { callRunningDrill, LIVE_CALL_OPTIONS } from './live-call.js';
import { UsageError } from './usage-error.js';

/** `firedrill lesson "…" [--as NAME]`: a lesson learned, into the review of the drill that just ended (`run --review`). */
export async function lessonCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: LIVE_CALL_OPTIONS, allowPositionals: true });
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError('expected the lesson as one argument (quote it)');
  const author = actingPerson(values.as);
  return callRunningDrill({ command: 'lesson', values, path: '/lesson', body: { message: positionals[0], author }, done: (drillId) => `lesson recorded in the review of drill ${drillId} as ${author}` }, io);
}

/** `firedrill signoff --role ROLE [--as NAME] [--close]`: signs the reviewed record; `--close` ends the review and lets the result be written. */
export async function signoffCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...LIVE_CALL_OPTIONS, role: { type: 'string' }, close: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length) throw new UsageError(`expected no arguments, got ${positionals.map((p) => JSON.stringify(p)).join(' ')} (the name goes in --as)`);
  if (!values.role?.trim()) throw new UsageError('--role: expected the role you sign as, e.g. --role "incident commander"');
  const name = actingPerson(values.as);
  const close = values.close === true;
  return callRunningDrill({
    command: 'signoff', values, path: '/signoff', body: { name, role: values.role, close },
    done: (drillId) => `signed off drill ${drillId} as ${name} (${values.role})${close ? '; the review is closed: the drill writes its result now' : ''}`,
  }, io);
}
