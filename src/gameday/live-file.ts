import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a running drill says how to reach its game-day server: `<stateDir>/live/<drillId>.json`,
 * readable by its owner only since it holds the token. Named by drill, not environment: a second
 * drill refused by the environment's lock must not overwrite the running one's file.
 */
export interface LiveDrill {
  drillId: string;
  environment: string;
  url: string;
  token: string;
  pid: number;
}

const liveDir = (stateDir: string) => join(stateDir, 'live');

export function writeLiveFile(stateDir: string, live: LiveDrill): string {
  mkdirSync(liveDir(stateDir), { recursive: true });
  const file = join(liveDir(stateDir), `${live.drillId}.json`);
  writeFileSync(file, JSON.stringify(live, null, 2) + '\n', { mode: 0o600 });
  return file;
}

export function removeLiveFile(file: string): void {
  rmSync(file, { force: true });
}

/** The running drill of `environment`, or the only one running when none is named. */
export function findLiveDrill(stateDir: string, environment?: string): LiveDrill {
  let files: string[] = [];
  try {
    files = readdirSync(liveDir(stateDir)).filter((f) => f.endsWith('.json'));
  } catch {
    // no folder: no drill is running
  }
  const running = files.map((f) => JSON.parse(readFileSync(join(liveDir(stateDir), f), 'utf8')) as LiveDrill).filter((d) => isAlive(d.pid));
  const chosen = running.filter((d) => environment === undefined || d.environment === environment);
  if (chosen.length === 1) return chosen[0]!;
  const list = running.map((d) => `${d.drillId} on ${d.environment}`).join(', ');
  if (!running.length) throw new Error(`no drill with a game-day server is running (nothing in ${liveDir(stateDir)})`);
  throw new Error(chosen.length ? `several drills are running: pick one with --env (running: ${list})` : `no drill is running on environment "${environment}" (running: ${list})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A call to a running drill's game-day server; resolves with its answer, throws its error message. */
export async function callLiveDrill(live: LiveDrill, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, live.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${live.token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`drill ${live.drillId}: ${String(answer.error ?? response.status)}`);
  return answer;
}
