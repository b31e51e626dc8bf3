/**
 * Issue 20: the allow-list covers every AWS kind added for the reference architectures. A
 * scenario with the pilot light's scale-up, an Aurora failover, a Backup restore, the pinning
 * Lambda, the EventBridge queue, the replicated-store canaries, a read replica's promotion, the
 * AWS Backup job signal and the steady-state preconditions (ECR image, StackSet instance, bucket
 * replication), one of them aimed outside the environment's Regions or account, exits 2 before
 * any AWS call: the environment's endpoint is a recording proxy in front of moto, and moto's own
 * state shows the ECS service still at 0 and the read replica still a replica.
 * The same scenario inside the allow-list plans every call its kinds would make.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateDBClusterCommand, type RDSClient } from '@aws-sdk/client-rds';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { ecsClient, emulatorTarget, rdsClient } from '../../src/aws/clients.js';
import { readDbCluster } from '../../src/aws/rds-clusters.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readService } from '../../src/aws/ecs-services.js';
import { captureIo } from '../support/capture-io.js';
import { startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';
import { useShellCredentials } from '../support/shell-credentials.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const ACCOUNT = '123456789012';
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

type Scenario = Record<string, any>;

function allowedScenario(): Scenario {
  return {
    scenario: 'aws-kinds',
    faults: [{
      name: 'fis-outage',
      kind: 'fis',
      region: PRIMARY,
      inlineTemplate: { actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } }, roleArn: `arn:aws:iam::${ACCOUNT}:role/firedrill-fis` },
    }],
    probes: [{ name: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }],
    signals: [
      { name: 'alarm-events', kind: 'eventbridge-events', region: PRIMARY, queueUrl: `https://sqs.${PRIMARY}.amazonaws.com/${ACCOUNT}/detect`, state: 'detail.state.value' },
      { name: 'recovery-app', kind: 'ecs-service', cluster: 'recovery', service: 'app', region: RECOVERY },
      { name: 'orders', kind: 'rds-cluster', dbClusterIdentifier: 'orders-primary', region: PRIMARY },
      { name: 'writer-region', kind: 'aurora-global-cluster', globalClusterIdentifier: 'orders', region: RECOVERY },
      { name: 'copies', kind: 'backup-job', region: RECOVERY, jobType: 'copy', resourceArn: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:orders` },
      { name: 'recovery-image', kind: 'ecr-image', repositoryName: 'app', region: RECOVERY, imageTag: 'v42' },
      { name: 'stack-instance', kind: 'stack-set-instance', stackSetName: 'pilot-light', region: PRIMARY, instance: { account: ACCOUNT, region: RECOVERY } },
      { name: 'bucket-replication', kind: 's3-bucket-replication', bucket: 'orders-primary', region: PRIMARY, destinationBucket: 'orders-replica' },
    ],
    canaries: [
      { name: 'objects', kind: 's3-replication', primary: { bucket: 'orders-primary', region: PRIMARY }, replica: { bucket: 'orders-replica', region: RECOVERY } },
      { name: 'items', kind: 'dynamodb-global-table', table: 'orders', primary: { region: PRIMARY }, replica: { region: RECOVERY } },
    ],
    steps: [
      { name: 'scale-up', kind: 'ecs-desired-count', when: 'detect', cluster: 'recovery', service: 'app', region: RECOVERY, desiredCount: 2 },
      { name: 'promote', kind: 'rds-cluster-failover', when: 'detect', dbClusterIdentifier: 'orders-primary', region: PRIMARY },
      { name: 'global', kind: 'aurora-global-failover', when: 'detect', globalClusterIdentifier: 'orders', region: RECOVERY, mode: 'failover', targetDbClusterArn: `arn:aws:rds:${RECOVERY}:${ACCOUNT}:cluster:orders-secondary` },
      { name: 'restore', kind: 'backup-restore', when: 'detect', region: RECOVERY, backupVaultName: 'recovery', resourceArn: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:orders`, iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/restore` },
      { name: 'pin', kind: 'lambda-invoke', when: 'decide', functionName: `arn:aws:lambda:${RECOVERY}:${ACCOUNT}:function:pin-primary`, region: RECOVERY, payload: { value: '10.1.0.1' } },
      { name: 'promote-replica', kind: 'rds-replica-promotion', when: 'detect', region: RECOVERY, dbClusterIdentifier: 'reports-replica' },
    ],
    milestones: { detect: { signal: 'alarm-events', becomes: 'ALARM' }, recovered: { probe: 'app', consecutive: 1 } },
    steadyState: { window: '1s' },
    observe: { timeout: '5s' },
    targets: { rto: '30s' },
    guardrails: { maxDuration: '60s' },
  };
}

const REFUSED: { title: string; change(s: Scenario): void; expected: string[] }[] = [
  { title: 'an ECS scale-up in eu-west-1', change: (s) => { s.steps[0].region = 'eu-west-1'; }, expected: ['steps[0].region', 'Region eu-west-1'] },
  { title: 'an RDS failover in eu-central-1', change: (s) => { s.steps[1].region = 'eu-central-1'; }, expected: ['steps[1].region', 'Region eu-central-1'] },
  { title: 'a global failover to a cluster in account 999999999999', change: (s) => { s.steps[2].targetDbClusterArn = `arn:aws:rds:${RECOVERY}:999999999999:cluster:theirs`; }, expected: ['steps[2].targetDbClusterArn', 'account 999999999999'] },
  { title: 'a Backup restore with a role in account 999999999999', change: (s) => { s.steps[3].iamRoleArn = 'arn:aws:iam::999999999999:role/restore'; }, expected: ['steps[3].iamRoleArn', 'account 999999999999'] },
  { title: 'a Lambda in ap-south-1', change: (s) => { s.steps[4].functionName = `arn:aws:lambda:ap-south-1:${ACCOUNT}:function:pin`; }, expected: ['steps[4].functionName', 'Region ap-south-1'] },
  { title: 'an EventBridge queue in account 999999999999', change: (s) => { s.signals[0].queueUrl = `https://sqs.${PRIMARY}.amazonaws.com/999999999999/detect`; }, expected: ['signals[0].queueUrl', 'account 999999999999'] },
  { title: 'an EventBridge queue URL in sa-east-1', change: (s) => { s.signals[0].queueUrl = `https://sqs.sa-east-1.amazonaws.com/${ACCOUNT}/detect`; }, expected: ['signals[0].queueUrl', 'Region sa-east-1'] },
  { title: 'an S3 canary replica in eu-north-1', change: (s) => { s.canaries[0].replica.region = 'eu-north-1'; }, expected: ['canaries[0].replica.region', 'Region eu-north-1'] },
  { title: 'a DynamoDB canary primary in ca-central-1', change: (s) => { s.canaries[1].primary.region = 'ca-central-1'; }, expected: ['canaries[1].primary.region', 'Region ca-central-1'] },
  { title: 'an Aurora global signal in eu-west-3', change: (s) => { s.signals[3].region = 'eu-west-3'; }, expected: ['signals[3].region', 'Region eu-west-3'] },
  { title: 'a read replica promotion in eu-west-1', change: (s) => { s.steps[5].region = 'eu-west-1'; }, expected: ['steps[5].region', 'Region eu-west-1'] },
  { title: 'a Backup job signal of a resource in account 999999999999', change: (s) => { s.signals[4].resourceArn = `arn:aws:rds:${PRIMARY}:999999999999:db:orders`; }, expected: ['signals[4].resourceArn', 'account 999999999999'] },
  { title: 'an ECR image precondition in ap-northeast-1', change: (s) => { s.signals[5].region = 'ap-northeast-1'; }, expected: ['signals[5].region', 'Region ap-northeast-1'] },
  { title: 'a StackSet instance precondition in account 999999999999', change: (s) => { s.signals[6].instance.account = '999999999999'; }, expected: ['signals[6].instance.account', 'account 999999999999'] },
  { title: 'a StackSet instance precondition in eu-south-1', change: (s) => { s.signals[6].instance.region = 'eu-south-1'; }, expected: ['signals[6].instance.region', 'Region eu-south-1'] },
  { title: 'a bucket replication precondition in me-south-1', change: (s) => { s.signals[7].region = 'me-south-1'; }, expected: ['signals[7].region', 'Region me-south-1'] },
];

describe('AWS allow-list for the reference architectures\' kinds on moto', function () {
  let moto: Emulator;
  let recorder: HttpFaultProxy;
  let ecs: ECSClient;
  let rds: RDSClient;
  let work: TempDir;
  let configFile: string;
  let restoreCredentials: (() => void) | undefined;

  before(async function () {
    restoreCredentials = useShellCredentials();
    moto = await startMoto({ projectDir });
    recorder = await startHttpFaultProxy({ upstream: moto.endpoint });
    ecs = ecsClient(emulatorTarget(moto.endpoint, RECOVERY));
    await ecs.send(new CreateClusterCommand({ clusterName: 'recovery' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'recovery', serviceName: 'app', taskDefinition: 'app', desiredCount: 0, launchType: 'EC2' }));
    const primaryRds = rdsClient(emulatorTarget(moto.endpoint, PRIMARY));
    await primaryRds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'reports', Engine: 'aurora-postgresql', MasterUsername: 'app', MasterUserPassword: 'not-a-secret' }));
    primaryRds.destroy();
    rds = rdsClient(emulatorTarget(moto.endpoint, RECOVERY));
    await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'reports-replica', Engine: 'aurora-postgresql', MasterUsername: 'app', MasterUserPassword: 'not-a-secret', ReplicationSourceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:reports` }));
    work = createTempDir('aws-kinds-allow-list');
    configFile = work.write('firedrill.config.yaml', stringify({
      environments: { emu: { aws: { accounts: [ACCOUNT], regions: [PRIMARY, RECOVERY], endpoints: { default: recorder.endpoint } } } },
    }));
  });

  after(async function () {
    restoreCredentials?.();
    ecs?.destroy();
    rds?.destroy();
    await recorder?.stop();
    await moto?.stop();
    work?.remove();
  });

  async function firedrill(command: 'run' | 'plan', scenario: Scenario, label: string): Promise<{ code: number; text: string }> {
    const file = work.write(`${label}.yaml`, stringify(scenario));
    const cwd = join(work.path, `cwd-${label}`);
    mkdirSync(cwd);
    const { io, text } = captureIo(cwd);
    const code = await main([command, file, '--env', 'emu', '--config', configFile, '--state-dir', join(work.path, `state-${label}`)], io);
    return { code, text: text() };
  }

  for (const [i, refused] of REFUSED.entries()) {
    it(`refuses ${refused.title}: exit 2, names the field and value, makes no AWS call`, async function () {
      const scenario = allowedScenario();
      refused.change(scenario);
      const from = recorder.requests.length;
      const { code, text } = await firedrill('run', scenario, `refused-${i}`);
      expect(code, text).to.equal(EXIT.invalid);
      expect(text).to.contain('would touch AWS resources outside environment "emu"');
      for (const part of refused.expected) expect(text).to.contain(part);
      expect(recorder.requests.slice(from).map((r) => `${r.service} ${r.operation}`), 'AWS calls made by firedrill').to.deep.equal([]);
      const service = await readService(ecs, { cluster: 'recovery', service: 'app', region: RECOVERY }, new AbortController().signal);
      expect(service.desiredCount, 'the pilot light is still at 0').to.equal(0);
      const replica = await readDbCluster(rds, { dbClusterIdentifier: 'reports-replica', region: RECOVERY }, new AbortController().signal);
      expect(replica.ReplicationSourceIdentifier, 'the read replica is still a replica').to.equal(`arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:reports`);
    });
  }

  it('control: inside the allow-list, plan lists every call the new kinds would make, and makes none but asking who it runs as', async function () {
    const from = recorder.requests.length;
    const { code, text } = await firedrill('plan', allowedScenario(), 'allowed');
    expect(code, text).to.equal(EXIT.passed);
    for (const line of [
      `ecs:UpdateService recovery/app (${RECOVERY}) desiredCount -> 2`,
      `rds:FailoverDBCluster orders-primary (${PRIMARY})`,
      `rds:FailoverGlobalCluster AllowDataLoss orders -> writer arn:aws:rds:${RECOVERY}:${ACCOUNT}:cluster:orders-secondary`,
      `backup:StartRestoreJob of that recovery point as arn:aws:iam::${ACCOUNT}:role/restore`,
      `lambda:Invoke arn:aws:lambda:${RECOVERY}:${ACCOUNT}:function:pin-primary (${RECOVERY}) with {"value":"10.1.0.1"}`,
      `rds:PromoteReadReplicaDBCluster DB cluster reports-replica (${RECOVERY})`,
      'no revert: a promotion cannot be undone',
    ]) expect(text).to.contain(line);
    // One identity question per Region the drill uses, and nothing else.
    expect(new Set(recorder.requests.slice(from).map((r) => `${r.service} ${r.operation}`)), 'AWS calls made by plan').to.deep.equal(new Set(['sts GetCallerIdentity']));
  });
});
