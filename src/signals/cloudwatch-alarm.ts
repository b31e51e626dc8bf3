import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { cloudWatchClient, type AwsTarget } from '../aws/clients.js';
import { arnsIn, type Grant, type PermissionScope } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const cloudWatchAlarmSettings = z.strictObject({
  alarm: z.string().min(1),
  region: z.string().min(1),
  interval: durationMs.default(1_000),
});

export type CloudWatchAlarmSettings = z.input<typeof cloudWatchAlarmSettings>;

export function cloudWatchAlarmPermissions(settings: CloudWatchAlarmSettings, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadAlarmStateAndHistory', actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'], resources: arnsIn(scope, 'cloudwatch', settings.region, `alarm:${settings.alarm}`) }];
}

/** Which clock `since` was read from, best first. */
export type AlarmSinceSource = 'alarm-history' | 'state-transitioned' | 'state-updated';

/**
 * A CloudWatch alarm (metric or composite) as a signal: its state is the alarm's StateValue
 * (OK | ALARM | INSUFFICIENT_DATA) and `since` is when CloudWatch decided it, by its own clock.
 */
export function createCloudWatchAlarmSignal(name: string, settings: CloudWatchAlarmSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = cloudWatchAlarmSettings.parse(settings);
  const client = cloudWatchClient(resolveTarget(s.region));
  // Decided once per signal: an API that is missing (moto) or forbidden stays so for the drill.
  let historyUnavailable = false;

  async function readSince(state: string, alarm: AlarmFields, abortSignal: AbortSignal): Promise<{ since?: Date; sinceSource?: AlarmSinceSource }> {
    if (!historyUnavailable) {
      try {
        const since = await readTransitionFromHistory(client, s.alarm, state, abortSignal);
        if (since) return { since, sinceSource: 'alarm-history' };
      } catch (error) {
        if (isHistoryUnavailable(error)) historyUnavailable = true;
        // The state was read; a history call throttled past the SDK's retries only costs this poll its best clock.
        else if (!isThrottledOrServerError(error)) throw error;
      }
    }
    if (alarm.StateTransitionedTimestamp) return { since: alarm.StateTransitionedTimestamp, sinceSource: 'state-transitioned' };
    if (alarm.StateUpdatedTimestamp) return { since: alarm.StateUpdatedTimestamp, sinceSource: 'state-updated' };
    return {};
  }

  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const answer = await client.send(new DescribeAlarmsCommand({ AlarmNames: [s.alarm], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }), { abortSignal: signal });
      const alarm: AlarmFields | undefined = answer.MetricAlarms?.[0] ?? answer.CompositeAlarms?.[0];
      if (!alarm?.StateValue) throw new Error(`alarm ${s.alarm} not found in ${s.region}`);
      const { since, sinceSource } = await readSince(alarm.StateValue, alarm, signal);
      return {
        state: alarm.StateValue,
        ...(since ? { since } : {}),
        detail: {
          alarm: s.alarm,
          type: answer.MetricAlarms?.length ? 'metric' : 'composite',
          reason: alarm.StateReason,
          sinceSource: sinceSource ?? null,
        },
      };
    },
    async close() {
      client.destroy();
    },
  };
}

interface AlarmFields {
  StateValue?: string;
  StateReason?: string;
  StateTransitionedTimestamp?: Date;
  StateUpdatedTimestamp?: Date;
}

/**
 * The time of the newest StateUpdate into `state`: the history's Timestamp is when CloudWatch
 * changed the state, which StateUpdatedTimestamp is not (it also moves on EvaluationState).
 * Scanned newest first, so one page answers: scanning oldest first would page through up to
 * two weeks of history on every poll.
 */
async function readTransitionFromHistory(client: CloudWatchClient, alarm: string, state: string, abortSignal: AbortSignal): Promise<Date | undefined> {
  const answer = await client.send(new DescribeAlarmHistoryCommand({
    AlarmName: alarm,
    AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    HistoryItemType: 'StateUpdate',
    ScanBy: 'TimestampDescending',
    MaxRecords: 10,
  }), { abortSignal });
  return answer.AlarmHistoryItems?.find((item) => newStateOf(item.HistoryData) === state)?.Timestamp;
}

function newStateOf(historyData: string | undefined): string | undefined {
  try {
    return (JSON.parse(historyData ?? '') as { newState?: { stateValue?: string } }).newState?.stateValue;
  } catch {
    return undefined;
  }
}

/** Throttling or a 5xx: what the SDK retries, still failing after its last attempt. */
function isThrottledOrServerError(error: unknown): boolean {
  const { name = '', $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ?? 0;
  return status === 429 || status >= 500 || /^Throttl/.test(name);
}

/**
 * DescribeAlarmHistory that will never work for this signal: not implemented by the endpoint
 * (moto answers an HTML page, which the SDK reports as a deserialization SyntaxError) or not
 * permitted to the caller (composite-alarm history needs the permission on `*`).
 */
function isHistoryUnavailable(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return error instanceof SyntaxError || name === 'SyntaxError' || name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'UnknownOperationException';
}
