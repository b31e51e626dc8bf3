/*
 * The FIS fault against moto 5.2.5 (server mode), read through @aws-sdk/client-fis 3.523.
 * moto's FIS, as observed here (for the README's emulator notes):
 * - Actions never run. With a time transition each state lasts `seconds` from the GetExperiment
 *   that entered it; a state only advances when read, one step per read, so polling never skips
 *   one (pending → initiating → running → completed).
 * - Once the experiment is running, every action carries a `startTime`, but it is the experiment's
 *   own startTime, i.e. when StartExperiment was called, before `pending` and `initiating`: T_fault
 *   from it lands about 2 × `seconds` before the experiment was seen running. Actions copy the
 *   experiment's state. A template with no actions gives no action startTime, so that path
 *   exercises the observed-transition bracket.
 * - StopExperiment answers `stopping`; `stopped` follows `seconds` after the running state began.
 *   endTime is stamped by the GetExperiment that first reads the terminal state, so it is an
 *   observed time rather than FIS's own.
 * - Experiments never fail or get cancelled and stop conditions are ignored; the "ended before
 *   running" path is reached with the `immediate` transition (straight to completed).
 * - StartExperiment's experimentOptions.actionsMode is stored and echoed (the SDK 3.523 does not
 *   model it; the fault adds it to the request body).
 * - An unknown template id: StartExperiment answers 404 ResourceNotFoundException
 *   "Experiment template … does not exist".
 */
import { fileURLToPath } from 'node:url';
import {
  CreateExperimentTemplateCommand, DeleteExperimentTemplateCommand, GetExperimentTemplateCommand, ListExperimentTemplatesCommand,
  type FisClient,
} from '@aws-sdk/client-fis';
import { expect } from 'chai';
import { z } from 'zod';
import { emulatorTarget, fisClient, type AwsTarget } from '../../src/aws/clients.js';
import { setMotoTransition, startMoto, type Emulator } from '../../lab/emulator.js';
import { createClock, timelineMsOf } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import type { FaultContext, FaultKind } from '../../src/faults/fault.js';
import { getExperiment, listDrillExperiments, statusOf } from '../../src/faults/fis-api.js';
import { createFisFault, describeExperiment, fisSettings, stopExperimentsByDrillTag, type FisSettings } from '../../src/faults/fis.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::123456789012:role/firedrill-fis';
/** Long enough that an experiment seen running is still running a few calls later. */
const STATE_SECONDS = 2;

interface RecordingContext extends FaultContext {
  remembered: JsonObject[];
}

function contextFor(drillId: string): RecordingContext {
  const remembered: JsonObject[] = [];
  return {
    clock: createClock(),
    signal: new AbortController().signal,
    drillId,
    remembered,
    remember: async (state) => { remembered.push(state); },
    log: () => {},
  };
}

function settingsOf(written: Record<string, unknown>): FisSettings {
  return fisSettings.parse({ region: REGION, pollInterval: '100ms', ...written });
}

const waitAction = { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT10M' } } };

describe('FIS fault on moto', function () {
  let moto: Emulator;
  let target: AwsTarget;
  let fis: FisClient;
  let fault: FaultKind<FisSettings>;

  before(async function () {
    moto = await startMoto({ projectDir });
    await setMotoTransition(moto.endpoint, 'fis::experiment', { progression: 'time', seconds: STATE_SECONDS });
    target = emulatorTarget(moto.endpoint, REGION);
    fis = fisClient(target);
    fault = createFisFault((region) => ({ ...target, region }));
  });

  after(async function () {
    fis?.destroy();
    await moto?.stop();
  });

  async function templateExists(id: string): Promise<boolean> {
    try {
      await fis.send(new GetExperimentTemplateCommand({ id }));
      return true;
    } catch (error) {
      expect((error as Error).name).to.equal('ResourceNotFoundException');
      return false;
    }
  }

  async function listedTemplateIds(): Promise<string[]> {
    const answer = await fis.send(new ListExperimentTemplatesCommand({}));
    return (answer.experimentTemplates ?? []).map((t) => t.id!);
  }

  async function statusOfExperiment(id: string): Promise<string> {
    return statusOf(await getExperiment(fis, id));
  }

  it('runs an inline template, times T_fault from the action start, and reverts it completely', async function () {
    const ctx = contextFor('drill-inline');
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction }, experimentOptions: { actionsMode: 'skip-all' } });
    const beforeT = ctx.clock.now();
    const injection = await fault.inject(s, ctx);
    const afterT = ctx.clock.now();
    const { experimentId, templateId } = injection.state as { experimentId: string; templateId: string };

    // Before the template exists (so a crash mid-call is cleaned up by tag), then with each id.
    expect(ctx.remembered).to.deep.equal([
      { region: REGION, createdTemplate: true },
      { region: REGION, templateId, createdTemplate: true },
      { region: REGION, templateId, createdTemplate: true, experimentId },
    ]);

    const experiment = await getExperiment(fis, experimentId);
    expect(statusOf(experiment)).to.equal('running');
    expect(experiment.tags).to.deep.equal({ 'firedrill:drill': 'drill-inline' });
    expect((await fis.send(new GetExperimentTemplateCommand({ id: templateId }))).experimentTemplate?.tags).to.deep.equal({ 'firedrill:drill': 'drill-inline' });

    const detail = injection.detail as { tFaultSource: string; observedRunning: { lower: number; upper: number }; experiment: JsonObject };
    expect(detail.tFaultSource).to.equal('action-start-time');
    expect(injection.at.t).to.equal(timelineMsOf(ctx.clock, experiment.actions!['wait']!.startTime!));
    expect(injection.at.lower).to.equal(injection.at.t);
    expect(injection.at.upper).to.equal(injection.at.t);
    // moto's action startTime is the StartExperiment call, before the observed transition to running.
    expect(injection.at.t).to.be.within(beforeT - 1_000, detail.observedRunning.lower);
    expect(detail.observedRunning.upper).to.be.at.most(afterT);
    expect(detail.experiment['id']).to.equal(experimentId);
    expect((detail.experiment['state'] as JsonObject)['status']).to.equal('running');
    expect((detail.experiment['experimentOptions'] as JsonObject)['actionsMode']).to.equal('skip-all');

    let stillRunning: Error | undefined;
    await fault.verifyReverted(s, injection.state, ctx).catch((error: Error) => { stillRunning = error; });
    expect(stillRunning?.message).to.equal(`FIS experiment ${experimentId} is still running: expected completed, stopped, failed or cancelled`);

    const ended = await fault.revert(s, injection.state, ctx);
    const stopped = await getExperiment(fis, experimentId);
    expect(statusOf(stopped)).to.equal('stopped');
    expect(ended).to.deep.equal({ t: timelineMsOf(ctx.clock, stopped.endTime!), lower: timelineMsOf(ctx.clock, stopped.endTime!), upper: timelineMsOf(ctx.clock, stopped.endTime!) });
    expect(ended!.t).to.be.greaterThan(detail.observedRunning.upper);
    expect(await templateExists(templateId)).to.equal(false);
    expect(await listedTemplateIds()).not.to.include(templateId);
    await fault.verifyReverted(s, injection.state, ctx);

    expect(await fault.revert(s, injection.state, ctx)).to.deep.equal(ended);
    await fault.verifyReverted(s, injection.state, ctx);
    expect(await describeExperiment(target, experimentId)).to.deep.include({ id: experimentId, state: { status: 'stopped', reason: 'Experiment stopped' } });
  });

  it('brackets T_fault by the polls around the transition to running when no action has a start time', async function () {
    const ctx = contextFor('drill-bracket');
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: {} } });
    const beforeT = ctx.clock.now();
    const injection = await fault.inject(s, ctx);
    const afterT = ctx.clock.now();
    try {
      expect(injection.detail?.['tFaultSource']).to.equal('observed-transition');
      const { t, lower, upper } = injection.at;
      expect(t).to.equal(upper);
      expect(lower).to.be.lessThan(upper);
      expect(lower).to.be.greaterThanOrEqual(beforeT);
      expect(upper).to.be.at.most(afterT);
      // The bracket spans one poll interval (plus two calls), not the whole time since StartExperiment.
      expect(upper - lower).to.be.at.most(s.pollInterval + 500);
      expect(afterT - beforeT).to.be.greaterThan(2 * STATE_SECONDS * 1_000);
    } finally {
      await fault.revert(s, injection.state, ctx);
    }
    await fault.verifyReverted(s, injection.state, ctx);
  });

  it('starts an existing template and leaves that template in place on revert', async function () {
    const created = await fis.send(new CreateExperimentTemplateCommand({ description: 'owned by the test', roleArn: ROLE, actions: waitAction, stopConditions: [{ source: 'none' }] }));
    const templateId = created.experimentTemplate!.id!;
    try {
      const ctx = contextFor('drill-existing');
      const s = settingsOf({ template: templateId });
      const injection = await fault.inject(s, ctx);
      expect(ctx.remembered[0]).to.deep.equal({ region: REGION, templateId, createdTemplate: false });
      const experimentId = (injection.state as { experimentId: string }).experimentId;
      expect(await statusOfExperiment(experimentId)).to.equal('running');

      await fault.revert(s, injection.state, ctx);
      expect(await statusOfExperiment(experimentId)).to.equal('stopped');
      expect(await templateExists(templateId)).to.equal(true);
      await fault.verifyReverted(s, injection.state, ctx);
    } finally {
      await fis.send(new DeleteExperimentTemplateCommand({ id: templateId }));
    }
  });

  it('fails inject on an unknown template id with FIS\'s error and leaves nothing running', async function () {
    const ctx = contextFor('drill-unknown');
    const s = settingsOf({ template: 'EXTdoesnotexist' });
    let failure: Error | undefined;
    await fault.inject(s, ctx).catch((error: Error) => { failure = error; });
    expect(failure?.message).to.equal('fis:StartExperiment template=EXTdoesnotexist failed: ResourceNotFoundException: Experiment template EXTdoesnotexist does not exist');
    expect(ctx.remembered).to.deep.equal([{ region: REGION, templateId: 'EXTdoesnotexist', createdTemplate: false }]);
    expect(await listDrillExperiments(fis, 'drill-unknown')).to.deep.equal([]);

    await fault.revert(s, ctx.remembered[0]!, ctx);
    await fault.verifyReverted(s, ctx.remembered[0]!, ctx);
  });

  it('stops the experiment and deletes the created template when startTimeout passes', async function () {
    const ctx = contextFor('drill-timeout');
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction }, startTimeout: '1ms' });
    let failure: Error | undefined;
    await fault.inject(s, ctx).catch((error: Error) => { failure = error; });
    const state = ctx.remembered.at(-1)!;
    const { experimentId, templateId } = state as { experimentId: string; templateId: string };
    expect(failure?.message).to.equal(`timed out after 1ms waiting for FIS experiment ${experimentId} to reach running (startTimeout); it was last pending: Experiment is pending`);
    expect(await statusOfExperiment(experimentId)).to.be.oneOf(['stopping', 'stopped']);
    expect(await templateExists(templateId)).to.equal(false);

    await fault.revert(s, state, ctx);
    expect(await statusOfExperiment(experimentId)).to.equal('stopped');
    await fault.verifyReverted(s, state, ctx);
  });

  it('fails inject with FIS\'s reason when the experiment ends before it runs, and deletes the template', async function () {
    const ctx = contextFor('drill-ended');
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction } });
    await setMotoTransition(moto.endpoint, 'fis::experiment', { progression: 'immediate' });
    let failure: Error | undefined;
    try {
      await fault.inject(s, ctx).catch((error: Error) => { failure = error; });
    } finally {
      await setMotoTransition(moto.endpoint, 'fis::experiment', { progression: 'time', seconds: STATE_SECONDS });
    }
    const { experimentId, templateId } = ctx.remembered.at(-1) as { experimentId: string; templateId: string };
    expect(failure?.message).to.equal(`FIS experiment ${experimentId} ended completed before it was running: Experiment completed`);
    expect(await templateExists(templateId)).to.equal(false);
    await fault.verifyReverted(s, ctx.remembered.at(-1)!, ctx);
  });

  it('a drill that died while its template was being created: revert finds the template by the drill\'s tag', async function () {
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction } });
    const ctx = contextFor('drill-died-creating');
    const created = await fis.send(new CreateExperimentTemplateCommand({ description: 'made just before the crash', roleArn: ROLE, actions: waitAction, stopConditions: [{ source: 'none' }], tags: { 'firedrill:drill': 'drill-died-creating' } }));
    const bystander = await fis.send(new CreateExperimentTemplateCommand({ description: 'another drill\'s', roleArn: ROLE, actions: waitAction, stopConditions: [{ source: 'none' }], tags: { 'firedrill:drill': 'someone-else' } }));
    // What the journal holds when the drill dies between remembering and learning the template's id.
    const journal = { region: REGION, createdTemplate: true };
    await fault.revert(s, journal, ctx);
    await fault.verifyReverted(s, journal, ctx);
    expect(await templateExists(created.experimentTemplate!.id!)).to.equal(false);
    expect(await templateExists(bystander.experimentTemplate!.id!), 'another drill\'s template is left alone').to.equal(true);
    await fis.send(new DeleteExperimentTemplateCommand({ id: bystander.experimentTemplate!.id! }));
  });

  it('stops only the experiments tagged with the drill, and a second call stops nothing', async function () {
    const s = settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction } });
    const mine = contextFor('drill-crashed');
    const other = contextFor('drill-other');
    // Started together: an experiment stays running only STATE_SECONDS.
    const [crashed, untouched] = await Promise.all([fault.inject(s, mine), fault.inject(s, other)]);
    const crashedId = (crashed.state as { experimentId: string }).experimentId;
    const untouchedId = (untouched.state as { experimentId: string }).experimentId;
    try {
      expect(await stopExperimentsByDrillTag(target, 'drill-crashed')).to.deep.equal([crashedId]);
      expect(await statusOfExperiment(crashedId)).to.be.oneOf(['stopping', 'stopped']);
      expect(await statusOfExperiment(untouchedId)).to.equal('running');
      expect(await stopExperimentsByDrillTag(target, 'drill-crashed')).to.deep.equal([]);
    } finally {
      await fault.revert(s, crashed.state, mine);
      await fault.revert(s, untouched.state, other);
    }
  });

  describe('settings', function () {
    function problemsOf(written: Record<string, unknown>): string {
      const result = fisSettings.safeParse({ region: REGION, ...written });
      expect(result.success, 'settings should be rejected').to.equal(false);
      return z.prettifyError(result.error!);
    }

    it('requires exactly one of template, inlineTemplate and templateFile', function () {
      const expected = (found: string) => `expected exactly one of "template" (an existing experiment template id), "inlineTemplate" or "templateFile", got ${found}`;
      expect(problemsOf({})).to.equal(`✖ ${expected('none')}\n  → at template`);
      expect(problemsOf({ template: 'EXT1', inlineTemplate: { roleArn: ROLE, actions: waitAction } })).to.equal(`✖ ${expected('template and inlineTemplate')}\n  → at template`);
    });

    it('rejects a duration that is not one, naming the field', function () {
      expect(problemsOf({ template: 'EXT1', pollInterval: 'fast' })).to.equal('✖ expected a duration like "500ms", "90s", "5m", "1h30m" or "PT5M", got "fast"\n  → at pollInterval');
      expect(problemsOf({ template: 'EXT1', startTimeout: 30 })).to.contain('→ at startTimeout');
    });

    it('rejects unknown fields and actions without an actionId', function () {
      expect(problemsOf({ template: 'EXT1', templateId: 'EXT1' })).to.contain('templateId');
      expect(problemsOf({ inlineTemplate: { roleArn: ROLE, actions: { wait: { parameters: {} } } } })).to.contain('→ at inlineTemplate.actions.wait.actionId');
    });

    it('fills the defaults', function () {
      const s = fisSettings.parse({ region: REGION, template: 'EXT1' });
      expect(s).to.deep.equal({ region: REGION, template: 'EXT1', pollInterval: 1_000, faultTime: 'action-start-time', startTimeout: 60_000, stopTimeout: 300_000 });
    });

    it('plans the calls in order', function () {
      expect(fault.plan(settingsOf({ inlineTemplate: { roleArn: ROLE, actions: waitAction } }))).to.deep.equal([
        'fis:CreateExperimentTemplate in eu-west-1 (tagged firedrill:drill=<drill id>) actions: wait (aws:fis:wait)',
        'fis:StartExperiment template=<the created template> (tagged firedrill:drill=<drill id>)',
        'fis:StopExperiment (revert)',
        'fis:DeleteExperimentTemplate (revert)',
      ]);
      expect(fault.plan(settingsOf({ template: 'EXT1', experimentOptions: { actionsMode: 'skip-all' } }))).to.deep.equal([
        'fis:StartExperiment template=EXT1 (tagged firedrill:drill=<drill id>, actionsMode skip-all)',
        'fis:StopExperiment (revert)',
      ]);
    });
  });
});
