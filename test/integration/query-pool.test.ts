import { expect } from 'chai';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBlackholeProxy, type BlackholeProxy } from '../../src/faults/blackhole-proxy.js';
import { startPrimary, stopAll, type PgServer } from '../../lab/postgres.js';
import { createQueryPool, type QueryPool } from '../../lab/query-pool.js';

const BACKEND = 'SELECT pg_backend_pid() AS pid';

/** The lab app's connections, held between requests (lab/query-pool.ts), against a real PostgreSQL. */
describe('the lab app\'s database connections', function () {
  this.timeout(60_000);
  let base: string;
  let server: PgServer;
  let pool: QueryPool;
  const pidOf = async (connectionString: string) => (await pool.query(connectionString, BACKEND, [], 2_000))[0]!.pid as number;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-pool-'));
    await chmod(base, 0o711); // the server runs as the postgres user when we are root
    server = await startPrimary({ dir: join(base, 'db'), port: 0 });
  });
  beforeEach(() => { pool = createQueryPool(); });
  afterEach(() => pool.close());
  after(async () => {
    await stopAll([server]);
    await rm(base, { recursive: true, force: true });
  });

  it('serves one request after another on the same connection: no new backend per request', async () => {
    const first = await pidOf(server.connectionString);
    expect(await pidOf(server.connectionString)).to.equal(first);
    expect(await pidOf(server.connectionString)).to.equal(first);
  });

  it('never reuses a connection that missed its deadline', async () => {
    const first = await pidOf(server.connectionString);
    let failure: Error | undefined;
    await pool.query(server.connectionString, 'SELECT pg_sleep(5)', [], 200).catch((error: Error) => { failure = error; });
    expect(failure?.message).to.match(/timed out after 200ms/);
    expect(await pidOf(server.connectionString)).to.not.equal(first);
  });

  it('lets go of its connections at once when closed, even to a database gone dark', async () => {
    let proxy: BlackholeProxy | undefined;
    try {
      proxy = await startBlackholeProxy({ name: 'db', listen: { host: '127.0.0.1', port: 0 }, upstream: { host: server.host, port: server.port } });
      const url = new URL(server.connectionString);
      url.port = String(proxy.listenAddress.port);
      await pidOf(url.toString());
      proxy.setFault({ mode: 'drop' });
      // A polite goodbye would wait for an answer that never comes: close must not.
      const closed = await Promise.race([pool.close().then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, 2_000, false))]);
      expect(closed, 'close() returned while the database was dark').to.equal(true);
    } finally {
      await proxy?.close();
    }
  });
});
