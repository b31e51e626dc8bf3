import { expect } from 'chai';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClock } from '../../src/core/clock.js';
import { measure } from '../../src/core/measurements.js';
import { deriveMilestones } from '../../src/core/milestones.js';
import type { CanaryEvent, TimelineEvent } from '../../src/core/timeline.js';
import { replicaTemplateOf, startPrimary, startReplica, stopAll, waitForReplication, type PgServer } from '../../lab/postgres.js';
import { createSqlCanary, type SqlCanary } from '../../src/probes/sql-canary.js';
import { redactSecrets } from '../../src/runtime/redact.js';

interface Forwarder {
  port: number;
  /** From now on no byte passes either way; connections, old and new, are held open. */
  blackhole(): void;
  close(): Promise<void>;
}

/** A TCP forwarder to `target` that can turn into a true blackhole, like a Region's network failing. */
async function startForwarder(target: { host: string; port: number }): Promise<Forwarder> {
  let holed = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (holed) {
      client.resume(); // read and drop, never answer
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on('data', (chunk) => { if (!holed) upstream.write(chunk); });
    upstream.on('data', (chunk) => { if (!holed) client.write(chunk); });
    client.on('close', () => { if (!holed) upstream.destroy(); });
    upstream.on('close', () => { if (!holed) client.destroy(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    blackhole() { holed = true; },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collects a canary's events; `untilAcked(n)` resolves on the n-th acknowledged write from now. */
function recordEvents() {
  const events: CanaryEvent[] = [];
  const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  return {
    events,
    emit(event: CanaryEvent) {
      events.push(event);
      for (const w of [...waiters]) if (w.test()) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
    until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
      if (test()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)), timeoutMs);
        waiters.push({ test, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    acked(): CanaryEvent[] {
      return events.filter((e) => e.action === 'write' && e.ok);
    },
  };
}

async function maxSeqOn(connectionString: string): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return Number((await client.query<{ max: string }>('SELECT max(seq)::text AS max FROM firedrill_canary')).rows[0]!.max);
  } finally {
    await client.end();
  }
}

describe('SQL heartbeat canary against the lab PostgreSQL', function () {
  this.timeout(60_000);
  let base: string;
  let servers: PgServer[];
  let forwarder: Forwarder | undefined;
  let canary: SqlCanary | undefined;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-canary-'));
    await chmod(base, 0o711); // the server runs as the postgres user when we are root
    servers = [];
  });

  afterEach(async () => {
    try {
      await canary?.stop();
      await forwarder?.close();
      await stopAll(servers);
    } finally {
      canary = undefined;
      forwarder = undefined;
      await rm(base, { recursive: true, force: true });
    }
  });

  async function startPair(upstreamOf: (primary: PgServer) => Promise<{ host: string; port: number }>) {
    const primary = await startPrimary({ dir: join(base, 'primary'), port: 0 });
    servers.push(primary);
    const replica = await startReplica({ dir: join(base, 'replica'), port: 0, template: replicaTemplateOf(primary), upstream: await upstreamOf(primary) });
    servers.push(replica);
    return { primary, replica };
  }

  it('counts exactly the acknowledged writes made after the replication link was black-holed as lost', async () => {
    const { primary, replica } = await startPair(async (p) => {
      forwarder = await startForwarder({ host: p.host, port: p.port });
      return { host: '127.0.0.1', port: forwarder.port };
    });
    const clock = createClock();
    const recorder = recordEvents();
    canary = createSqlCanary({ name: 'orders', intervalMs: 40, writeTo: () => primary.connectionString, clock, emit: recorder.emit });

    canary.start();
    await recorder.until(() => recorder.acked().length >= 5, '5 acknowledged writes before the fault');
    await canary.stop(); // nothing in flight: every write is clearly before or after the fault
    await waitForReplication(primary, replica, 10_000);
    const replicated = recorder.acked();
    const lastReplicated = replicated.at(-1)!;

    forwarder!.blackhole();
    const faultT = clock.now();
    canary.start();
    await recorder.until(() => recorder.acked().length >= replicated.length + 6, '6 acknowledged writes after the fault');
    await canary.stop();
    const strandedCount = recorder.acked().length - replicated.length;
    expect(strandedCount).to.be.at.least(6);
    expect(await maxSeqOn(primary.connectionString)).to.equal(recorder.acked().at(-1)!.seq);
    expect(await maxSeqOn(replica.connectionString)).to.equal(lastReplicated.seq);

    await primary.stop({ mode: 'immediate' }); // the Region outage
    await replica.promote();
    const read = await canary.read(replica.connectionString);

    expect(read).to.deep.include({ kind: 'canary', action: 'read', ok: true, canary: 'orders', newestSeq: lastReplicated.seq, newestCommitT: lastReplicated.t, lost: strandedCount });
    expect(recorder.events.at(-1)).to.equal(read);

    const events: TimelineEvent[] = [{ kind: 'fault', t: faultT, fault: 'link', faultKind: 'blackhole', action: 'injected' }, ...recorder.events];
    const measured = measure(events, deriveMilestones(events, { userFacing: [] }), { origin: 'fault', userFacing: [], observeEnd: clock.now() });
    expect(measured.lostWrites?.value).to.equal(strandedCount);
    expect(measured.rpoMs?.value).to.equal(faultT - lastReplicated.t);
  });

  it('loses nothing when the replica had caught up, and keeps writing to the promoted primary', async () => {
    const { primary, replica } = await startPair(async (p) => ({ host: p.host, port: p.port }));
    let current = primary.connectionString;
    const recorder = recordEvents();
    canary = createSqlCanary({ name: 'orders', intervalMs: 40, writeTo: () => current, clock: createClock(), emit: recorder.emit });

    canary.start();
    await recorder.until(() => recorder.acked().length >= 5, '5 acknowledged writes');
    await canary.stop();
    await waitForReplication(primary, replica, 10_000);
    await primary.stop();
    await replica.promote();
    const lastSeq = recorder.acked().at(-1)!.seq!;
    expect(await canary.read(replica.connectionString)).to.deep.include({ ok: true, newestSeq: lastSeq, lost: 0 });

    current = replica.connectionString;
    canary.start();
    await recorder.until(() => recorder.acked().length >= 7, '2 acknowledged writes on the promoted replica');
    await canary.stop();
    expect(recorder.acked().slice(-2).map((e) => e.seq)).to.deep.equal([lastSeq + 1, lastSeq + 2]);
    expect(await canary.read(replica.connectionString)).to.deep.include({ ok: true, newestSeq: lastSeq + 2, lost: 0 });
  });

  it('times out writes to a black-holed primary without acknowledging them or holding up the schedule', async () => {
    const primary = await startPrimary({ dir: join(base, 'primary'), port: 0 });
    servers.push(primary);
    forwarder = await startForwarder({ host: primary.host, port: primary.port });
    forwarder.blackhole();
    const recorder = recordEvents();
    const writeTo = () => `postgres://firedrill:s3cret@127.0.0.1:${forwarder!.port}/postgres`;
    canary = createSqlCanary({ name: 'orders', intervalMs: 30, timeoutMs: 100, maxInFlight: 1, writeTo, clock: createClock(), emit: recorder.emit });

    canary.start();
    const timedOut = () => recorder.events.filter((e) => /timed out after 100ms/.test(e.error ?? '')).length;
    await recorder.until(() => timedOut() >= 2, '2 timed-out writes');
    await canary.stop();

    expect(recorder.acked()).to.deep.equal([]);
    expect(recorder.events.some((e) => e.error === 'skipped: 1 writes still in flight')).to.equal(true);
    expect(recorder.events.every((e) => e.action === 'write' && !e.ok && e.seq === undefined)).to.equal(true);
    const text = JSON.stringify(recorder.events);
    expect(text).to.include('write to postgres://firedrill:***@127.0.0.1');
    expect(text).to.not.include('s3cret');
  });

  it('reports every acknowledged write as lost when the recovered side has no canary table', async () => {
    const { primary, replica } = await startPair(async (p) => {
      forwarder = await startForwarder({ host: p.host, port: p.port });
      forwarder.blackhole(); // the replica never receives anything
      return { host: '127.0.0.1', port: forwarder.port };
    });
    const recorder = recordEvents();
    canary = createSqlCanary({ name: 'orders', intervalMs: 40, writeTo: () => primary.connectionString, clock: createClock(), emit: recorder.emit });
    canary.start();
    await recorder.until(() => recorder.acked().length >= 3, '3 acknowledged writes');
    await canary.stop();
    const read = await canary.read(replica.connectionString);
    expect(read).to.deep.include({ ok: true, lost: recorder.acked().length });
    expect(read.newestSeq).to.equal(undefined);
  });
});

describe('redactSecrets', () => {
  it('hides passwords in URLs and key=value connection strings, and nothing else', () => {
    expect(redactSecrets('write to postgres://app:p@ss:w0rd@db:5432/x failed')).to.equal('write to postgres://app:***@db:5432/x failed');
    expect(redactSecrets("host=db password='se cret' user=app")).to.equal('host=db password=*** user=app');
    expect(redactSecrets('postgres://firedrill@127.0.0.1:5432/postgres')).to.equal('postgres://firedrill@127.0.0.1:5432/postgres');
  });
});
