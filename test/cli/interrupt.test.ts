import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetExperimentCommand, ListExperimentTemplatesCommand } from '@aws-sdk/client-fis';
import { emulatorTarget, fisClient } from '../../src/aws/clients.js';
import { PROJECT_DIR, runCli, startCli } from '../support/cli-process.js';
import { EXIT } from '../../src/runtime/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';

/**
 * Stopping a drill from outside: SIGINT/SIGTERM must revert before exiting; SIGKILL cannot, so
 * the journal must let `firedrill cleanup` do it; one drill per environment at a time.
 */
const DEMO = join(PROJECT_DIR, 'drills', 'lab-demo.yaml');
const INJECTED = /fault primary-region-outage \(blackhole\): injected$/;
const DRILL_TIMEOUT_MS = 60_000;

interface AbortedResult {
  outcome: string;
  aborted: { reason: string; guardrail?: string } | null;
  faults: { name: string; verified: boolean; injectedAt: unknown }[];
}

describe('firedrill run interrupted mid-drill (black box, against the lab)', function () {
  this.timeout(120_000);
  let state: TempDir;
  let lab: TestLab;

  before(async () => {
    state = createTempDir('interrupt');
    lab = await startTestLab(state.path);
  });

  // A failed test must not leave the next one a dirty journal or a failed-over lab.
  afterEach(async () => {
    if (unreverted().length) await runCli(['cleanup', '--state-dir', state.path]);
    await lab.failBack();
  });

  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  const readResult = (out: string) => JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as AbortedResult;
  const unreverted = () => lab.journalEntries().filter((e) => e.status !== 'reverted');

  it('refuses a second drill on the same environment while one runs (exit 2, locked)', async () => {
    const demo = readFileSync(DEMO, 'utf8');
    const STEADY_STATE = /^steadyState: \{ window: 2s\b/m;
    expect(demo).to.match(STEADY_STATE);
    // A maximum duration that leaves the longer steady state its time (validation holds them consistent).
    const slow = state.write('lab-demo-long-steady-state.yaml', demo.replace(STEADY_STATE, 'steadyState: { window: 60s').replace('guardrails: { maxDuration: 90s }', 'guardrails: { maxDuration: 3m }'));
    const out = join(state.path, 'out-first');
    const first = startCli(['run', slow, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS });
    try {
      await first.waitForLine(/steady-state started$/);
      const second = await runCli(['run', DEMO, '--state-dir', state.path, '--out', join(state.path, 'out-second')]);
      expect(second.code, second.output).to.equal(2);
      expect(second.stderr).to.match(/environment "lab" is locked by drill lab-demo-\S+ \(pid \d+/);
    } finally {
      first.child.kill('SIGINT');
    }
    const ended = await first.exited;
    expect(ended.code, ended.output).to.equal(EXIT.aborted);
    const result = readResult(out);
    expect(result.outcome).to.equal('aborted');
    expect(result.faults, 'interrupted before the inject phase: nothing injected').to.deep.equal([]);
    expect(await lab.proxyMode()).to.equal('pass');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} after the fault is injected: reverts it, exits 3 (aborted), records the drill as aborted`, async () => {
      const out = join(state.path, `out-${signal}`);
      const drill = startCli(['run', DEMO, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS });
      await drill.waitForLine(INJECTED);
      expect(await lab.proxyMode(), 'the fault is in effect before the signal').to.equal('drop');
      drill.child.kill(signal);
      const ended = await drill.exited;
      expect(ended.code, ended.output).to.equal(EXIT.aborted);
      expect(ended.stderr).to.include(`${signal} received: stopping the drill and reverting every fault`);
      expect(ended.stdout).to.match(/— ABORTED/);
      expect(ended.stdout).to.include('blackhole primary-region-outage: reverted and verified');
      expect(await lab.proxyMode()).to.equal('pass');
      expect(await lab.primaryAnswers(), `a request through the proxy to ${lab.lab.vars.primaryUrl}health`).to.equal(true);
      const result = readResult(out);
      expect(result.outcome).to.equal('aborted');
      expect(result.aborted?.reason).to.include(signal);
      expect(result.faults.map((f) => ({ name: f.name, verified: f.verified }))).to.deep.equal([{ name: 'primary-region-outage', verified: true }]);
      expect(unreverted()).to.deep.equal([]);
    });
  }

  it('SIGKILL leaves the fault and its journal entry; run is refused until cleanup reverts it; cleanup twice is a no-op', async () => {
    const drill = startCli(['run', DEMO, '--state-dir', state.path, '--out', join(state.path, 'out-SIGKILL')], { timeoutMs: DRILL_TIMEOUT_MS });
    await drill.waitForLine(INJECTED);
    drill.child.kill('SIGKILL');
    const ended = await drill.exited;
    expect(ended.signal).to.equal('SIGKILL');

    // The timeline is written as it happens: the killed drill's evidence is on disk.
    const written = readFileSync(join(state.path, 'out-SIGKILL', 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; action?: string });
    expect(written.some((e) => e.kind === 'fault' && e.action === 'injected'), 'the injection is on record').to.equal(true);

    // The lease (30 s by default) has not run out yet: the blackhole is still on.
    expect(await lab.proxyMode()).to.equal('drop');
    expect(unreverted().map((e) => ({ name: e.name, kind: e.kind, status: e.status }))).to.deep.equal([{ name: 'primary-region-outage', kind: 'blackhole', status: 'injected' }]);

    const refused = await runCli(['run', DEMO, '--state-dir', state.path, '--out', join(state.path, 'out-refused')]);
    expect(refused.code, refused.output).to.equal(2);
    expect(refused.stderr).to.include('never reverted');
    expect(refused.stderr).to.include('firedrill cleanup --env lab');
    expect(refused.stderr).to.match(/blackhole primary-region-outage \(drill lab-demo-\S+, injected\)/);
    expect(await lab.proxyMode(), 'the refused run changed nothing').to.equal('drop');

    const cleanup = await runCli(['cleanup', '--state-dir', state.path]);
    expect(cleanup.code, cleanup.output).to.equal(0);
    expect(cleanup.stdout).to.match(/reverted and verified: blackhole primary-region-outage \(drill lab-demo-\S+, environment lab\)/);
    expect(await lab.proxyMode()).to.equal('pass');
    expect(await lab.primaryAnswers()).to.equal(true);
    expect(unreverted()).to.deep.equal([]);

    const again = await runCli(['cleanup', '--state-dir', state.path]);
    expect(again.code, again.output).to.equal(0);
    expect(again.stdout).to.include('nothing to clean up');
    expect(again.stdout).not.to.include('reverted and verified');
  });

  it('SIGKILL during an FIS experiment: cleanup stops the experiment and deletes the template it made', async () => {
    const drill = startCli(['run', join(PROJECT_DIR, 'drills', 'lab-fis-outage.yaml'), '--state-dir', state.path, '--out', join(state.path, 'out-fis-SIGKILL')], { timeoutMs: DRILL_TIMEOUT_MS });
    await drill.waitForLine(/fault primary-subnet-outage \(fis\): injected$/);
    drill.child.kill('SIGKILL');
    await drill.exited;
    const [entry] = unreverted();
    expect(entry).to.deep.include({ name: 'primary-subnet-outage', kind: 'fis', status: 'injected' });
    const experimentId = entry!.state.experimentId as string;
    const fis = fisClient(emulatorTarget(lab.lab.vars.awsEndpoint, 'us-east-1'));
    try {
      const running = await fis.send(new GetExperimentCommand({ id: experimentId }));
      expect(running.experiment!.state!.status, 'the experiment outlived the drill').to.equal('running');

      const cleanup = await runCli(['cleanup', '--state-dir', state.path]);
      expect(cleanup.code, cleanup.output).to.equal(0);
      expect(cleanup.stdout).to.match(/reverted and verified: fis primary-subnet-outage/);
      const after = await fis.send(new GetExperimentCommand({ id: experimentId }));
      expect(after.experiment!.state!.status, 'no FIS experiment is left running').to.be.oneOf(['stopped', 'completed']);
      const templates = await fis.send(new ListExperimentTemplatesCommand({}));
      expect(templates.experimentTemplates ?? []).to.deep.equal([]);
      expect(unreverted()).to.deep.equal([]);
    } finally {
      fis.destroy();
    }
  });
});
