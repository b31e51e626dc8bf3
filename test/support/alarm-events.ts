import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SetAlarmStateCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/**
 * moto changes an alarm's state on SetAlarmState but puts no "CloudWatch Alarm State Change"
 * event on the bus. The test world's automation does both, as CloudWatch would: the event has
 * the shape AWS documents, from `aws.cloudwatch`, timed when the state changed.
 */
export function alarmAutomation(clients: { cloudwatch: CloudWatchClient; events: EventBridgeClient }, where: { account: string; region: string }) {
  return {
    async setAlarm(alarmName: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', previous: string, at = new Date()): Promise<Date> {
      await clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: 'test world' }));
      await putAlarmEvent(clients.events, where, alarmName, state, previous, at);
      return at;
    },
  };
}

export async function putAlarmEvent(events: EventBridgeClient, where: { account: string; region: string }, alarmName: string, state: string, previous: string, at: Date): Promise<void> {
  const answer = await events.send(new PutEventsCommand({
    Entries: [{
      Source: 'aws.cloudwatch',
      DetailType: 'CloudWatch Alarm State Change',
      Time: at,
      Resources: [`arn:aws:cloudwatch:${where.region}:${where.account}:alarm:${alarmName}`],
      Detail: JSON.stringify({
        alarmName,
        state: { value: state, reason: 'test world', timestamp: at.toISOString() },
        previousState: { value: previous, reason: 'test world', timestamp: at.toISOString() },
      }),
    }],
  }));
  if (answer.FailedEntryCount) throw new Error(`PutEvents refused the alarm event: ${JSON.stringify(answer.Entries)}`);
}
