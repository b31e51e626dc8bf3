import { parseArgs } from 'node:util';
import { actingPerson } from './game-day-session.js';
import type { Io } from './io.js';
import { callRunningDrill, LIVE_CALL_OPTIONS } from './live-call.js';
import { UsageError } from './usage-error.js';

/** `firedrill approve <gate> [--as NAME] [--env NAME]`: lets a waiting manual gate of the running drill through. */
export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: LIVE_CALL_OPTIONS, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`expected one gate name, got ${positionals.length}`);
  const gate = positionals[0]!;
  const by = actingPerson(values.as);
  return callRunningDrill({ command: 'approve', values, path: '/approve', body: { gate, by, via: 'cli' }, done: (drillId) => `approved gate ${gate} of drill ${drillId} as ${by}` }, io);
}
