import { milestoneRulesOf } from '../runner/scenario-rules.js';
import type { LoadedScenario } from '../scenario/load.js';
import { GameDay, assertUnattended, type Person } from './game-day.js';
import { removeLiveFile, writeLiveFile } from './live-file.js';
import { startLiveServer } from './live-server.js';

/** How a drill involves people: from `firedrill run`'s options, or `runScenario`'s `gameDay`. */
export interface GameDaySettings {
  /** Nothing waits for a person: a gate with `ci: approve` decides at once, any other refuses the drill. */
  ci: boolean;
  /** Serve the live page (and so take `firedrill approve`, `note`, `lesson`, `signoff`). */
  live: boolean;
  liveHost?: string;
  people: Person[];
  /** Hold the result open after the drill for lessons and sign-offs, at most this long (never in CI). */
  reviewTimeoutMs?: number;
}

export interface GameDaySession {
  plugin: GameDay;
  /** The live page's address with its token, when it is served. */
  pageUrl?: string;
  close(): Promise<void>;
}

/** CI mode from the environment, as GitHub Actions and GitLab CI set it. */
export function isCiEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** The game-day plugin of one drill, and its live server with the file that tells `approve` and `note` where it is. */
export async function openGameDay(options: { scenario: LoadedScenario; environment: string; stateDir: string; drillId: string; settings: GameDaySettings; log: (line: string) => void; interrupt?: AbortSignal }): Promise<GameDaySession> {
  const { scenario, settings, log } = options;
  if (settings.ci) assertUnattended(scenario.spec, scenario.file);
  const plugin = new GameDay({
    gates: scenario.spec.gates, people: settings.people, ci: settings.ci, log,
    ...(settings.reviewTimeoutMs !== undefined ? { reviewTimeoutMs: settings.reviewTimeoutMs } : {}),
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
  });
  if (!settings.live) return { plugin, close: async () => {} };
  const server = await startLiveServer({
    controls: plugin, drillId: options.drillId, scenario: scenario.spec.scenario, rules: milestoneRulesOf(scenario),
    ...(settings.liveHost ? { host: settings.liveHost } : {}),
  });
  const liveFile = writeLiveFile(options.stateDir, { drillId: options.drillId, environment: options.environment, url: server.url, token: server.token, pid: process.pid });
  log(`live view: ${server.pageUrl}`);
  return {
    plugin,
    pageUrl: server.pageUrl,
    async close() {
      removeLiveFile(liveFile);
      await server.close();
    },
  };
}
