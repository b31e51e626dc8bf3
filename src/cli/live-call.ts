import { callLiveDrill, findLiveDrill } from '../gameday/live-file.js';
import { EXIT } from '../runtime/errors.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import type { Io } from './io.js';

/** The options of every command that talks to the running drill's game-day server. */
export const LIVE_CALL_OPTIONS = { as: { type: 'string' }, env: { type: 'string' }, 'state-dir': { type: 'string' } } as const;

/** Finds the running drill (of `--env`), makes the call, prints `done(drillId)`; exit 2 with the drill's answer when refused. */
export async function callRunningDrill(call: { command: string; values: { env?: string; 'state-dir'?: string }; path: string; body: unknown; done(drillId: string): string }, io: Io): Promise<number> {
  try {
    const live = findLiveDrill(stateDirFrom(io.cwd, call.values['state-dir']), call.values.env);
    await callLiveDrill(live, call.path, call.body);
    io.out(call.done(live.drillId));
    return EXIT.passed;
  } catch (error) {
    io.err(`firedrill ${call.command}: ${(error as Error).message}`);
    return EXIT.invalid;
  }
}
