import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from '../src/runtime/wait.js';
import { configureCluster, configureServer, configureStandby, LAB_DATABASE, LAB_USER } from './postgres-config.js';
import { locateBinaries, resolveRunAs, runAsServerUser, serverFolder, type RunAs } from './postgres-os.js';
import { spawnPostmaster, type Postmaster } from './postgres-process.js';

export interface PgServer {
  host: string;
  port: number;
  /** The server's folder: `data/` (the cluster), `postgres.log`, and for a primary `replica-template/`. */
  dir: string;
  /** The postmaster's PID. */
  pid: number;
  connectionString: string;
  /** `fast` (default) disconnects clients and shuts down cleanly; `immediate` is a crash, as in a Region outage. */
  stop(options?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Promotes a standby and waits until it accepts writes; epoch milliseconds. */
  promote(): Promise<{ startedAt: number; endedAt: number }>;
  isInRecovery(): Promise<boolean>;
  /** The replay LSN on a standby, the current write LSN on a primary. */
  walPosition(): Promise<string>;
}

export interface PrimaryOptions {
  dir: string;
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1';
}

export interface ReplicaOptions {
  dir: string;
  port: number;
  /** The primary's `replica-template` folder (`replicaTemplateOf(primary)`). */
  template: string;
  /** Where to stream from: in the lab, a blackhole-able proxy in front of the primary. */
  upstream: { host: string; port: number };
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const PROMOTE_TIMEOUT_MS = 30_000;
const QUERY_TIMEOUT_MS = 5_000;

export function replicaTemplateOf(primary: Pick<PgServer, 'dir'>): string {
  return join(primary.dir, 'replica-template');
}

/**
 * initdb a new cluster in `dir/data`, keep a copy of it as `dir/replica-template` (taken before
 * the first start, so a standby made from it later shares the system identifier and timeline),
 * then start it.
 */
export async function startPrimary(options: PrimaryOptions): Promise<PgServer> {
  const [bin, ids] = await Promise.all([locateBinaries(), resolveRunAs()]);
  const dir = await serverFolder(options.dir, ids);
  const dataDir = join(dir, 'data');
  await runAsServerUser(ids, bin.initdb, [
    `--pgdata=${dataDir}`, `--username=${LAB_USER}`, '--auth=trust', '--locale=C', '--encoding=UTF8', '--no-sync',
  ]);
  await configureCluster(dataDir);
  await runAsServerUser(ids, 'cp', ['-a', dataDir, join(dir, 'replica-template')]);
  return launch(dir, options.port, ids);
}

/** Copies the primary's template into `dir/data`, makes it a standby of `upstream`, and starts it. */
export async function startReplica(options: ReplicaOptions): Promise<PgServer> {
  const ids = await resolveRunAs();
  const dir = await serverFolder(options.dir, ids);
  const dataDir = join(dir, 'data');
  await runAsServerUser(ids, 'cp', ['-a', resolve(options.template), dataDir]);
  await configureStandby(dataDir, options.upstream);
  return launch(dir, options.port, ids);
}

/** Resolves once `replica` has replayed everything `primary` had written when this was called. */
export async function waitForReplication(primary: PgServer, replica: PgServer, timeoutMs: number): Promise<void> {
  const target = await primary.walPosition();
  await waitFor(
    async () => (await queryOne<{ caught: boolean | null }>(replica.connectionString, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught', [target])).caught === true,
    { timeoutMs, intervalMs: 20, what: `replica on port ${replica.port} to replay the primary's LSN ${target}` },
  );
}

/**
 * Starts a throwaway cluster in `dir`, asks it its version and removes it: the proof that the
 * server really runs from this checkout as this user (`firedrill setup`), not that a file exists.
 */
export async function checkServerStarts(dir: string): Promise<{ version: string; dir: string }> {
  const server = await startPrimary({ dir, port: 0 });
  try {
    const { version } = await queryOne<{ version: string }>(server.connectionString, "SELECT current_setting('server_version') AS version");
    return { version, dir: server.dir };
  } finally {
    await server.stop();
    await Promise.all([server.dir, dir].map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** Stops every server given (skipping unset ones), even when some fail; for `after`/`finally`. */
export async function stopAll(servers: Iterable<PgServer | undefined>): Promise<void> {
  const results = await Promise.allSettled([...servers].map((s) => s?.stop()));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((f) => f.reason), `failed to stop ${failures.length} PostgreSQL server(s)`);
}

async function launch(dir: string, requestedPort: number, ids: RunAs): Promise<PgServer> {
  const dataDir = join(dir, 'data');
  const port = requestedPort === 0 ? await freePort(HOST) : requestedPort;
  await configureServer(dataDir, port);
  const postmaster = await spawnPostmaster(dataDir, join(dir, 'postgres.log'), ids);
  const connectionString = `postgres://${LAB_USER}@${HOST}:${port}/${LAB_DATABASE}`;
  const gaveUp = new AbortController();
  const died = postmaster.exited.then(async (code) => {
    gaveUp.abort(new Error(`expected PostgreSQL on port ${port} to start, it exited with ${code}: ${await postmaster.logTail()}`));
    throw gaveUp.signal.reason;
  });
  died.catch(() => undefined);
  const ready = waitFor(() => servesFrom(connectionString, dataDir), {
    timeoutMs: START_TIMEOUT_MS, intervalMs: 25, signal: gaveUp.signal, what: `PostgreSQL on port ${port} to accept connections`,
  });
  try {
    await Promise.race([died, ready]);
  } catch (error) {
    ready.catch(() => undefined);
    await postmaster.stop('immediate');
    throw gaveUp.signal.aborted ? gaveUp.signal.reason : error;
  }
  return createServer({ host: HOST, port, dir, dataDir, connectionString, postmaster, ids });
}

interface ServerParts {
  host: string;
  port: number;
  dir: string;
  dataDir: string;
  connectionString: string;
  postmaster: Postmaster;
  ids: RunAs;
}

function createServer(parts: ServerParts): PgServer {
  const { host, port, dir, connectionString, postmaster } = parts;
  const isInRecovery = async () => (await queryOne<{ r: boolean }>(connectionString, 'SELECT pg_is_in_recovery() AS r')).r;
  return {
    host, port, dir, connectionString,
    pid: postmaster.pid,
    stop: (options) => postmaster.stop(options?.mode ?? 'fast'),
    isInRecovery,
    async walPosition() {
      const row = await queryOne<{ lsn: string }>(connectionString,
        'SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn');
      return row.lsn;
    },
    async promote() {
      const startedAt = Date.now();
      const bin = await locateBinaries();
      await runAsServerUser(parts.ids, bin.pg_ctl, ['promote', '-D', parts.dataDir, '--no-wait']);
      await waitFor(async () => !(await isInRecovery()), { timeoutMs: PROMOTE_TIMEOUT_MS, intervalMs: 10, what: `PostgreSQL on port ${port} to leave recovery after promote` });
      return { startedAt, endedAt: Date.now() };
    },
  };
}

/** True once the server at `connectionString` answers and is the one running on `dataDir` (not another on the same port). */
async function servesFrom(connectionString: string, dataDir: string): Promise<boolean> {
  try {
    const row = await queryOne<{ dir: string }>(connectionString, "SELECT current_setting('data_directory') AS dir");
    return row.dir === dataDir;
  } catch {
    return false;
  }
}

async function queryOne<Row extends object>(connectionString: string, sql: string, params: unknown[] = []): Promise<Row> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: QUERY_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS });
  client.on('error', () => undefined); // surfaced by the query below
  try {
    await client.connect();
    const result = await client.query(sql, params);
    const row = result.rows[0] as Row | undefined;
    if (!row) throw new Error(`expected a row from "${sql}", found none`);
    return row;
  } finally {
    await client.end().catch(() => undefined);
  }
}
