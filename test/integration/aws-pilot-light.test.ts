/**
 * Issue 20: the pilot light on AWS services, run as a real drill (`firedrill run
 * drills/aws-pilot-light.yaml`) against moto, in the test world of aws-drill-world.ts (the
 * primary's fault hook plays the alarm and its EventBridge event). The front door serves from
 * the Region the Route 53 record names, if that Region is up: the primary unless its fault is
 * on, the recovery Region once its ECS service runs a task. ECS tasks take 1.5 s to start after
 * UpdateService (moto starts them at once), through the task-start stand-in the environment's
 * `ecs` endpoint points at. So the drill's recovery time must contain the scale-up.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { ecsClient, emulatorTarget, route53Client } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readService } from '../../src/aws/ecs-services.js';
import { describeRecordSet, readRecordSet } from '../../src/aws/route53-records.js';
import { startAwsDrillWorld, WORLD, type AwsDrillWorld } from '../support/aws-drill-world.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { ecsTaskStart } from '../support/ecs-task-start.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const TASK_START_MS = 1_500;
const RECORD = 'app.pilot.test.';

describe('pilot light on AWS (drills/aws-pilot-light.yaml on moto)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let ecs: ECSClient;
  let r53: Route53Client;
  let world: AwsDrillWorld;
  let hostedZoneId: string;
  const ctx = new AbortController().signal;
  const recoveryService = () => readService(ecs, { cluster: 'recovery', service: 'app', region: WORLD.recovery }, ctx);
  const recordValue = async () => describeRecordSet(await readRecordSet(r53, { hostedZoneId, recordName: RECORD, type: 'A' }));

  before(async function () {
    moto = await startMoto({ projectDir });
    const tasks = ecsTaskStart();
    standIn = await startAwsStandIn({ upstream: moto.endpoint, rewrite: tasks.rewrite });
    void standIn.nextRequest('UpdateService').then(() => { setTimeout(() => tasks.start(2), TASK_START_MS); });
    ecs = ecsClient(emulatorTarget(standIn.endpoint, WORLD.recovery));
    r53 = route53Client(emulatorTarget(moto.endpoint, WORLD.primary));
    await ecs.send(new CreateClusterCommand({ clusterName: 'recovery' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: 'recovery', serviceName: 'app', taskDefinition: 'app', desiredCount: 0, launchType: 'EC2' }));
    hostedZoneId = (await r53.send(new CreateHostedZoneCommand({ Name: 'pilot.test', CallerReference: 'pilot-light' }))).HostedZone!.Id!;
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: RECORD, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] } }));
    world = await startAwsDrillWorld({
      moto,
      endpoints: { ecs: standIn.endpoint },
      vars: { hostedZoneId },
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
    await world?.stop();
    await standIn?.stop();
    await moto?.stop();
  });

  it('detects from the event, scales the recovery service up, switches DNS, and counts the scale-up in its recovery', async function () {
    const { code, text, result } = await world.runDrill(join(projectDir, 'drills/aws-pilot-light.yaml'));
    expect(code, text).to.equal(EXIT.passed);
    const { failoverMs, rtoMs } = result.measurements;
    // Tasks start 1.5 s after UpdateService, which the drill sends after the fault and after the
    // decision (the scale-up seen under way): the truth, which the bounds hold, is no shorter.
    expect(rtoMs.upper, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    expect(failoverMs.upper, JSON.stringify(result.measurements)).to.be.at.least(TASK_START_MS);
    expect(result.steps.map((s: { name: string; verified: boolean }) => [s.name, s.verified])).to.deep.equal([['scale-up', true], ['switch-dns', true]]);
    // Reverted after the drill: the pilot light is back at 0 and the record at the primary.
    expect((await recoveryService()).desiredCount).to.equal(0);
    expect(await recordValue()).to.equal('10.0.0.1');
  });
});
