/**
 * Issue 20: the pilot light on AWS services, run as a real drill (`firedrill run
 * drills/aws-pilot-light.yaml`) against moto, in the test world of aws-drill-world.ts (the
 * primary's fault hook plays the alarm and its EventBridge event). The front door serves from
 * the Region the Route 53 record names, if that Region is up: the primary unless its fault is
 * on, the recovery Region once its ECS service runs a task. ECS tasks take 1.5 s to start after
 * UpdateService (moto starts them at once), through the task-start stand-in the environment's
 * `ecs` endpoint points at. So the drill's recovery time must contain the scale-up.
 * The steady state needs what the design replicates beforehand: the test world puts the
 * application image into the recovery Region's ECR repository (moto replicates nothing), deploys
 * the StackSet to both Regions, and configures replication on the bucket. With the image gone
 * from the recovery Region, the drill stops before injecting anything.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateStackInstancesCommand, CreateStackSetCommand } from '@aws-sdk/client-cloudformation';
import { BatchDeleteImageCommand, CreateRepositoryCommand, PutImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { CreateBucketCommand, PutBucketReplicationCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { cloudFormationClient, ecrClient, ecsClient, emulatorTarget, route53Client, s3Client, withClient } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readService } from '../../src/aws/ecs-services.js';
import { describeRecordSet, readRecordSet } from '../../src/aws/route53-records.js';
import { startAwsDrillWorld, WORLD, type AwsDrillWorld } from '../support/aws-drill-world.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { ecsTaskStart } from '../support/ecs-task-start.js';
import { route53ChangesPending } from '../support/route53-pending-changes.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const DRILL_FILE = join(projectDir, 'drills/aws-pilot-light.yaml');
const TASK_START_MS = 1_500;
const RECORD = 'app.pilot.test.';
const IMAGE_TAG = 'v42';

/** What the pilot light has in the recovery Region before any drill: the image, the StackSet's stack, bucket replication. */
async function replicateToRecoveryRegion(moto: Emulator, ecr: ECRClient): Promise<void> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'b'.repeat(64)}` }, layers: [] });
  await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: IMAGE_TAG }));
  await withClient(cloudFormationClient(emulatorTarget(moto.endpoint, WORLD.primary)), async (cfn) => {
    await cfn.send(new CreateStackSetCommand({ StackSetName: 'pilot-light', TemplateBody: JSON.stringify({ Resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'pilot-light-jobs' } } } }) }));
    await cfn.send(new CreateStackInstancesCommand({ StackSetName: 'pilot-light', Accounts: [WORLD.account], Regions: [WORLD.primary, WORLD.recovery] }));
  });
  await withClient(s3Client(emulatorTarget(moto.endpoint, WORLD.primary)), async (s3) => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pilot-light-assets' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'pilot-light-assets', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketReplicationCommand({
      Bucket: 'pilot-light-assets',
      ReplicationConfiguration: {
        Role: `arn:aws:iam::${WORLD.account}:role/s3-replication`,
        Rules: [{ ID: 'to-recovery', Priority: 1, Status: 'Enabled', Filter: { Prefix: '' }, DeleteMarkerReplication: { Status: 'Disabled' }, Destination: { Bucket: 'arn:aws:s3:::pilot-light-assets-replica' } }],
      },
    }));
  });
}

describe('pilot light on AWS (drills/aws-pilot-light.yaml on moto)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let pendingChanges: AwsStandIn;
  let ecs: ECSClient;
  let r53: Route53Client;
  let ecr: ECRClient;
  let world: AwsDrillWorld;
  let hostedZoneId: string;
  let faultCalls = 0;
  const ctx = new AbortController().signal;
  const recoveryService = () => readService(ecs, { cluster: 'recovery', service: 'app', region: WORLD.recovery }, ctx);
  const recordValue = async () => describeRecordSet(await readRecordSet(r53, { hostedZoneId, recordName: RECORD, type: 'A' }));

  before(async function () {
    moto = await startMoto({ projectDir });
    const tasks = ecsTaskStart();
    standIn = await startAwsStandIn({ upstream: moto.endpoint, rewrite: tasks.rewrite });
    pendingChanges = await startAwsStandIn({ upstream: moto.endpoint, rewrite: route53ChangesPending });
    void standIn.nextRequest('UpdateService').then(() => { setTimeout(() => tasks.start(2), TASK_START_MS); });
    ecs = ecsClient(emulatorTarget(standIn.endpoint, WORLD.recovery));
    r53 = route53Client(emulatorTarget(moto.endpoint, WORLD.primary));
    ecr = ecrClient(emulatorTarget(moto.endpoint, WORLD.recovery));
    await replicateToRecoveryRegion(moto, ecr);
    await ecs.send(new CreateClusterCommand({ clusterName: 'recovery' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'recovery', serviceName: 'app', taskDefinition: 'app', desiredCount: 0, launchType: 'EC2' }));
    hostedZoneId = (await r53.send(new CreateHostedZoneCommand({ Name: 'pilot.test', CallerReference: 'pilot-light' }))).HostedZone!.Id!;
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: RECORD, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] } }));
    world = await startAwsDrillWorld({
      moto,
      endpoints: { ecs: standIn.endpoint, route53: pendingChanges.endpoint },
      vars: { hostedZoneId, appImageTag: IMAGE_TAG },
      onPrimaryDown() { faultCalls++; },
      async serving(primaryDown) {
        const value = await recordValue();
        if (value === '10.0.0.1') return primaryDown ? undefined : WORLD.primary;
        return value === '10.1.0.1' && ((await recoveryService()).runningCount ?? 0) > 0 ? WORLD.recovery : undefined;
      },
    });
  });

  after(async function () {
    ecs?.destroy();
    r53?.destroy();
    ecr?.destroy();
    await world?.stop();
    await standIn?.stop();
    await pendingChanges?.stop();
    await moto?.stop();
  });

  it('detects from the event, scales the recovery service up, switches DNS, and counts the scale-up in its recovery', async function () {
    const { code, text, result } = await world.runDrill(DRILL_FILE);
    expect(code, text).to.equal(EXIT.passed);
    const { failoverMs, rtoMs } = result.measurements;
    // Tasks start 1.5 s after UpdateService, which the drill sends after the fault and after the
    // decision (the scale-up seen under way): the truth, which the bounds hold, is no shorter.
    expect(rtoMs.upper, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    expect(failoverMs.upper, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    expect(result.steps.map((s: { name: string; verified: boolean }) => [s.name, s.verified])).to.deep.equal([['scale-up', true], ['switch-dns', true]]);
    // Provenance: each step's change and its revert, recorded through the AWS targets the drill handed its steps.
    const changes = result.provenance.awsChanges as { service: string; operation: string; requestId: string | null }[];
    const [queueCalls, stepCalls] = [changes.filter((c) => c.service === 'SQS'), changes.filter((c) => c.service !== 'SQS')];
    expect(stepCalls.map((c) => `${c.service} ${c.operation}`)).to.deep.equal(['ECS UpdateService', 'Route53 ChangeResourceRecordSets', 'Route53 ChangeResourceRecordSets', 'ECS UpdateService']);
    // The event signal's queue reads count too: receiving hides a message, and it deletes what it read.
    expect(new Set(queueCalls.map((c) => c.operation))).to.deep.equal(new Set(['ReceiveMessage', 'DeleteMessageBatch']));
    for (const change of changes) expect(change.requestId, `${change.operation}'s request id`).to.be.a('string').and.not.equal('');
    // Reverted after the drill: the pilot light is back at 0 and the record at the primary.
    expect((await recoveryService()).desiredCount).to.equal(0);
    expect(await recordValue()).to.equal('10.0.0.1');
    const before = result.checks.find((c: { name: string }) => c.name === 'steady-state before');
    expect(before, JSON.stringify(result.checks)).to.deep.include({ ok: true });
  });

  it('refuses to inject when the application image is not in the recovery Region, saying so', async function () {
    // The replication lost: the recovery Region's repository no longer has the image.
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: IMAGE_TAG }] }));
    const faultCallsBefore = faultCalls;
    const { code, text, result, timeline } = await world.runDrill(DRILL_FILE);
    expect(code, text).to.equal(EXIT.aborted);
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted.reason).to.match(new RegExp(`^steady state not met before injecting, so no fault was injected: signal recovery-image is missing, expected present \\(ECR has no image app:${IMAGE_TAG} in ${WORLD.recovery}\\)$`));
    expect(timeline.filter((e) => e.kind === 'fault' && e.action === 'injected'), 'faults or steps applied').to.deep.equal([]);
    expect(faultCalls, 'calls to the primary\'s fault hook').to.equal(faultCallsBefore);
    expect((await recoveryService()).desiredCount).to.equal(0);
    expect(await recordValue()).to.equal('10.0.0.1');
  });

  it('prints with iam-policy a policy that allows each AWS call the drills made, on its resource, and grants nothing else', async function () {
    expect(await world.iamPolicyVersusCalls(DRILL_FILE)).to.deep.equal({ denied: [], grantedNotCalled: [], calledNotGranted: [] });
  });
});
