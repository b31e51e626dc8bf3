import { expect } from 'chai';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClock, timelineMsOf } from '../../src/core/clock.js';
import type { CanaryEvent, TimelineEvent } from '../../src/core/timeline.js';
import type { TruthRecord } from '../../lab/ground-truth.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { httpCanaryKind, sqlCanaryKind } from '../../src/probes/canary-kinds.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { loadScenario } from '../../src/scenario/load.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const CANARY_INTERVAL_MS = 100;

/** "0/1787D88" → a number that orders like the LSN. */
function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

describe('RPO with replication held back before a Region outage (drills/warm-standby-lagging.yaml)', function () {
  this.timeout(120_000);
  let base: string;
  let lab: Lab;
  let result: DrillResult;
  let events: TimelineEvent[];
  let anchorWallMs: number;
  const truth = (event: TruthRecord['event'], target?: string): TruthRecord => {
    const record = lab.truth.records.find((r) => r.event === event && (target === undefined || r.detail?.target === target));
    if (!record) throw new Error(`expected a "${event}" record${target ? ` for ${target}` : ''} in the ground truth, found ${lab.truth.records.map((r) => r.event).join(', ')}`);
    return record;
  };
  const read = (canary: string) => events.find((e): e is CanaryEvent => e.kind === 'canary' && e.canary === canary && e.action === 'read')!;
  const stranded = () => truth('promotion-end').detail!.stranded as { canaries: Record<string, number[]>; orders: Record<string, string[]> };
  /**
   * The stranded writes `canary` had acknowledged: the lab knows which rows the promoted replica
   * lacks, only the writer knows which it was told were committed. A write in flight when the
   * Region went dark can be committed and never acknowledged: stranded, but not a lost
   * acknowledged write. Every stranded row must be one of the canary's writes, one way or the other.
   */
  const acknowledged = (canary: string, strandedSeqs: number[]) => {
    const writes = events.filter((e): e is CanaryEvent => e.kind === 'canary' && e.canary === canary && e.action === 'write' && e.seq !== undefined);
    const ok = new Set(writes.filter((w) => w.ok).map((w) => w.seq));
    const failed = new Set(writes.filter((w) => !w.ok).map((w) => w.seq));
    expect(strandedSeqs.filter((seq) => !ok.has(seq) && !failed.has(seq)), `stranded rows ${canary} never wrote`).to.deep.equal([]);
    const acked = strandedSeqs.filter((seq) => ok.has(seq));
    expect(strandedSeqs.length - acked.length, 'stranded writes in flight at the outage').to.be.at.most(1);
    return acked;
  };

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-rpo-'));
    await chmod(base, 0o711); // PostgreSQL runs as the postgres user when we are root
    lab = await startLab({ dir: join(base, 'lab'), projectDir: PROJECT_DIR, strategy: 'warm-standby' });
    try {
      const kinds = kindsFor(lab.environment);
      const scenario = await loadScenario(join(PROJECT_DIR, 'drills', 'warm-standby-lagging.yaml'), lab.environment, schemasOf(kinds));
      const clock = createClock();
      anchorWallMs = clock.anchorWallMs;
      events = [];
      result = await runDrill({ scenario, environment: lab.environment, kinds, clock, outDir: join(base, 'out'), stateDir: join(base, 'state'), onEvent: (e) => events.push(e) });
    } finally {
      await lab.stop();
    }
  });

  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('passes, and the replica really was behind when the Region went dark', () => {
    expect(result.outcome, JSON.stringify({ aborted: result.aborted, checks: result.checks, verdicts: result.verdicts })).to.equal('passed');
    const atOutage = truth('fault-on', 'primary-region-network').detail as { primaryLsn: string; replicaLsn: string };
    expect(lsnValue(atOutage.primaryLsn) > lsnValue(atOutage.replicaLsn)).to.equal(true);
  });

  it('counts exactly the acknowledged writes the promoted replica lacks, for both canaries', () => {
    const heartbeat = read('heartbeat');
    const orders = read('orders-canary');
    const heartbeatLost = acknowledged('heartbeat', stranded().canaries.heartbeat ?? []).length;
    const ordersLost = acknowledged('orders-canary', (stranded().orders['orders-canary'] ?? []).map((item) => Number(item.split('#')[1]))).length;
    expect(heartbeat).to.include({ ok: true, lost: heartbeatLost });
    expect(orders).to.include({ ok: true, lost: ordersLost });
    expect(heartbeatLost).to.be.greaterThan(5);
    expect(ordersLost).to.be.greaterThan(5);
    // With two canaries the result counts the most any of them lost.
    expect(result.measurements.lostWrites?.value).to.equal(Math.max(heartbeatLost, ordersLost));
  });

  it('measures RPO > 0: the time the link was dark before the outage, within one canary interval', () => {
    const linkDarkMs = truth('fault-on', 'primary-region-network').wallMs - truth('fault-on', 'replication-link').wallMs;
    const rpo = result.measurements.rpoMs!;
    expect(rpo.value).to.be.greaterThan(0);
    // The newest surviving write was acknowledged at most one interval (and one write) before the link went dark.
    expect(rpo.value).to.be.within(linkDarkMs - 100, linkDarkMs + CANARY_INTERVAL_MS + 100);
    expect(rpo.lower).to.be.at.most(rpo.value);
    expect(rpo.upper).to.be.at.least(rpo.value);
    // T_fault is bracketed from the link going dark to the hold-back's answer, just before the outage.
    const fault = result.milestones.fault!;
    expect(fault.lower).to.be.at.most(timelineMsOf({ anchorWallMs }, truth('fault-on', 'replication-link').wallMs) + 1);
    expect(fault.t).to.be.at.most(timelineMsOf({ anchorWallMs }, truth('fault-on', 'primary-region-network').wallMs) + 1);
  });
});

describe('canary kinds keep secrets out of events', function () {
  this.timeout(20_000);
  let silent: Server;
  let port: number;
  const sockets = new Set<Socket>();

  before(async () => {
    // Accepts connections and never answers: every write times out.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  /** Starts `canary`, resolves with its events once two writes failed, then reads it back. */
  async function failTwiceAndRead(canary: ReturnType<typeof sqlCanaryKind.create>): Promise<CanaryEvent[]> {
    const events: CanaryEvent[] = [];
    await new Promise<void>((resolve) => {
      canary.start({ clock: createClock(), emit: (e) => { events.push(e); if (events.filter((x) => !x.ok).length >= 2) resolve(); } });
    });
    await canary.stop();
    events.push(await canary.readRecovered());
    return events;
  }

  it('sql: passwords in connection strings are redacted in write and read errors', async () => {
    const url = `postgres://firedrill:s3cret-pw@127.0.0.1:${port}/postgres`;
    const events = await failTwiceAndRead(sqlCanaryKind.create('heartbeat', { writeTo: url, readFrom: url, interval: '50ms', timeout: '100ms' }, undefined as never));
    const text = JSON.stringify(events);
    expect(text).to.not.include('s3cret-pw');
    expect(text).to.include('postgres://firedrill:***@127.0.0.1');
    expect(events.at(-1)).to.include({ action: 'read', ok: false });
    expect(events.filter((e) => e.action === 'write').every((e) => !e.ok)).to.equal(true);
  });

  it('http: credentials in the endpoint URL are redacted, and nothing unacknowledged counts as lost', async () => {
    const events = await failTwiceAndRead(httpCanaryKind.create('orders', { url: `http://user:s3cret-pw@127.0.0.1:${port}/orders`, interval: '50ms', timeout: '100ms' }, undefined as never));
    const text = JSON.stringify(events);
    expect(text).to.not.include('s3cret-pw');
    expect(text).to.include('user:***@127.0.0.1');
    expect(events.at(-1)).to.deep.include({ action: 'read', ok: true, lost: 0 });
  });
});
