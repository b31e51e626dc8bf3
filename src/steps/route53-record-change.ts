import { ChangeResourceRecordSetsCommand, GetChangeCommand, type Change, type ChangeInfo, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import { z } from 'zod';
import { route53Client, recordingInto, type AwsTarget } from '../aws/clients.js';
import { hostedZoneArn, route53Arn } from '../aws/permissions.js';
import { timelineMsOf, wallTimeOf } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import { exactInstant } from '../core/measurement.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { waitFor } from '../runtime/wait.js';
import { durationMs } from '../scenario/fields.js';
import { describeRecordSet, readRecordSet, recordKeySettings, route53RecordPermissions, type RecordKey } from '../aws/route53-records.js';

export const route53RecordChangeSettings = z.strictObject({
  ...recordKeySettings,
  failover: z.enum(['PRIMARY', 'SECONDARY']).optional(),
  values: z.array(z.string().min(1)).min(1),
  /** Seconds; default: the TTL the record has now, or 60 for a new record. */
  ttl: z.number().int().min(0).optional(),
  healthCheckId: z.string().min(1).optional(),
  /** false: the change is the recovery and stays (revert is a no-op). */
  revert: z.boolean().default(true),
  /** How long a change may stay PENDING before the step fails. */
  syncTimeout: durationMs.default(300_000),
});

export type Route53RecordChangeSettings = z.output<typeof route53RecordChangeSettings>;

/** What the journal keeps: the record set as it was before the change, or null if there was none. */
interface ChangeState {
  hostedZoneId: string;
  previous: ResourceRecordSet | null;
}

const SYNC_POLL_MS = 1_000;

/**
 * A recovery step (or a fault): UPSERT one record set — pin a failover record to the recovery
 * side, say — and on revert put back the record set that was there, or delete the record if
 * there was none. `at` is Route 53's SubmittedAt; Route 53 gives no INSYNC time, so the moment
 * INSYNC was observed is kept in the detail, bracketed by our polls.
 */
export function createRoute53RecordChange(resolveTarget: (region: string) => AwsTarget): FaultKind<Route53RecordChangeSettings> {
  const clientFor = (s: Route53RecordChangeSettings, ctx: FaultContext) => route53Client(recordingInto(resolveTarget(s.region), ctx.awsChanges));

  return {
    kind: 'route53-record-change',
    settings: route53RecordChangeSettings,
    permissions(s) {
      const zone = hostedZoneArn(s.hostedZoneId);
      return [
        ...route53RecordPermissions(s),
        {
          purpose: 'ChangeOneRecord',
          actions: ['route53:ChangeResourceRecordSets'],
          resources: [zone],
          condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [s.recordName.replace(/\.$/, '').toLowerCase()] } },
        },
        { purpose: 'WaitForChangeInSync', actions: ['route53:GetChange'], resources: [route53Arn('change/*')] },
      ];
    },
    plan(s) {
      const change = `route53:ChangeResourceRecordSets UPSERT ${labelOf(s)} -> ${s.values.join(',')}`;
      const undo = s.revert
        ? `route53:ChangeResourceRecordSets UPSERT ${labelOf(s)} -> its values before the change (DELETE if it did not exist), on revert`
        : `no revert (revert: false): ${labelOf(s)} keeps ${s.values.join(',')}`;
      return [change, undo];
    },
    async inject(s, ctx) {
      const client = clientFor(s, ctx);
      try {
        const previous = (await readRecordSet(client, s, { abortSignal: ctx.signal })) ?? null;
        const state: ChangeState = { hostedZoneId: s.hostedZoneId, previous };
        await ctx.remember(toJson(state));
        const info = await submitChange(client, s.hostedZoneId, { Action: 'UPSERT', ResourceRecordSet: desiredRecordSet(s, previous) }, ctx.signal);
        const insync = await waitInsync(client, info, s, ctx);
        return {
          at: exactInstant(timelineMsOf(ctx.clock, info.SubmittedAt!)),
          state: toJson(state),
          detail: {
            change: labelOf(s),
            from: describeRecordSet(previous ?? undefined),
            to: [...s.values].sort().join(','),
            changeId: info.Id ?? null,
            submittedAt: info.SubmittedAt!.toISOString(),
            insyncObservedAt: wallTimeOf(ctx.clock, insync).toISOString(),
            revert: s.revert,
          },
        };
      } finally {
        client.destroy();
      }
    },
    async revert(s, state, ctx) {
      if (!s.revert) {
        ctx.log(`${labelOf(s)}: revert: false, so the change stays in place`);
        return;
      }
      const { hostedZoneId, previous } = fromJson(state);
      const client = clientFor(s, ctx);
      try {
        const current = await readRecordSet(client, { ...s, hostedZoneId }, { abortSignal: ctx.signal });
        const change: Change | undefined = previous
          ? { Action: 'UPSERT', ResourceRecordSet: previous }
          : current && { Action: 'DELETE', ResourceRecordSet: current };
        if (!change) return;
        const info = await submitChange(client, hostedZoneId, change, ctx.signal);
        await waitInsync(client, info, s, ctx);
        return exactInstant(timelineMsOf(ctx.clock, info.SubmittedAt!));
      } finally {
        client.destroy();
      }
    },
    async verifyReverted(s, state, ctx) {
      if (!s.revert) return;
      const { hostedZoneId, previous } = fromJson(state);
      const client = clientFor(s, ctx);
      try {
        const expected = describeRecordSet(previous ?? undefined);
        const found = describeRecordSet(await readRecordSet(client, { ...s, hostedZoneId }, { abortSignal: ctx.signal }));
        if (found !== expected) throw new Error(`${labelOf(s)} is not reverted: expected ${expected}, found ${found}`);
      } finally {
        client.destroy();
      }
    },
  };
}

function labelOf(s: Omit<RecordKey, 'hostedZoneId'> & { failover?: string }): string {
  const member = s.setIdentifier ? ` [${[s.failover, s.setIdentifier].filter(Boolean).join(' ')}]` : '';
  return `${s.recordName} ${s.type}${member}`;
}

/** The record set after the change: the given values, and what was not given kept from before. */
function desiredRecordSet(s: Route53RecordChangeSettings, previous: ResourceRecordSet | null): ResourceRecordSet {
  const failover = s.failover ?? previous?.Failover;
  const healthCheckId = s.healthCheckId ?? previous?.HealthCheckId;
  return {
    Name: s.recordName,
    Type: s.type,
    TTL: s.ttl ?? previous?.TTL ?? 60,
    ResourceRecords: s.values.map((Value) => ({ Value })),
    ...(s.setIdentifier ? { SetIdentifier: s.setIdentifier } : {}),
    ...(failover ? { Failover: failover } : {}),
    ...(healthCheckId ? { HealthCheckId: healthCheckId } : {}),
  };
}

async function submitChange(client: Route53Client, hostedZoneId: string, change: Change, abortSignal: AbortSignal): Promise<ChangeInfo> {
  const answer = await client.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: hostedZoneId,
    ChangeBatch: { Comment: 'firedrill', Changes: [change] },
  }), { abortSignal });
  const info = answer.ChangeInfo;
  if (!info?.Id || !info.SubmittedAt) throw new Error(`ChangeResourceRecordSets in ${hostedZoneId} answered without a ChangeInfo Id and SubmittedAt`);
  return info;
}

/** Polls GetChange until INSYNC; returns the timeline time INSYNC was first seen. */
async function waitInsync(client: Route53Client, info: ChangeInfo, s: Route53RecordChangeSettings, ctx: FaultContext): Promise<number> {
  if (info.Status !== 'INSYNC') {
    const readStatus = async () => (await client.send(new GetChangeCommand({ Id: info.Id }), { abortSignal: ctx.signal })).ChangeInfo?.Status;
    await waitFor(async () => (await readStatus()) === 'INSYNC', {
      timeoutMs: s.syncTimeout,
      intervalMs: SYNC_POLL_MS,
      what: `Route 53 change ${info.Id} for ${labelOf(s)} to be INSYNC`,
      signal: ctx.signal,
    });
  }
  return ctx.clock.now();
}

function toJson(state: ChangeState): JsonObject {
  return JSON.parse(JSON.stringify(state)) as JsonObject;
}

function fromJson(state: JsonObject): ChangeState {
  return { hostedZoneId: String(state.hostedZoneId), previous: (state.previous ?? null) as ResourceRecordSet | null };
}
