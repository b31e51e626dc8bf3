/**
 * Provenance at the client seam, on moto: a client records into the change log its target
 * carries, and into no other. Two drills in one process each hand out their own log, so calls
 * made at the same time end up in the right drill's provenance; reads are not changes.
 */
import { fileURLToPath } from 'node:url';
import { DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import type { AwsChange } from '../../src/aws/change-log.js';
import { cloudWatchClient, emulatorTarget, recordingInto } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-1';

function alarm(name: string): PutMetricAlarmCommandInput {
  return { AlarmName: name, MetricName: 'Errors', Namespace: 'App', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' };
}

describe('the AWS change log travels with the target (moto)', function () {
  let moto: Emulator;

  before(async function () {
    moto = await startMoto({ projectDir });
  });

  after(async function () {
    await moto?.stop();
  });

  it('two drills calling at once each get only their own changes, with request ids; reads and log-less targets record nothing', async function () {
    const [first, second]: AwsChange[][] = [[], []];
    const clientOf = (log: AwsChange[] | undefined) => cloudWatchClient(recordingInto(emulatorTarget(moto.endpoint, REGION), log));
    const [a, b, unlogged] = [clientOf(first), clientOf(second), clientOf(undefined)];
    try {
      await Promise.all([
        (async () => {
          await a.send(new PutMetricAlarmCommand(alarm('first-drill')));
          await a.send(new DescribeAlarmsCommand({ AlarmNames: ['first-drill'] }));
          await a.send(new SetAlarmStateCommand({ AlarmName: 'first-drill', StateValue: 'ALARM', StateReason: 'drill' }));
        })(),
        (async () => {
          await b.send(new PutMetricAlarmCommand(alarm('second-drill')));
          await b.send(new SetAlarmStateCommand({ AlarmName: 'second-drill', StateValue: 'OK', StateReason: 'drill' }));
        })(),
        unlogged.send(new PutMetricAlarmCommand(alarm('no-drill'))),
      ]);
    } finally {
      for (const client of [a, b, unlogged]) client.destroy();
    }
    expect(first.map((c) => `${c.service} ${c.operation} ${c.region}`)).to.deep.equal(['CloudWatch PutMetricAlarm eu-west-1', 'CloudWatch SetAlarmState eu-west-1']);
    expect(second.map((c) => `${c.service} ${c.operation}`)).to.deep.equal(['CloudWatch PutMetricAlarm', 'CloudWatch SetAlarmState']);
    for (const change of [...first, ...second]) {
      expect(change.requestId, change.operation).to.be.a('string').and.not.equal('');
      expect(change.httpStatus).to.equal(200);
    }
  });

  it('a refused call is on record with the error AWS gave', async function () {
    const log: AwsChange[] = [];
    const client = cloudWatchClient(recordingInto(emulatorTarget(moto.endpoint, REGION), log));
    try {
      const refused = await client.send(new SetAlarmStateCommand({ AlarmName: 'no-such-alarm', StateValue: 'ALARM', StateReason: 'drill' })).catch((error: Error) => error);
      expect(refused).to.be.instanceOf(Error);
    } finally {
      client.destroy();
    }
    expect(log).to.have.length(1);
    expect(log[0]).to.deep.include({ operation: 'SetAlarmState', error: 'ResourceNotFound' });
    expect(log[0]!.httpStatus).to.be.at.least(400);
  });
});
