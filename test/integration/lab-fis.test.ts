/**
 * Issue 3's end-to-end drill: `drills/lab-fis-outage.yaml` against the lab on the emulator.
 * firedrill starts the FIS experiment through the SDK, the lab's executor turns it into a
 * Region outage, detection is read from the alarm's own clock and decision from the Route 53
 * change; afterwards the experiment has ended, the template firedrill made is gone and the
 * record firedrill changed holds its old value again.
 */
import { GetExperimentCommand, ListExperimentTemplatesCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulatorTarget, fisClient, route53Client } from '../../src/aws/clients.js';
import { timelineMsOf } from '../../src/core/clock.js';
import type { SignalEvent, TimelineEvent } from '../../src/core/timeline.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { loadScenario } from '../../src/scenario/load.js';
import { readRecordSet } from '../../src/aws/route53-records.js';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('an FIS-driven lab drill on the emulator (drills/lab-fis-outage.yaml)', function () {
  this.timeout(120_000);
  let work: string;
  let lab: Lab;
  let result: DrillResult;
  let timeline: TimelineEvent[];
  const outDir = () => join(work, 'out');

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'firedrill-fis-lab-'));
    lab = await startLab({ dir: join(work, 'lab'), projectDir: PROJECT_DIR, fisStateSeconds: 3 });
    const kinds = kindsFor(lab.environment);
    const scenario = await loadScenario(join(PROJECT_DIR, 'drills', 'lab-fis-outage.yaml'), lab.environment, schemasOf(kinds));
    result = await runDrill({ scenario, environment: lab.environment, kinds, outDir: outDir(), stateDir: join(work, 'state') });
    timeline = readFileSync(join(outDir(), 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TimelineEvent);
  });

  after(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const truthT = (event: Parameters<Lab['truth']['first']>[0]) => timelineMsOf({ anchorWallMs: Date.parse(result.clockAnchor) }, lab.truth.first(event)!.wallMs);

  it('passes, with every fault and step reverted and verified', () => {
    expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
    expect([...result.faults, ...result.steps].map((f) => [f.name, f.verified])).to.deep.equal([['primary-subnet-outage', true], ['status-page-switch', true]]);
  });

  it('keeps the experiment as FIS describes it after the drill, as evidence listed with its hash', () => {
    const artifact = result.artifacts.find((a) => a.path === join('evidence', 'primary-subnet-outage.json'))!;
    expect(artifact.sha256).to.match(/^[0-9a-f]{64}$/);
    const experiment = JSON.parse(readFileSync(join(outDir(), artifact.path), 'utf8')) as { state: { status: string }; tags: Record<string, string> };
    expect(experiment.state.status).to.be.oneOf(['stopped', 'completed']);
    expect(experiment.tags['firedrill:drill']).to.equal(result.drillId);
  });

  it('started the experiment through the SDK, tagged with the drill, and the lab really broke while it ran', async () => {
    const fis = fisClient(emulatorTarget(lab.vars.awsEndpoint, 'us-east-1'));
    try {
      const listed = await fis.send(new ListExperimentsCommand({}));
      const ours = (listed.experiments ?? []).filter((e) => e.tags?.['firedrill:drill'] === result.drillId);
      expect(ours).to.have.length(1);
      const { experiment } = await fis.send(new GetExperimentCommand({ id: ours[0]!.id! }));
      expect(experiment!.state!.status, 'the experiment has ended').to.be.oneOf(['stopped', 'completed']);
      const templates = await fis.send(new ListExperimentTemplatesCommand({}));
      expect(templates.experimentTemplates ?? [], 'the template firedrill created is gone').to.deep.equal([]);
    } finally {
      fis.destroy();
    }
    const fault = result.milestones.fault!;
    // FIS's clock says when FIS acted; the executor breaks traffic on its next poll.
    expect(truthT('fault-on')).to.be.within(fault.lower, fault.upper + 500);
    expect(result.milestones.impact!.t).to.be.at.least(fault.lower);
  });

  it('took detection from the alarm\'s own clock, matching what the lab really did', () => {
    const alarm = timeline.find((e): e is SignalEvent => e.kind === 'signal' && e.signal === 'primary-health-alarm' && e.state === 'ALARM')!;
    expect(alarm.source).to.equal('source-clock');
    expect(result.milestones.detect!.t).to.be.closeTo(truthT('detected'), 1);
  });

  it('took decision from the Route 53 change, whose bounds contain the real switch', () => {
    const decide = result.milestones.decide!;
    const switched = truthT('dns-switched');
    expect(switched).to.be.within(decide.lower, decide.upper);
    expect(result.measurements.decisionMs!.upper).to.be.at.least(result.measurements.decisionMs!.lower);
  });

  it('put back the record the runbook step changed', async () => {
    const route53 = route53Client(emulatorTarget(lab.vars.awsEndpoint, 'us-east-1'));
    try {
      const record = await readRecordSet(route53, { hostedZoneId: lab.vars.hostedZoneId, recordName: 'status.lab.firedrill.test', type: 'A' });
      expect(record, 'the status record did not exist before the drill, so it is deleted again').to.equal(undefined);
    } finally {
      route53.destroy();
    }
    const step = timeline.filter((e) => e.kind === 'fault' && e.fault === 'status-page-switch').map((e) => (e as { action: string }).action);
    expect(step).to.deep.equal(['inject-intent', 'injected', 'revert-start', 'reverted', 'verified']);
  });
});
