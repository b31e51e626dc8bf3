import { userInfo } from 'node:os';
import { DURATION_HINT, parseDuration } from '../core/duration.js';
import type { Person } from '../gameday/game-day.js';
import { isCiEnvironment, type GameDaySettings } from '../gameday/session.js';
import { UsageError } from './usage-error.js';

/** The `run` options a game day (or a nightly CI drill) adds. */
export const GAME_DAY_OPTIONS = {
  ci: { type: 'boolean' },
  live: { type: 'boolean' },
  'live-host': { type: 'string' },
  commander: { type: 'string' },
  observer: { type: 'string', multiple: true },
  scribe: { type: 'string' },
  review: { type: 'string' },
} as const;

type GameDayValues = { ci?: boolean; live?: boolean; 'live-host'?: string; commander?: string; observer?: string[]; scribe?: string; review?: string };

/** From the command line, else `FIREDRILL_COMMANDER`, `FIREDRILL_OBSERVERS` (comma-separated), `FIREDRILL_SCRIBE`. */
export function gameDaySettingsFrom(values: GameDayValues, env: NodeJS.ProcessEnv = process.env): GameDaySettings {
  const ci = values.ci === true || isCiEnvironment(env);
  const observers = values.observer ?? (env.FIREDRILL_OBSERVERS ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const commander = values.commander ?? env.FIREDRILL_COMMANDER;
  const scribe = values.scribe ?? env.FIREDRILL_SCRIBE;
  const people: Person[] = [
    ...(commander ? [{ name: commander, role: 'commander' as const }] : []),
    ...observers.map((name) => ({ name, role: 'observer' as const })),
    ...(scribe ? [{ name: scribe, role: 'scribe' as const }] : []),
  ];
  return { ci, live: values.live === true || !ci, ...(values['live-host'] ? { liveHost: values['live-host'] } : {}), people, ...reviewOf(values.review, ci) };
}

function reviewOf(review: string | undefined, ci: boolean): Pick<GameDaySettings, 'reviewTimeoutMs'> {
  if (review === undefined) return {};
  if (ci) throw new UsageError('--review: CI mode never waits for a person, so it holds no review after the drill');
  const ms = parseDuration(review);
  if (ms === undefined || ms <= 0) throw new UsageError(`--review: expected ${DURATION_HINT} (how long the review may stay open), got ${JSON.stringify(review)}`);
  return { reviewTimeoutMs: ms };
}

/** Who is approving or writing a note: `--as`, else `FIREDRILL_USER`, else the login name. */
export function actingPerson(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.FIREDRILL_USER ?? userInfo().username;
}
