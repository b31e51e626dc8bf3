import { expect } from 'chai';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createClock, timelineMsOf, type Clock } from '../../src/core/clock.js';
import type { Instant } from '../../src/core/measurement.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { TruthEvent, TruthRecord } from '../../lab/ground-truth.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { waitFor } from '../../src/runtime/wait.js';
import type { LabStrategy } from '../../lab/strategies.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { loadScenario } from '../../src/scenario/load.js';
import { firstRecoveryBounds } from '../support/first-recovery.js';

/*
 * Each strategy's drill from drills/, run by the runner against a real lab (moto, PostgreSQL,
 * DNS, the failover controller), one lab per strategy; the measurements are compared with the
 * lab's ground truth. The labs answer DNS with TTL 0: a client's cache would add up to a TTL of
 * delay to one run and not the other, and blur the pilot light / warm standby comparison.
 */
const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The drills' user-facing probe interval and the canaries' write interval. */
const APP_INTERVAL_MS = 200;
const CANARY_INTERVAL_MS = 100;
/** Milliseconds of rounding between a wall-clock truth and the timeline. */
const ROUNDING_MS = 1;

interface DrillRun {
  lab: Lab;
  result: DrillResult;
  events: TimelineEvent[];
  clock: Clock;
}

let base: string;
const runs = new Map<string, Promise<DrillRun>>();

/** Runs drills/`file` once against a fresh lab with `strategy`; later calls share the run. */
function drillOnce(strategy: LabStrategy, file: string): Promise<DrillRun> {
  const key = `${strategy}:${file}`;
  if (!runs.has(key)) runs.set(key, runStrategyDrill(strategy, file));
  return runs.get(key)!;
}

async function runStrategyDrill(strategy: LabStrategy, file: string): Promise<DrillRun> {
  const lab = await startLab({ dir: join(base, file), projectDir: PROJECT_DIR, strategy, dnsTtlSeconds: 0 });
  try {
    const kinds = kindsFor(lab.environment);
    const scenario = await loadScenario(join(PROJECT_DIR, 'drills', file), lab.environment, schemasOf(kinds));
    const clock = createClock();
    const events: TimelineEvent[] = [];
    const result = await runDrill({
      scenario, environment: lab.environment, kinds, clock,
      outDir: join(base, 'out', file), stateDir: join(base, 'state', file), onEvent: (e) => events.push(e),
    });
    return { lab, result, events, clock };
  } finally {
    await lab.stop();
  }
}

function truthOf(run: DrillRun, event: TruthEvent, where: (r: TruthRecord) => boolean = () => true): TruthRecord {
  const record = run.lab.truth.records.find((r) => r.event === event && where(r));
  if (!record) throw new Error(`expected the lab's ground truth to hold "${event}", found: ${run.lab.truth.records.map((r) => r.event).join(', ')}`);
  return record;
}

function truthT(run: DrillRun, event: TruthEvent): number {
  return timelineMsOf(run.clock, truthOf(run, event).wallMs);
}

function expectContains(instant: Instant | null, t: number, what: string): void {
  expect(instant, what).to.not.equal(null);
  expect(t, `${what}: truth ${t} within [${instant!.lower}, ${instant!.upper}]`).to.be.within(instant!.lower - ROUNDING_MS, instant!.upper + ROUNDING_MS);
}

/** The measured decide and recovered instants hold the lab's true decision and first service to users. */
function expectTimingMatchesTruth(run: DrillRun): void {
  expect(run.result.outcome, JSON.stringify({ aborted: run.result.aborted, checks: run.result.checks, verdicts: run.result.verdicts })).to.equal('passed');
  expectContains(run.result.milestones.decide, truthT(run, 'decided'), 'decide');
  expectContains(firstRecoveryBounds(run.result, run.events, 'app', 'us-west-2'), truthT(run, 'first-recovery-serve'), 'recovered: the first good sample');
  expectContains(run.result.milestones.fault, timelineMsOf(run.clock, truthOf(run, 'fault-on', (r) => r.detail?.target === 'primary-region-network').wallMs), 'fault');
}

type Stranded = { canaries: Record<string, number[]>; orders: Record<string, string[]> };

/**
 * The lab's stranded heartbeat rows that the canary had acknowledged. A write in flight when the
 * Region went dark can be committed and never acknowledged: it must be one the canary saw fail.
 */
function acknowledgedStranded(run: DrillRun, stranded: Stranded): number[] {
  const writes = run.events.filter((e) => e.kind === 'canary' && e.canary === 'heartbeat' && e.action === 'write');
  const ok = new Set(writes.filter((w) => w.kind === 'canary' && w.ok).map((w) => w.kind === 'canary' && w.seq));
  const seqs = stranded.canaries.heartbeat ?? [];
  expect(seqs.filter((seq) => !ok.has(seq)).length, 'stranded heartbeat writes never acknowledged (in flight at the outage)').to.be.at.most(1);
  return seqs.filter((seq) => ok.has(seq));
}

function span(run: DrillRun, from: TruthEvent, to: TruthEvent): number {
  return truthOf(run, to).wallMs - truthOf(run, from).wallMs;
}

describe('DR strategies on the lab: each drill measured against the ground truth', function () {
  this.timeout(240_000);

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-strategies-'));
    await chmod(base, 0o711); // PostgreSQL runs as the postgres user when we are root
  });

  after(async () => {
    await Promise.allSettled(runs.values());
    await rm(base, { recursive: true, force: true });
  });

  it('warm standby: promotes the replica and switches DNS; healthy replication loses nothing', async () => {
    const run = await drillOnce('warm-standby', 'warm-standby.yaml');
    expectTimingMatchesTruth(run);
    const stranded = truthOf(run, 'promotion-end').detail?.stranded as Stranded;
    expect(acknowledgedStranded(run, stranded)).to.deep.equal([]);
    expect(stranded.orders['users']?.length ?? 0, 'user orders in flight at the outage').to.be.at.most(1);
    expect(run.result.measurements.lostWrites?.value).to.equal(0);
    expect(run.result.measurements.rpoMs?.value).to.equal(0);
    expect(truthT(run, 'promotion-start')).to.be.at.least(truthT(run, 'decided'));
    expect(truthT(run, 'dns-switched')).to.be.at.least(truthT(run, 'promotion-end'));
  });

  it('pilot light: scales the recovery app from zero, and its failover is longer than warm standby\'s by the scale-up', async () => {
    const warm = await drillOnce('warm-standby', 'warm-standby.yaml');
    const pilot = await drillOnce('pilot-light', 'pilot-light.yaml');
    expectTimingMatchesTruth(pilot);
    expect(pilot.result.measurements.lostWrites?.value).to.equal(0);
    expect(truthOf(pilot, 'scale-up-start').detail).to.deep.equal({ from: 0, to: 2 });
    expect(truthT(pilot, 'dns-switched')).to.be.at.least(truthT(pilot, 'scale-up-end'));

    // Pilot light adds the scale-up to the recovery steps; besides it the runs differ by their
    // promotions and by when the probe's next sample lands after the switch (one interval at most).
    const scaleUp = span(pilot, 'scale-up-start', 'scale-up-end');
    const promotionDelta = span(pilot, 'promotion-start', 'promotion-end') - span(warm, 'promotion-start', 'promotion-end');
    const extra = pilot.result.measurements.failoverMs!.value - warm.result.measurements.failoverMs!.value;
    expect(scaleUp).to.be.within(warm.lab.vars.scaleUpDelayMs - 2, warm.lab.vars.scaleUpDelayMs + 200); // timers may fire a millisecond early by Date.now()
    expect(extra).to.be.within(scaleUp + promotionDelta - APP_INTERVAL_MS - 50, scaleUp + promotionDelta + APP_INTERVAL_MS + 50);
    expect(pilot.result.measurements.rtoMs!.value).to.be.greaterThan(warm.result.measurements.rtoMs!.value);
  });

  it('multi-site active/active: both Regions serve, then the recovery side takes the writes', async () => {
    const run = await drillOnce('active-active', 'active-active.yaml');
    expectTimingMatchesTruth(run);
    expect(run.result.measurements.lostWrites?.value).to.equal(0);
    const stranded = truthOf(run, 'promotion-end').detail?.stranded as Stranded;
    expect(stranded.orders['orders-canary']?.length ?? 0, 'canary orders in flight at the outage').to.be.at.most(1);
    // The recovery Region's own users were served all along, through the outage.
    const west = run.events.filter((e) => e.kind === 'sample' && e.probe === 'west-users');
    expect(west.length).to.be.greaterThan(10);
    expect(west.filter((e) => !(e.kind === 'sample' && e.ok && e.region === 'us-west-2'))).to.deep.equal([]);
    // DNS answered both Regions, then the recovery Region alone.
    const dns = run.events.filter((e) => e.kind === 'signal' && e.signal === 'app-dns').map((e) => e.kind === 'signal' && e.state);
    const { primaryAddress, recoveryAddress } = run.lab.vars;
    expect(dns).to.deep.equal([[primaryAddress, recoveryAddress].sort().join(','), recoveryAddress]);
  });

  it('backup and restore: restores the newest backup copy; RPO lies within a backup interval of the backup', async () => {
    const run = await drillOnce('backup-restore', 'backup-restore.yaml');
    expectTimingMatchesTruth(run);
    const interval = run.lab.vars.backupIntervalMs!;
    const restoreEnd = truthOf(run, 'restore-end');
    const takenAt = restoreEnd.detail?.takenAt as number;
    const lost = acknowledgedStranded(run, restoreEnd.detail?.stranded as Stranded).length;
    const faultT = run.result.milestones.fault!.t;
    // True RPO: from the snapshot of the backup restored to the fault.
    const truthRpo = faultT - timelineMsOf(run.clock, takenAt);
    expect(truthRpo).to.be.within(0, interval + 500);
    const rpo = run.result.measurements.rpoMs!;
    // The newest surviving canary was acknowledged at most one canary interval before the snapshot.
    expect(rpo.value).to.be.within(truthRpo - 50, truthRpo + CANARY_INTERVAL_MS + 50);
    expect(rpo.value).to.be.within(1, interval + CANARY_INTERVAL_MS + 500);
    expect(run.result.measurements.lostWrites?.value).to.equal(lost).and.be.greaterThan(0);
    // RTO is dominated by the restore: it is the longest recovery step, and the failover holds it and the app's start.
    const restore = span(run, 'restore-start', 'restore-end');
    const appStart = span(run, 'scale-up-start', 'scale-up-end');
    expect(restore).to.be.greaterThan(appStart);
    expect(run.result.measurements.failoverMs!.value).to.be.at.least(restore + appStart);
  });

  it('manual mode: a person decides (POST /decide), the strategy\'s recovery runs, and failback points DNS home', async () => {
    const lab = await startLab({ dir: join(base, 'manual'), projectDir: PROJECT_DIR, strategy: 'warm-standby', controller: { mode: 'manual' } });
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
      const res = await request(url, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
    };
    const phase = async () => (await call('GET', lab.vars.controllerStatus)).json.phase;
    try {
      expect((await call('PUT', `${lab.vars.regionControl}/fault`, { mode: 'drop', leaseMs: 30_000 })).json.mode).to.equal('drop');
      await waitFor(async () => (await phase()) === 'detected', { timeoutMs: 10_000, what: 'the controller to detect the outage' });
      expect((await call('POST', lab.vars.controllerStatus.replace(/status$/, 'decide'))).status).to.equal(202);
      await waitFor(async () => (await phase()) === 'failed-over', { timeoutMs: 15_000, what: 'the failover after the decision' });
      expect(lab.truth.records.map((r) => r.event)).to.include.members(['decided', 'promotion-start', 'promotion-end', 'dns-switched']);
      expect(lab.database!.writer()).to.equal(lab.vars.recoveryDb);

      expect((await call('DELETE', `${lab.vars.regionControl}/fault`)).json.mode).to.equal('pass');
      expect((await call('POST', lab.vars.controllerStatus.replace(/status$/, 'failback'))).status).to.equal(200);
      expect(await phase()).to.equal('healthy');
      expect(lab.truth.first('failback')).to.not.equal(undefined);
    } finally {
      await lab.stop();
    }
  });
});
