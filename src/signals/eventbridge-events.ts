import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { sqsClient, type AwsTarget } from '../aws/clients.js';
import type { Grant } from '../aws/permissions.js';
import { jsonConditionSchema, matchesCondition, readJsonPath } from '../core/json-path.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const eventBridgeEventsSettings = z.strictObject({
  /** The SQS queue an EventBridge rule delivers to; the signal's own: it deletes what it reads. */
  queueUrl: z.url(),
  region: z.string().min(1),
  /** Every condition must hold for an event to count, e.g. `{ path: detail-type, equals: CloudWatch Alarm State Change }`. */
  match: z.array(jsonConditionSchema).default([]),
  /** The event field whose value is the signal's state (`detail.state.value` for an alarm change). */
  state: z.string().min(1).default('detail-type'),
  interval: durationMs.default(1_000),
});

export type EventBridgeEventsSettings = z.input<typeof eventBridgeEventsSettings>;

/** Receives and deletes (DeleteMessageBatch is authorized as sqs:DeleteMessage) on its own queue only. */
export function eventBridgeEventsPermissions(settings: EventBridgeEventsSettings): Grant[] {
  return [{ purpose: 'DrainEventQueue', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [queueArnOf(settings.queueUrl, settings.region)] }];
}

/** `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` as `arn:aws:sqs:REGION:ACCOUNT:NAME`. */
function queueArnOf(queueUrl: string, region: string): string {
  const [account, name] = new URL(queueUrl).pathname.split('/').filter(Boolean).slice(-2);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** The state before any matching event arrived. */
export const NO_EVENT_STATE = 'no-event';
/** Receive calls per poll at most, 10 messages each: a backlog is drained over a few polls, not in one. */
const RECEIVES_PER_POLL = 5;

interface ReceivedEvent {
  id: string;
  /** `time` as the event gives it. */
  eventTime: string;
  time: Date;
  state: string;
  detailType: string | null;
  source: string | null;
}

/**
 * Detection from the event EventBridge received (an alarm state change, an AWS Health event,
 * the team's own automation), delivered to an SQS queue: the state is the `state` field of a
 * matching event and `since` is the event's own `time`. Events are handed out one per poll,
 * oldest first, so an ALARM followed by an OK within one interval is still seen as two changes.
 */
export function createEventBridgeEventsSignal(name: string, settings: EventBridgeEventsSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = eventBridgeEventsSettings.parse(settings);
  const client = sqsClient(resolveTarget(s.region));
  const pending: ReceivedEvent[] = [];
  let current: ReceivedEvent | undefined;
  let ignored = 0;

  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      for (let i = 0; i < RECEIVES_PER_POLL; i++) {
        const batch = await receive(client, s.queueUrl, signal);
        if (!batch.length) break;
        for (const message of batch) {
          const event = readEvent(message, s);
          if (event) pending.push(event);
          else ignored++;
        }
        await deleteMessages(client, s.queueUrl, batch, signal);
      }
      pending.sort((a, b) => a.time.getTime() - b.time.getTime());
      current = pending.shift() ?? current;
      if (!current) return { state: NO_EVENT_STATE, detail: { queueUrl: s.queueUrl, ignored } };
      return {
        state: current.state,
        since: current.time,
        detail: { queueUrl: s.queueUrl, eventId: current.id, eventTime: current.eventTime, detailType: current.detailType, source: current.source, waiting: pending.length, ignored },
      };
    },
    async close() {
      client.destroy();
    },
  };
}

async function receive(client: SQSClient, queueUrl: string, abortSignal: AbortSignal): Promise<Message[]> {
  const answer = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }), { abortSignal });
  return answer.Messages ?? [];
}

async function deleteMessages(client: SQSClient, queueUrl: string, messages: Message[], abortSignal: AbortSignal): Promise<void> {
  const entries = messages.filter((m) => m.ReceiptHandle).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
  if (entries.length) await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }), { abortSignal });
}

/**
 * EventBridge's `time` is to the second ("2026-12-01T23:45:12Z"): the event happened somewhere in
 * that second. Its last millisecond is taken, so detection is never measured earlier than it
 * was (and never before a fault injected within the same second).
 */
function latestInstantOf(time: string): Date {
  const at = new Date(time);
  return /\.\d+Z?$/.test(time.replace(/[+-]\d\d:\d\d$/, '')) ? at : new Date(at.getTime() + 999);
}

/** The event in a message, if it is an EventBridge event (JSON with an `id` and a `time`) that matches. */
function readEvent(message: Message, s: z.output<typeof eventBridgeEventsSettings>): ReceivedEvent | undefined {
  let event: unknown;
  try {
    event = JSON.parse(message.Body ?? '');
  } catch {
    return undefined;
  }
  const id = readJsonPath(event, 'id');
  const eventTime = String(readJsonPath(event, 'time'));
  const time = latestInstantOf(eventTime);
  const state = readJsonPath(event, s.state);
  if (typeof id !== 'string' || Number.isNaN(time.getTime()) || state === undefined || state === null) return undefined;
  if (!s.match.every((condition) => matchesCondition(event, condition))) return undefined;
  const text = (path: string) => {
    const value = readJsonPath(event, path);
    return typeof value === 'string' ? value : null;
  };
  return { id, eventTime, time, state: String(state), detailType: text('detail-type'), source: text('source') };
}
