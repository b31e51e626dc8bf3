/*
 * EventBridge detection against moto 5.2.5: a rule on the default bus delivers to an SQS queue
 * and the signal reads the queue through the real @aws-sdk/client-sqs. Gaps observed in moto
 * (for the README's emulator notes):
 * - SetAlarmState puts no "CloudWatch Alarm State Change" event on the bus: the test world's
 *   automation puts it (alarm-events.ts), shaped as AWS documents it.
 * - The event moto delivers to SQS has no `account` field; its `time` is the PutEvents `Time`.
 */
import { fileURLToPath } from 'node:url';
import { PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { cloudWatchClient, emulatorTarget, sqsClient } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { waitFor } from '../../src/runtime/wait.js';
import { createEventBridgeEventsSignal, NO_EVENT_STATE, type EventBridgeEventsSettings } from '../../src/signals/eventbridge-events.js';
import type { Observation } from '../../src/signals/signal.js';
import { alarmAutomation, putAlarmEvent } from '../support/alarm-events.js';
import { burst, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ctx = { signal: new AbortController().signal };

describe('EventBridge events through SQS on moto', function () {
  let moto: Emulator;
  let sqs: SQSClient;
  let cw: CloudWatchClient;
  let events: EventBridgeClient;
  let serial = 0;

  before(async function () {
    moto = await startMoto({ projectDir });
    const target = emulatorTarget(moto.endpoint, REGION);
    sqs = sqsClient(target);
    cw = cloudWatchClient(target);
    events = new EventBridgeClient({ region: REGION, endpoint: moto.endpoint, credentials: target.credentials! });
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'app-health', Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
  });

  after(async function () {
    sqs?.destroy();
    cw?.destroy();
    events?.destroy();
    await moto?.stop();
  });

  /** A queue of its own for each test, with a rule delivering `pattern` to it. */
  async function deliveredQueue(pattern: object): Promise<string> {
    const name = `detect-${++serial}`;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: queueArn }] }));
    return queueUrl;
  }

  const alarmPattern = { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] };
  const alarmSettings = (queueUrl: string, extra: Partial<EventBridgeEventsSettings> = {}): EventBridgeEventsSettings => ({
    queueUrl, region: REGION, state: 'detail.state.value', match: [{ path: 'detail.alarmName', equals: 'app-health' }], ...extra,
  });

  /** Polls the signal, as the runner would, until it reads `state` (the event is what it waits on). */
  async function observeUntilState(signal: ReturnType<typeof createEventBridgeEventsSignal>, state: string): Promise<Observation> {
    let seen: Observation | undefined;
    await waitFor(async () => (seen = await signal.observe(ctx)).state === state, { timeoutMs: 10_000, intervalMs: 50, what: `the signal to read ${state}` });
    return seen!;
  }

  it('reads an alarm state change as the alarm\'s new state, since the event\'s own time', async function () {
    const queueUrl = await deliveredQueue(alarmPattern);
    const signal = createEventBridgeEventsSignal('alarm-events', alarmSettings(queueUrl), () => emulatorTarget(moto.endpoint, REGION));
    try {
      expect((await signal.observe(ctx)).state).to.equal(NO_EVENT_STATE);
      const automation = alarmAutomation({ cloudwatch: cw, events }, { account: ACCOUNT, region: REGION });
      const changedAt = await automation.setAlarm('app-health', 'ALARM', 'OK', new Date(Date.now() - 3_000));
      const seen = await observeUntilState(signal, 'ALARM');
      // EventBridge's `time` has second resolution: the signal takes the last millisecond of it.
      expect(seen.since!.getTime()).to.equal(Math.floor(changedAt.getTime() / 1000) * 1000 + 999);
      expect(Date.parse(String(seen.detail?.eventTime))).to.equal(Math.floor(changedAt.getTime() / 1000) * 1000);
      expect(seen.detail).to.include({ detailType: 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', waiting: 0 });
      // Held until the next event; the message was deleted, so a fresh signal on the queue sees nothing.
      expect((await signal.observe(ctx)).state).to.equal('ALARM');
      const fresh = createEventBridgeEventsSignal('again', alarmSettings(queueUrl), () => emulatorTarget(moto.endpoint, REGION));
      expect((await fresh.observe(ctx)).state).to.equal(NO_EVENT_STATE);
      await fresh.close();
    } finally {
      await signal.close();
    }
  });

  it('hands out two changes that arrive together one per poll, oldest first', async function () {
    const queueUrl = await deliveredQueue(alarmPattern);
    const signal = createEventBridgeEventsSignal('alarm-events', alarmSettings(queueUrl), () => emulatorTarget(moto.endpoint, REGION));
    try {
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
      // Put newest first: the order of arrival is not the order of the changes.
      await putAlarmEvent(events, { account: ACCOUNT, region: REGION }, 'app-health', 'OK', 'ALARM', new Date(t0 + 4_000));
      await putAlarmEvent(events, { account: ACCOUNT, region: REGION }, 'app-health', 'ALARM', 'OK', new Date(t0));
      await waitFor(async () => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages) === 2, { timeoutMs: 10_000, what: 'both events in the queue' });
      const first = await signal.observe(ctx);
      const second = await signal.observe(ctx);
      expect([first.state, first.since?.getTime(), first.detail?.waiting]).to.deep.equal(['ALARM', t0 + 999, 1]);
      expect([second.state, second.since?.getTime(), second.detail?.waiting]).to.deep.equal(['OK', t0 + 4_999, 0]);
    } finally {
      await signal.close();
    }
  });

  it('ignores what does not match and what is not an event (custom events by detail-type)', async function () {
    const queueUrl = await deliveredQueue({ source: ['team.failover', 'aws.cloudwatch'] });
    const signal = createEventBridgeEventsSignal('decided', {
      queueUrl, region: REGION, match: [{ path: 'source', equals: 'team.failover' }], state: 'detail.step',
    }, () => emulatorTarget(moto.endpoint, REGION));
    try {
      await putAlarmEvent(events, { account: ACCOUNT, region: REGION }, 'app-health', 'ALARM', 'OK', new Date());
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }));
      await events.send(new PutEventsCommand({ Entries: [{ Source: 'team.failover', DetailType: 'Failover Step', Detail: JSON.stringify({ step: 'promoted' }) }] }));
      const seen = await observeUntilState(signal, 'promoted');
      expect(seen.detail).to.include({ source: 'team.failover', detailType: 'Failover Step', ignored: 2 });
    } finally {
      await signal.close();
    }
  });

  it('names a queue that does not exist (the poll is unknown, never a detection)', async function () {
    const queueUrl = `${moto.endpoint}/${ACCOUNT}/no-such-queue`;
    const signal = createEventBridgeEventsSignal('gone', alarmSettings(queueUrl), () => emulatorTarget(moto.endpoint, REGION));
    try {
      let error: unknown;
      await signal.observe(ctx).catch((e: unknown) => { error = e; });
      expect((error as Error).name).to.match(/QueueDoesNotExist|NonExistentQueue/);
    } finally {
      await signal.close();
    }
  });

  describe('through a fault proxy', function () {
    let proxy: HttpFaultProxy;
    before(async function () { proxy = await startHttpFaultProxy({ upstream: moto.endpoint }); });
    after(async function () { await proxy?.stop(); });

    it('rides out throttled receives and still reads the event once', async function () {
      const queueUrl = await deliveredQueue(alarmPattern);
      const signal = createEventBridgeEventsSignal('alarm-events', alarmSettings(queueUrl), () => emulatorTarget(proxy.endpoint, REGION));
      try {
        await putAlarmEvent(events, { account: ACCOUNT, region: REGION }, 'app-health', 'ALARM', 'OK', new Date());
        proxy.setPlan(burst(2, 'throttle'));
        const seen = await observeUntilState(signal, 'ALARM');
        expect(proxy.requests.filter((r) => r.answeredBy === 'proxy').map((r) => r.operation)).to.deep.equal(['ReceiveMessage', 'ReceiveMessage']);
        expect(seen.detail).to.include({ waiting: 0 });
      } finally {
        await signal.close();
      }
    });
  });
});
