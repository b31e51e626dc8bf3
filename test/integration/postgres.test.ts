import { expect } from 'chai';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { waitFor } from '../../src/runtime/wait.js';
import { replicaTemplateOf, startPrimary, startReplica, stopAll, waitForReplication, type PgServer } from '../../lab/postgres.js';

async function sql<Row>(connectionString: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

describe('lab PostgreSQL: primary and asynchronous streaming replica', function () {
  this.timeout(60_000);
  const servers: PgServer[] = [];
  let base: string;
  let primary: PgServer;
  let replica: PgServer;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-pg-'));
    await chmod(base, 0o711); // the server runs as the postgres user when we are root
    primary = await startPrimary({ dir: join(base, 'primary'), port: 0 });
    servers.push(primary);
    replica = await startReplica({ dir: join(base, 'replica'), port: 0, template: replicaTemplateOf(primary), upstream: { host: primary.host, port: primary.port } });
    servers.push(replica);
  });

  after(async () => {
    try {
      await stopAll(servers);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('runs the primary read-write and the replica in recovery', async () => {
    expect(await primary.isInRecovery()).to.equal(false);
    expect(await replica.isInRecovery()).to.equal(true);
    expect(primary.pid).to.be.a('number').and.not.equal(replica.pid);
    expect(primary.connectionString).to.equal(`postgres://firedrill@127.0.0.1:${primary.port}/postgres`);
  });

  it('streams asynchronously: no synchronous standby is configured', async () => {
    type Row = { names: string; app: string; sync_state: string };
    let rows: Row[] = [];
    await waitFor(async () => {
      rows = await sql<Row>(primary.connectionString,
        "SELECT current_setting('synchronous_standby_names') AS names, application_name AS app, sync_state FROM pg_stat_replication WHERE state = 'streaming'");
      return rows.length > 0;
    }, { timeoutMs: 10_000, what: 'the replica to stream from the primary' });
    expect(rows).to.deep.equal([{ names: '', app: 'recovery', sync_state: 'async' }]);
  });

  it('replays a row written on the primary (waitForReplication)', async () => {
    await sql(primary.connectionString, 'CREATE TABLE t (v text)');
    await sql(primary.connectionString, "INSERT INTO t VALUES ('hello')");
    await waitForReplication(primary, replica, 10_000);
    expect(await sql(replica.connectionString, 'SELECT v FROM t')).to.deep.equal([{ v: 'hello' }]);
    expect(await replica.walPosition()).to.equal(await primary.walPosition());
  });

  it('refuses writes on the replica until promoted, then accepts them', async () => {
    let refused: Error | undefined;
    await sql(replica.connectionString, "INSERT INTO t VALUES ('early')").catch((e: Error) => { refused = e; });
    expect(refused?.message).to.match(/read-only transaction/);

    const before = Date.now();
    const { startedAt, endedAt } = await replica.promote();
    expect(startedAt).to.be.at.least(before);
    expect(endedAt).to.be.at.least(startedAt).and.at.most(Date.now());
    expect(await replica.isInRecovery()).to.equal(false);
    await sql(replica.connectionString, "INSERT INTO t VALUES ('promoted')");
    expect((await sql<{ v: string }>(replica.connectionString, 'SELECT v FROM t ORDER BY v')).map((r) => r.v)).to.deep.equal(['hello', 'promoted']);
  });

  it('fails fast with the server log when a server cannot start', async () => {
    const startedAt = Date.now();
    let error: Error | undefined;
    await startReplica({ dir: join(base, 'clash'), port: primary.port, template: replicaTemplateOf(primary), upstream: { host: primary.host, port: primary.port } })
      .then((s) => servers.push(s), (e: Error) => { error = e; });
    expect(error?.message).to.match(/expected PostgreSQL on port \d+ to start, it exited with 1: [\s\S]*could not (bind|create listen socket)/);
    expect(Date.now() - startedAt).to.be.below(10_000);
  });

  it('stops by PID: the server no longer accepts connections', async () => {
    await replica.stop();
    let error: Error | undefined;
    await sql(replica.connectionString, 'SELECT 1').catch((e: Error) => { error = e; });
    expect(error?.message).to.match(/ECONNREFUSED/);
    expect(() => process.kill(replica.pid, 0)).to.throw(/ESRCH/);
  });
});
