import { expect } from 'chai';
import { join } from 'node:path';
import { z } from 'zod';
import { exactInstant } from '../../../src/core/measurement.js';
import type { FaultKind } from '../../../src/faults/fault.js';
import { callLiveDrill, findLiveDrill } from '../../../src/gameday/live-file.js';
import { runScenario, type Environment, type GameDayControls, type Kinds, type ScenarioInput } from '../../../src/index.js';
import { createTempDir, type TempDir } from '../../support/temp-dir.js';

/**
 * `runScenario` takes game-day people and gates as `firedrill run` does: a gate held until it is
 * approved from code (the controls `onOpen` hands over) or through the live server, CI mode that
 * decides `ci: approve` gates and refuses the others. Fake kinds, no AWS.
 */
const ENV: Environment = { name: 'local', vars: {} };
const flag: FaultKind<Record<string, never>> = {
  kind: 'flag', settings: z.strictObject({}), plan: () => ['raise the flag'],
  async inject(_s, ctx) { await ctx.remember({ raised: true }); return { at: exactInstant(ctx.clock.now()), state: { raised: true } }; },
  async revert() {}, async verifyReverted() {},
};
const KINDS: Partial<Kinds> = {
  faults: { flag },
  probes: { steady: { settings: z.strictObject({}), create: (name) => ({ name, intervalMs: 10, timeoutMs: 100, sample: async () => ({ ok: true, region: 'us-west-2' }), close: async () => {} }) } },
};
const gated = (ci?: 'approve'): ScenarioInput => ({
  scenario: 'gated',
  faults: [{ name: 'flag', kind: 'flag' }],
  probes: [{ name: 'app', kind: 'steady' }],
  gates: [{ name: 'failover', before: 'observe', timeout: '20s', ...(ci ? { ci } : {}) }],
  milestones: { decide: { gate: 'failover' }, recovered: { probe: 'app', consecutive: 3 } },
  steadyState: { window: '50ms' },
  observe: { timeout: '2s', settle: '20ms' },
  verify: { window: '30ms' },
  targets: { rto: '25s' },
});

describe('runScenario with a game day (people, gates, CI mode)', () => {
  let dir: TempDir;
  beforeEach(() => { dir = createTempDir('run-scenario-game-day'); });
  afterEach(() => dir.remove());
  const options = (name: string) => ({ environment: ENV, kinds: KINDS, outDir: join(dir.path, name), stateDir: join(dir.path, 'state') });

  it('holds the gate until approved from code; the approval is T_decide, with the people on record', async () => {
    let controls: GameDayControls | undefined;
    let approvedAt: number | undefined;
    const result = await runScenario(gated(), {
      ...options('code'),
      gameDay: { ci: false, people: [{ name: 'Ines', role: 'commander' }], onOpen: (session) => { controls = session.controls; } },
      onEvent: (event) => {
        if (event.kind !== 'gate' || event.state !== 'waiting') return;
        // A person deciding a moment after the gate opened (from another event turn, as a click would).
        setImmediate(() => { controls!.approve('failover', 'Ines', 'page'); });
      },
      plugins: [{ name: 'spy', onEvent: ({ event }) => { if (event.kind === 'gate' && event.state === 'approved') approvedAt = event.t; } }],
    });
    expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
    expect(result.milestones.decide!.t).to.equal(approvedAt);
    expect(result.gameDay!.approvals.map(({ gate, by, via }) => ({ gate, by, via }))).to.deep.equal([{ gate: 'failover', by: 'Ines', via: 'page' }]);
    expect(result.gameDay!.people).to.deep.equal([{ name: 'Ines', role: 'commander' }]);
  });

  it('with live: true serves the game-day server: `firedrill approve`\'s call lets the gate through', async () => {
    let pageUrl: string | undefined;
    const stateDir = join(dir.path, 'state');
    const result = await runScenario(gated(), {
      ...options('live'),
      gameDay: { ci: false, live: true, onOpen: (session) => { pageUrl = session.pageUrl; } },
      onEvent: (event) => {
        if (event.kind === 'gate' && event.state === 'waiting') void callLiveDrill(findLiveDrill(stateDir), '/approve', { gate: 'failover', by: 'Olu', via: 'cli' });
      },
    });
    expect(pageUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
    expect(result.gameDay!.approvals.map(({ by, via }) => ({ by, via }))).to.deep.equal([{ by: 'Olu', via: 'cli' }]);
    expect(() => findLiveDrill(stateDir), 'the live file is gone with the drill').to.throw(/no drill with a game-day server is running/);
  });

  it('in CI mode decides a `ci: approve` gate at once, and refuses a manual one before anything runs', async () => {
    const unattended = await runScenario(gated('approve'), { ...options('ci'), gameDay: { ci: true } });
    expect(unattended.outcome).to.equal('passed');
    expect(unattended.gameDay!.approvals.map(({ by, via }) => ({ by, via }))).to.deep.equal([{ by: 'ci', via: 'ci' }]);

    let error: Error | undefined;
    await runScenario(gated(), { ...options('ci-refused'), gameDay: { ci: true } }).catch((e: Error) => { error = e; });
    expect(error?.message).to.equal('scenario "gated": CI mode never waits for a person, and this scenario has manual gate(s):\n  - gates[0] "failover": set "ci: approve" to decide automatically in CI, or run without --ci (and without CI=true)');
  });
});
