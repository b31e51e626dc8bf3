/**
 * Issue 20: the pilot light on AWS services, run as a real drill (`firedrill run
 * drills/aws-pilot-light.yaml`) against moto. The test world around it:
 * - the primary is a local app whose fault hook also plays CloudWatch: it sets the alarm and
 *   puts the alarm-change event on the bus (moto does neither), which a rule delivers to SQS;
 * - the front door serves from the Region the Route 53 record names, if that Region is up: the
 *   primary unless its fault is on, the recovery Region once its ECS service runs a task;
 * - ECS tasks take 1.5 s to start after UpdateService (moto starts them at once), through the
 *   task-start stand-in the environment's `ecs` endpoint points at.
 * So the drill's recovery time must contain the scale-up, and the drill measures it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { cloudWatchClient, ecsClient, emulatorTarget, route53Client, sqsClient } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../src/aws/emulator.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readService } from '../../src/signals/ecs-service.js';
import { describeRecordSet, readRecordSet } from '../../src/signals/route53-record.js';
import { alarmAutomation } from '../support/alarm-events.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { captureIo } from '../support/capture-io.js';
import { ecsTaskStart } from '../support/ecs-task-start.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const ACCOUNT = '123456789012';
const TASK_START_MS = 1_500;
const RECORD = 'app.pilot.test.';

describe('pilot light on AWS (drills/aws-pilot-light.yaml on moto)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let ecs: ECSClient;
  let r53: Route53Client;
  let sqs: SQSClient;
  let cw: CloudWatchClient;
  let events: EventBridgeClient;
  let server: Server;
  let work: TempDir;
  let hostedZoneId: string;
  const ctx = new AbortController().signal;

  before(async function () {
    moto = await startMoto({ projectDir });
    const tasks = ecsTaskStart();
    standIn = await startAwsStandIn({ upstream: moto.endpoint, rewrite: tasks.rewrite });
    const starting = () => void standIn.nextRequest('UpdateService').then(() => {
      setTimeout(() => tasks.start(2), TASK_START_MS);
    });
    starting();

    ecs = ecsClient(emulatorTarget(standIn.endpoint, RECOVERY));
    r53 = route53Client(emulatorTarget(moto.endpoint, PRIMARY));
    sqs = sqsClient(emulatorTarget(moto.endpoint, PRIMARY));
    cw = cloudWatchClient(emulatorTarget(moto.endpoint, PRIMARY));
    events = new EventBridgeClient({ region: PRIMARY, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

    await ecs.send(new CreateClusterCommand({ clusterName: 'recovery' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'recovery', serviceName: 'app', taskDefinition: 'app', desiredCount: 0, launchType: 'EC2' }));
    hostedZoneId = (await r53.send(new CreateHostedZoneCommand({ Name: 'pilot.test', CallerReference: 'pilot-light' }))).HostedZone!.Id!;
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: RECORD, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] } }));
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'primary-health', Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'pilot-light-detect' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(new PutRuleCommand({ Name: 'alarm-changes', EventPattern: JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'alarm-changes', Targets: [{ Id: 'queue', Arn: queueArn }] }));

    const automation = alarmAutomation({ cloudwatch: cw, events }, { account: ACCOUNT, region: PRIMARY });
    let primaryDown = false;
    server = createServer((req, res) => {
      void (async () => {
        if (req.url === '/fault/on' || req.url === '/fault/off') {
          primaryDown = req.url === '/fault/on';
          await automation.setAlarm('primary-health', primaryDown ? 'ALARM' : 'OK', primaryDown ? 'OK' : 'ALARM');
          return res.end('ok');
        }
        const value = describeRecordSet(await readRecordSet(r53, { hostedZoneId, recordName: RECORD, type: 'A' }));
        const recoveryRunning = ((await readService(ecs, { cluster: 'recovery', service: 'app', region: RECOVERY }, ctx)).runningCount ?? 0) > 0;
        const region = value === '10.0.0.1' && !primaryDown ? PRIMARY : value === '10.1.0.1' && recoveryRunning ? RECOVERY : undefined;
        res.writeHead(region ? 200 : 503, region ? { 'x-firedrill-region': region } : {});
        res.end(region ?? 'down');
      })().catch((error: Error) => { res.writeHead(500); res.end(error.message); });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    work = createTempDir('aws-pilot-light');
    work.write('firedrill.config.yaml', stringify({
      environments: {
        emu: {
          aws: { accounts: [ACCOUNT], regions: [PRIMARY, RECOVERY], endpoints: { default: moto.endpoint, ecs: standIn.endpoint } },
          vars: { primaryFault: `${base}fault/`, appUrl: base, alarmQueue: queueUrl, hostedZoneId },
        },
      },
    }));
  });

  after(async function () {
    for (const client of [ecs, r53, sqs, cw, events]) client?.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await standIn?.stop();
    await moto?.stop();
    work?.remove();
  });

  it('detects from the event, scales the recovery service up, switches DNS, and counts the scale-up in failover', async function () {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    const out = join(work.path, 'out');
    const { io, text } = captureIo(work.path);
    let code: number;
    try {
      code = await main(['run', join(projectDir, 'drills/aws-pilot-light.yaml'), '--env', 'emu', '--config', join(work.path, 'firedrill.config.yaml'), '--state-dir', join(work.path, 'state'), '--out', out], io);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(code, text()).to.equal(EXIT.passed);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    const { failoverMs, rtoMs } = result.measurements;
    // Tasks start 1.5 s after UpdateService, which the drill sends after the fault: recovery can
    // be no sooner. Decision is the scale-up seen under way (polled every 250 ms), so failover's
    // upper bound must hold the task start too.
    expect(rtoMs.lower, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    expect(failoverMs.upper, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    const scaleUp = result.steps.find((s: { name: string }) => s.name === 'scale-up');
    expect(scaleUp.injectedAt, JSON.stringify(result.steps)).to.not.equal(null);
    // Reverted after the drill: the pilot light is back at 0 and the record at the primary.
    const service = await readService(ecs, { cluster: 'recovery', service: 'app', region: RECOVERY }, ctx);
    expect(service.desiredCount).to.equal(0);
    expect(describeRecordSet(await readRecordSet(r53, { hostedZoneId, recordName: RECORD, type: 'A' }))).to.equal('10.0.0.1');
  });
});
