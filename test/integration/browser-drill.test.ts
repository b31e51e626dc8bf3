import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClock, timelineMsOf, type Clock } from '../../src/core/clock.js';
import type { Instant } from '../../src/core/measurement.js';
import type { SampleEvent, TimelineEvent } from '../../src/core/timeline.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { prepareBrowsersFor } from '../../src/runner/browser-warmup.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { loadScenarioObject } from '../../src/scenario/load.js';
import { defineScenario } from '../../src/scenario/schema.js';
import { firstRecoveryBounds } from '../support/first-recovery.js';

/*
 * A warm-standby Region outage on the lab, watched only by a customer in real Chromium (the
 * shop journey of probes/lab/: open the page, place an order through the database, see it
 * listed). T_impact and T_recovered come from journey samples alone, and are compared with
 * the lab's ground truth.
 */
const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDING_MS = 1;

const scenario = defineScenario({
  scenario: 'browser-journey',
  faults: [{ name: 'primary-region-outage', kind: 'blackhole', proxy: '${lab.regionControl}', mode: 'drop', lease: '30s', verifyUrl: '${lab.primaryUrl}health' }],
  probes: [{ use: 'probes/lab/shop.yaml' }],
  signals: [{ use: 'probes/lab/primary-health-alarm.yaml' }, { use: 'probes/lab/decision-alarm.yaml' }],
  milestones: {
    detect: { signal: 'primary-health-alarm', becomes: 'ALARM' },
    decide: { signal: 'decision-alarm', becomes: 'ALARM' },
    recovered: { probe: 'shop', region: 'us-west-2', consecutive: 3 },
  },
  origin: 'impact',
  steadyState: { window: '10s' }, // the lab, PostgreSQL and Chromium start together on a small runner
  observe: { timeout: '40s', settle: '1s' },
  verify: { window: '8s', noFailback: { probe: 'shop', region: 'us-west-2' } }, // long enough for whole journeys
  targets: { rto: '30s' },
  guardrails: { maxDuration: '120s' },
});

describe('a lab drill seen through a browser journey', function () {
  this.timeout(240_000);
  let base: string;
  let lab: Lab | undefined;
  let clock: Clock;
  let result: DrillResult;
  let outDir: string;
  const events: TimelineEvent[] = [];
  const shop = () => events.filter((e): e is SampleEvent => e.kind === 'sample' && e.probe === 'shop');
  const truthT = (event: 'decided' | 'first-recovery-serve' | 'fault-on') => {
    const record = lab!.truth.records.find((r) => r.event === event);
    expect(record, `the lab recorded no "${event}"`).to.not.equal(undefined);
    return timelineMsOf(clock, record!.wallMs);
  };

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'firedrill-browser-drill-'));
    await chmod(base, 0o711); // PostgreSQL runs as the postgres user when we are root
    // A patient health check: on a busy 2-core runner a 300 ms timeout can fail the lab over by itself.
    lab = await startLab({ dir: join(base, 'lab'), projectDir: PROJECT_DIR, strategy: 'warm-standby', controller: { timeoutMs: 1_000 } });
    const kinds = kindsFor(lab.environment);
    // Named after this file: `use:` paths are looked up from its folder upwards.
    const loaded = loadScenarioObject(scenario, 'test/integration/browser-drill.test.ts', lab.environment, schemasOf(kinds));
    clock = createClock();
    outDir = join(base, 'out');
    const releaseBrowsers = await prepareBrowsersFor(loaded);
    result = await runDrill({ scenario: loaded, environment: lab.environment, kinds, clock, outDir, stateDir: join(base, 'state'), onEvent: (e) => events.push(e) })
      .finally(releaseBrowsers);
  });

  after(async () => {
    await lab?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('passes: journeys succeed before the outage, fail during it, and succeed on the recovery Region after the failover', () => {
    expect(result.outcome, JSON.stringify({ aborted: result.aborted, checks: result.checks, verdicts: result.verdicts })).to.equal('passed');
    const fault = result.milestones.fault!;
    const before = shop().filter((s) => s.t + s.latencyMs < fault.lower);
    expect(before.length).to.be.greaterThan(0);
    expect(before.every((s) => s.ok && s.region === 'us-east-1'), 'before the fault').to.equal(true);
    // Each sample records the address its own requests went to (through its own resolving proxy).
    const reverted = result.faults[0]!.revertedAt!.t;
    const toDarkRegion = shop().filter((s) => s.t > fault.upper && s.t < reverted && s.detail?.address === lab!.vars.primaryAddress);
    expect(toDarkRegion.length).to.be.greaterThan(0);
    expect(toDarkRegion.every((s) => !s.ok), 'journeys sent to the dark primary Region').to.equal(true);
    const after = shop().filter((s) => s.t >= result.milestones.recovered!.t);
    expect(after.length).to.be.at.least(3);
    expect(after.every((s) => s.ok && s.region === 'us-west-2'), 'from T_recovered on').to.equal(true);
  });

  it('T_impact and T_recovered come from journey samples and hold the ground truth', () => {
    expectContains(result.milestones.impact, truthT('fault-on'), 'impact: the Region went dark');
    expectContains(firstRecoveryBounds(result, events, 'shop', 'us-west-2'), truthT('first-recovery-serve'), 'recovered: the first page the recovery side served to the customer');
    expect(result.measurements.rtoMs).to.not.equal(null);
  });

  it('a failed journey names its step and keeps a screenshot and a log, listed with their hashes', () => {
    const failed = shop().filter((s) => !s.ok);
    expect(failed.length).to.be.greaterThan(0);
    expect(failed.every((s) => typeof s.detail?.failedStep === 'string' && s.error!.startsWith(`${String(s.detail.failedStep)}: `))).to.equal(true);
    // Every file a failed sample names is listed in result.json with its hash.
    const named = new Set(failed.flatMap((s) => s.evidence ?? []));
    const artifacts = result.artifacts.filter((a) => named.has(a.path));
    expect(artifacts.map((a) => a.path).sort()).to.deep.equal([...named].sort());
    const screenshots = artifacts.filter((a) => a.path.endsWith('.png'));
    expect(screenshots.length).to.be.greaterThan(0);
    for (const artifact of artifacts) {
      const bytes = readFileSync(join(outDir, artifact.path));
      expect(artifact.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
      expect(artifact.bytes).to.equal(bytes.length);
    }
    expect(readFileSync(join(outDir, screenshots[0]!.path)).subarray(1, 4).toString()).to.equal('PNG');
  });
});

function expectContains(instant: Instant | null, t: number, what: string): void {
  expect(instant, what).to.not.equal(null);
  expect(t, `${what}: truth ${t.toFixed(1)} within [${instant!.lower.toFixed(1)}, ${instant!.upper.toFixed(1)}]`).to.be.within(instant!.lower - ROUNDING_MS, instant!.upper + ROUNDING_MS);
}
