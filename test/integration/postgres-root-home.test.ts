import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readlink, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { checkServerStarts, startPrimary } from '../../lab/postgres.js';
import { locateBinaries, reachableBinaries, resolveRunAs, runAsServerUser, unreachableParent, type PgBinaries } from '../../lab/postgres-os.js';

const run = promisify(execFile);

/**
 * A checkout inside root's home (mode 700), run as root, as in many CI containers: PostgreSQL
 * must run as its own user, who can reach neither the checkout's binaries nor its state folder.
 * The "home" here is a mode-700 folder holding a copy of the shipped binaries and the state.
 */
describe('embedded PostgreSQL from a checkout in a mode-700 home, as root', function () {
  this.timeout(120_000);
  let home: string;
  /** The copy of the binaries the test made, under the temporary folder. */
  let copied: string | undefined;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    home = await mkdtemp(join(tmpdir(), 'firedrill-root-home-'));
    await chmod(home, 0o700);
  });

  after(async () => {
    await Promise.all([home, copied].filter((d) => d !== undefined).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('runs the binaries from a copy the server user can reach', async () => {
    const ids = (await resolveRunAs())!;
    const project = await locateBinaries();
    const native = dirname(dirname(project.postgres));
    await run('cp', ['-a', native, join(home, 'native')]);
    const inHome: PgBinaries = { initdb: join(home, 'native/bin/initdb'), pg_ctl: join(home, 'native/bin/pg_ctl'), postgres: join(home, 'native/bin/postgres') };
    expect(await unreachableParent(inHome.postgres, ids)).to.include(`${home} (mode 700`);
    const usable = await reachableBinaries(inHome, ids);
    copied = dirname(dirname(usable.postgres));
    expect(usable.postgres.startsWith(home), usable.postgres).to.equal(false);
    expect(await unreachableParent(usable.postgres, ids)).to.equal(undefined);
    await runAsServerUser(ids, usable.initdb, ['--version']);
    expect(await reachableBinaries(inHome, ids), 'copied once, then reused').to.deep.equal(usable);
  });

  it('keeps the cluster where the server user can reach it, linked from the folder asked for, and starts it', async () => {
    const stateDir = join(home, 'checkout', '.firedrill', 'setup', 'postgres');
    await mkdir(dirname(stateDir), { recursive: true });
    const started = await checkServerStarts(stateDir);
    expect(started.version).to.match(/^\d+\.\d+/);
    expect(started.dir.startsWith(home), started.dir).to.equal(false);
    // checkServerStarts removes what it made: both the link and the cluster.
    await Promise.all([stateDir, started.dir].map(async (p) => expect(await lstat(p).then(() => 'exists', () => 'gone'), p).to.equal('gone')));
  });

  it('links the folder asked for to the cluster while the server runs', async () => {
    const dir = join(home, 'checkout', '.firedrill', 'lab', 'primary');
    await mkdir(dirname(dir), { recursive: true });
    const server = await startPrimary({ dir, port: 0 });
    try {
      expect(await readlink(dir)).to.equal(server.dir);
      expect(await server.isInRecovery()).to.equal(false);
    } finally {
      await server.stop();
      await rm(server.dir, { recursive: true, force: true });
    }
  });
});
