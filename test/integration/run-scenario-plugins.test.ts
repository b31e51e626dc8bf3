import { expect } from 'chai';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { cloudWatchClient, emulatorTarget } from '../../src/aws/clients.js';
import { exactInstant } from '../../src/core/measurement.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { runScenario, type DrillPlugin, type Environment, type Kinds } from '../../src/index.js';
import type { FaultKind } from '../../src/faults/fault.js';
import { METRIC_NAMESPACE } from '../../src/report/cloudwatch-metrics.js';
import { DrillHistory } from '../../src/report/drill-history.js';
import { localHistory } from '../../src/report/local-history.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { PROJECT_DIR } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/**
 * `runScenario` with kinds of a user's own and a plugin: the plugin holds the drill before
 * inject, hears every event in order and adds an artifact; the drill writes its history entry
 * and publishes its metrics (to moto) exactly as `firedrill run` does.
 */
describe('runScenario with extra kinds and a plugin', function () {
  this.timeout(120_000);
  let moto: Emulator;
  let dir: TempDir;

  before(async () => {
    moto = await startMoto({ projectDir: PROJECT_DIR });
    dir = createTempDir('run-scenario-plugins');
  });
  after(async () => {
    await moto?.stop();
    dir?.remove();
  });

  it('holds before inject until released, delivers every event, lists the artifact, writes history and publishes metrics', async () => {
    let switchedAt: number | undefined;
    const flag: FaultKind<Record<string, never>> = {
      kind: 'flag', settings: z.strictObject({}), plan: () => ['raise the flag'],
      async inject(_s, ctx) { await ctx.remember({ raised: true }); switchedAt = ctx.clock.now(); return { at: exactInstant(switchedAt), state: { raised: true } }; },
      async revert() {}, async verifyReverted() {},
    };
    const kinds: Partial<Kinds> = {
      faults: { flag },
      probes: { steady: { settings: z.strictObject({}), create: (name) => ({ name, intervalMs: 10, timeoutMs: 100, sample: async () => ({ ok: true, region: 'us-west-2' }), close: async () => {} }) } },
    };
    const environment: Environment = {
      name: 'emu',
      aws: { accounts: ['123456789012'], regions: ['us-east-1'], endpoints: { default: moto.endpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, metricsRegion: 'us-east-1' },
      vars: {},
    };
    let heldFor = 0;
    const seen: TimelineEvent[] = [];
    const plugin: DrillPlugin = {
      name: 'test',
      beforeChange: ({ drill }) => new Promise<void>((release) => {
        const from = drill.clock.now();
        expect(switchedAt, 'nothing injected while held').to.equal(undefined);
        // A person releasing the gate a little later.
        setTimeout(() => { heldFor = drill.clock.now() - from; release(); }, 150);
      }),
      onEvent: ({ event }) => seen.push(event),
      artifacts: ({ addArtifact }) => { addArtifact('plugin/hello.txt', 'hello\n'); },
    };
    const outDir = join(dir.path, 'out');
    const stateDir = join(dir.path, 'state');
    const result = await runScenario({
      scenario: 'own-kinds',
      faults: [{ name: 'flag', kind: 'flag' }],
      probes: [{ name: 'app', kind: 'steady' }],
      milestones: { recovered: { probe: 'app', consecutive: 3 } },
      steadyState: { window: '50ms' },
      observe: { timeout: '2s', settle: '20ms' },
      verify: { window: '30ms' },
      targets: { rto: '5s' },
    }, { environment, outDir, stateDir, plugins: [plugin], kinds });

    expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
    expect(heldFor).to.be.at.least(140);
    expect(result.caller?.account).to.equal('123456789012');
    const onDisk = readFileSync(join(outDir, 'timeline.ndjson'), 'utf8').trim().split('\n').map((l) => { const { wall: _w, ...e } = JSON.parse(l) as TimelineEvent & { wall: string }; return e; });
    expect(seen).to.deep.equal(onDisk);
    expect(result.artifacts.map((a) => a.path)).to.include.members(['timeline.ndjson', 'plugin/hello.txt', 'junit.xml', 'timeline.svg']);

    const history = await new DrillHistory(localHistory(join(stateDir, 'history.ndjson'))).list();
    expect(history.map((h) => h.drillId)).to.deep.equal([result.drillId]);
    const cw = cloudWatchClient(emulatorTarget(moto.endpoint, 'us-east-1'));
    try {
      const listed = await cw.send(new ListMetricsCommand({ Namespace: METRIC_NAMESPACE, Dimensions: [{ Name: 'Scenario', Value: 'own-kinds' }, { Name: 'Environment', Value: 'emu' }] }));
      expect((listed.Metrics ?? []).map((m) => m.MetricName).sort()).to.include.members(['DrillPassed', 'RTO']);
    } finally {
      cw.destroy();
    }
  });
});
