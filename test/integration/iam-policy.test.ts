/**
 * Issue 19: `firedrill iam-policy` prints exactly what a drill's own calls need. The lab's FIS
 * drill (drills/lab-fis-outage.yaml) runs with every AWS call of firedrill's going through a
 * recording proxy in front of the lab's emulator (the lab's own automation talks to the emulator
 * directly); then cleanup's lookups by tag are made the same way. Each recorded call must be
 * allowed by the printed policy (action and resource, IAM wildcards; conditions are not evaluated
 * here), and the policy must grant no action that was never called, except iam:PassRole, which
 * AWS checks inside CreateExperimentTemplate and which has no call of its own (iam-calls.ts).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Io } from '../../src/cli/io.js';
import { iamPolicyFor, type DrillPolicy } from '../../src/aws/iam-policy.js';
import { main } from '../../src/cli/main.js';
import { createClock } from '../../src/core/clock.js';
import { createFisFault, stopExperimentsByDrillTag, type FisSettings } from '../../src/faults/fis.js';
import { publishMeasurements } from '../../src/report/cloudwatch-metrics.js';
import { LAB_ACCOUNT, LAB_REGIONS, startLab, type Lab } from '../../lab/lab.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { EXIT } from '../../src/runtime/errors.js';
import { awsTargetOf, type Environment } from '../../src/scenario/environment.js';
import { loadScenario, type LoadedScenario } from '../../src/scenario/load.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';
import { deniedCalls, grantedVersusCalled, iamCallsOf, type AwsCall } from '../support/iam-calls.js';
import { route53ChangesPending } from '../support/route53-pending-changes.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const PROJECT_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DRILL = join(PROJECT_DIR, 'drills', 'lab-fis-outage.yaml');
const REGION = LAB_REGIONS.primary;

describe('firedrill iam-policy covers exactly the calls of the lab FIS drill (recorded against the emulator)', function () {
  this.timeout(180_000);
  let work: TempDir;
  let lab: Lab;
  let recorder: HttpFaultProxy;
  let pendingChanges: AwsStandIn;
  let environment: Environment;
  let scenario: LoadedScenario;
  let result: DrillResult;
  let printed: DrillPolicy['policy'];
  let printedNotes: string;
  let drillCalls: AwsCall[];
  let cleanupCalls: AwsCall[];

  before(async function () {
    work = createTempDir('iam-policy');
    const stateDir = join(work.path, 'state');
    lab = await startLab({ dir: join(stateDir, 'lab'), projectDir: PROJECT_DIR, fisStateSeconds: 3 });
    pendingChanges = await startAwsStandIn({ upstream: lab.vars.awsEndpoint, rewrite: route53ChangesPending });
    recorder = await startHttpFaultProxy({ upstream: pendingChanges.endpoint });
    environment = { ...lab.environment, aws: { ...lab.environment.aws!, endpoints: { default: recorder.endpoint } } };
    const kinds = kindsFor(environment);
    scenario = await loadScenario(DRILL, environment, schemasOf(kinds));

    result = await runDrill({ scenario, environment, kinds, outDir: join(work.path, 'out'), stateDir });
    // What `firedrill run` does after the drill in an environment with a metrics Region.
    await publishMeasurements(awsTargetOf(environment, environment.aws!.metricsRegion!), { scenario: scenario.spec.scenario, environment: environment.name, measurements: result.measurements, passed: result.outcome === 'passed' });
    // On AWS the PT2M action still runs when the drill reverts, so revert stops it; on the lab's
    // emulator the experiment has completed by then. The same fault, reverted while it runs:
    const fault = createFisFault((region) => awsTargetOf(environment, region));
    const fisEntry = scenario.entries.faults[0]!;
    const stillRunning = { clock: createClock(), signal: new AbortController().signal, drillId: `${result.drillId}-running`, remember: async () => {}, log: () => {} };
    const injected = await fault.inject(fisEntry.settings as FisSettings, stillRunning);
    await fault.revert(fisEntry.settings as FisSettings, injected.state, stillRunning);
    drillCalls = recorder.requests.flatMap((r) => iamCallsOf(r, LAB_ACCOUNT));

    // What cleanup does when the journal lost the ids: find the drill's experiments and templates by its tag.
    const fromCleanup = recorder.requests.length;
    await stopExperimentsByDrillTag(awsTargetOf(environment, REGION), result.drillId);
    const ctx = { clock: createClock(), signal: new AbortController().signal, drillId: result.drillId, remember: async () => {}, log: () => {} };
    await fault.revert(fisEntry.settings as FisSettings, { region: REGION, createdTemplate: true }, ctx);
    cleanupCalls = recorder.requests.slice(fromCleanup).flatMap((r) => iamCallsOf(r, LAB_ACCOUNT));

    // The policy as the command prints it, for the lab environment the lab's state file names.
    const out: string[] = [];
    const notes: string[] = [];
    const io: Io = { cwd: work.path, isTty: false, out: (l) => out.push(l), err: (l) => notes.push(l), write: () => {}, interrupts: () => new AbortController().signal };
    const code = await main(['iam-policy', DRILL, '--env', 'lab', '--state-dir', stateDir], io);
    expect(code, notes.join('\n')).to.equal(EXIT.passed);
    printed = JSON.parse(out.join('\n')) as DrillPolicy['policy'];
    printedNotes = notes.join('\n');
  });

  after(async function () {
    await recorder?.stop();
    await pendingChanges?.stop();
    await lab?.stop();
    work?.remove();
  });

  it('the drill ran and reverted everything, with every AWS call of firedrill\'s recorded', function () {
    expect(result.outcome, JSON.stringify(result.aborted)).to.not.equal('errored');
    expect([...result.faults, ...result.steps].every((f) => f.verified), 'every change reverted and verified').to.equal(true);
    expect(new Set(drillCalls.map((c) => c.action))).to.include.members(['sts:GetCallerIdentity', 'cloudwatch:PutMetricData', 'fis:CreateExperimentTemplate', 'fis:StartExperiment', 'fis:StopExperiment', 'route53:ChangeResourceRecordSets', 'cloudwatch:DescribeAlarms']);
  });

  it('prints the same policy as iamPolicyFor, as a policy document', function () {
    expect(printed).to.deep.equal(iamPolicyFor(scenario, environment, kindsFor(environment)).policy);
    expect(printed.Version).to.equal('2012-10-17');
    expect(new Set(printed.Statement.map((s) => s.Sid)).size, 'Sids are unique').to.equal(printed.Statement.length);
  });

  it('allows every call the drill and cleanup made, on the resource it was made on', function () {
    expect(deniedCalls(printed, [...drillCalls, ...cleanupCalls]), 'calls the policy does not allow').to.deep.equal([]);
  });

  it('grants nothing else: every granted action was called', function () {
    const { granted, called } = grantedVersusCalled(printed, [...drillCalls, ...cleanupCalls]);
    expect(granted).to.deep.equal(called);
  });

  it('keeps cleanup\'s lookups by tag in their own statements, which the drill itself did not need', function () {
    const { cleanupOnly } = iamPolicyFor(scenario, environment, kindsFor(environment));
    const cleanupActions = printed.Statement.filter((s) => cleanupOnly.includes(s.Sid)).flatMap((s) => s.Action).sort();
    expect(cleanupActions).to.deep.equal(['fis:ListExperimentTemplates', 'fis:ListExperiments']);
    expect([...new Set(cleanupCalls.map((c) => c.action))].sort()).to.deep.equal(cleanupActions);
    expect(drillCalls.map((c) => c.action)).to.not.include.members(cleanupActions);
    expect(printedNotes).to.contain('used only by "firedrill cleanup"');
  });

  it('scopes to the resources and the drill\'s tag, and passes only the experiment role, to FIS only', function () {
    const sid = (name: string) => printed.Statement.find((s) => s.Sid === name)!;
    const template = scenario.entries.faults[0]!.settings as FisSettings;
    expect(sid('PassExperimentRoleToFis').Resource).to.deep.equal([template.inlineTemplate!.roleArn]);
    expect(sid('PassExperimentRoleToFis').Condition).to.deep.equal({ StringEquals: { 'iam:PassedToService': 'fis.amazonaws.com' } });
    expect(sid('WatchAndStopOwnExperiment').Condition).to.deep.equal({ Null: { 'aws:ResourceTag/firedrill:drill': 'false' } });
    expect(sid('CreateTaggedTemplate').Condition).to.deep.equal({ Null: { 'aws:RequestTag/firedrill:drill': 'false' } });
    expect(sid('ChangeOneRecord').Condition).to.deep.equal({ 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['status.lab.firedrill.test'] } });
    expect(sid('ReadAlarmStateAndHistory').Resource).to.deep.equal([`arn:aws:cloudwatch:${REGION}:${LAB_ACCOUNT}:alarm:lab-primary-health`]);
    const wildcardResources = printed.Statement.filter((s) => s.Resource.includes('*')).map((s) => s.Sid).sort();
    expect(wildcardResources, 'statements on every resource (calls without resource-level permissions)').to.deep.equal(['AskWhoTheCallerIs', 'FindOwnExperimentsAfterCrash', 'FindOwnTemplatesAfterCrash', 'PublishDrillMetrics']);
  });

  it('lists the FIS experiment role\'s needs apart, outside the policy', function () {
    expect(printedNotes).to.contain('not part of this policy: fis.amazonaws.com assumes arn:aws:iam::123456789012:role/firedrill-lab-fis');
    expect(printedNotes).to.contain('actions: aws:network:disrupt-connectivity');
    expect(printedNotes).to.contain('AWSFaultInjectionSimulatorNetworkAccess');
    expect(printed.Statement.flatMap((s) => s.Action).some((a) => a.startsWith('ec2:'))).to.equal(false);
  });
});
