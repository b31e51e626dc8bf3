import { userInfo } from 'node:os';
import { GameDay, assertUnattended, type Person } from '../gameday/game-day.js';
import { removeLiveFile, writeLiveFile } from '../gameday/live-file.js';
import { startLiveServer } from '../gameday/live-server.js';
import { milestoneRulesOf } from '../runner/scenario-rules.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Io } from './io.js';

/** The `run` options a game day (or a nightly CI drill) adds. */
export const GAME_DAY_OPTIONS = {
  ci: { type: 'boolean' },
  live: { type: 'boolean' },
  'live-host': { type: 'string' },
  commander: { type: 'string' },
  observer: { type: 'string', multiple: true },
  scribe: { type: 'string' },
} as const;

export interface GameDaySettings {
  /** `--ci`, or `CI=true` in the environment: nothing waits for a person. */
  ci: boolean;
  /** Serve the live page: by default unless in CI; `--live` asks for it in CI too. */
  live: boolean;
  liveHost?: string;
  people: Person[];
}

type GameDayValues = { ci?: boolean; live?: boolean; 'live-host'?: string; commander?: string; observer?: string[]; scribe?: string };

/** From the command line, else `FIREDRILL_COMMANDER`, `FIREDRILL_OBSERVERS` (comma-separated), `FIREDRILL_SCRIBE`. */
export function gameDaySettingsFrom(values: GameDayValues, env: NodeJS.ProcessEnv = process.env): GameDaySettings {
  const ci = values.ci === true || env.CI === 'true' || env.CI === '1';
  const observers = values.observer ?? (env.FIREDRILL_OBSERVERS ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const commander = values.commander ?? env.FIREDRILL_COMMANDER;
  const scribe = values.scribe ?? env.FIREDRILL_SCRIBE;
  const people: Person[] = [
    ...(commander ? [{ name: commander, role: 'commander' as const }] : []),
    ...observers.map((name) => ({ name, role: 'observer' as const })),
    ...(scribe ? [{ name: scribe, role: 'scribe' as const }] : []),
  ];
  return { ci, live: values.live === true || !ci, ...(values['live-host'] ? { liveHost: values['live-host'] } : {}), people };
}

/** Who is approving or writing a note: `--as`, else `FIREDRILL_USER`, else the login name. */
export function actingPerson(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.FIREDRILL_USER ?? userInfo().username;
}

/** The game-day plugin of one drill, and its live server with the file that tells `approve` and `note` where it is. */
export async function openGameDay(options: { scenario: LoadedScenario; environment: string; stateDir: string; drillId: string; settings: GameDaySettings; io: Io }): Promise<{ plugin: GameDay; close(): Promise<void> }> {
  const { scenario, settings, io } = options;
  if (settings.ci) assertUnattended(scenario.spec, scenario.file);
  const plugin = new GameDay({ gates: scenario.spec.gates, people: settings.people, ci: settings.ci, log: (line) => io.err(line) });
  if (!settings.live) return { plugin, close: async () => {} };
  const server = await startLiveServer({
    controls: plugin, drillId: options.drillId, scenario: scenario.spec.scenario, rules: milestoneRulesOf(scenario),
    ...(settings.liveHost ? { host: settings.liveHost } : {}),
  });
  const liveFile = writeLiveFile(options.stateDir, { drillId: options.drillId, environment: options.environment, url: server.url, token: server.token, pid: process.pid });
  io.err(`live view: ${server.pageUrl}`);
  return {
    plugin,
    async close() {
      removeLiveFile(liveFile);
      await server.close();
    },
  };
}
