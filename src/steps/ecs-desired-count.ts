import { UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ecsClient, recordingInto, withClient, type AwsTarget } from '../aws/clients.js';
import { timelineMsOf, wallTimeOf } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import { exactInstant, type Instant } from '../core/measurement.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { observeUntil } from '../runtime/observe-until.js';
import { durationMs } from '../scenario/fields.js';
import { ecsServiceArns, ecsServiceKeySettings, labelOfService, readService, readServicePermissions, serviceDetail, steadyStateEventTime } from '../aws/ecs-services.js';

export const ecsDesiredCountSettings = z.strictObject({
  ...ecsServiceKeySettings,
  desiredCount: z.number().int().min(0),
  /** false: the new count is the recovery and stays (revert is a no-op). */
  revert: z.boolean().default(true),
  /** How long the running count may take to reach the desired count before the step fails. */
  timeout: durationMs.default(600_000),
  pollInterval: durationMs.default(1_000),
});

export type EcsDesiredCountSettings = z.output<typeof ecsDesiredCountSettings>;

/** What the journal keeps: the desired count before the change. */
interface ScaleState {
  previousDesiredCount: number;
}

/**
 * A recovery step: raise (or lower) an ECS service's desired count — the pilot light's scale-up —
 * and wait until as many tasks run. `at` is when they all ran: ECS's own "has reached a steady
 * state" event when it has one after the update, else bracketed by our polls of DescribeServices.
 * Revert puts back the count from before and waits for it the same way.
 */
export function createEcsDesiredCount(resolveTarget: (region: string) => AwsTarget): FaultKind<EcsDesiredCountSettings> {
  const clientFor = (s: EcsDesiredCountSettings, ctx: FaultContext) => ecsClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));

  return {
    kind: 'ecs-desired-count',
    settings: ecsDesiredCountSettings,
    /** UpdateService to scale (and to scale back on revert), DescribeServices to wait for the tasks. */
    permissions: (s, scope) => [
      ...readServicePermissions(s, scope),
      { purpose: 'ScaleEcsService', actions: ['ecs:UpdateService'], resources: ecsServiceArns(s, scope) },
    ],
    plan(s) {
      const change = `ecs:UpdateService ${labelOfService(s)} (${s.region}) desiredCount -> ${s.desiredCount}, then wait up to ${s.timeout}ms for ${s.desiredCount} running tasks`;
      const undo = s.revert
        ? `ecs:UpdateService ${labelOfService(s)} (${s.region}) desiredCount -> its count before the change, on revert`
        : `no revert (revert: false): ${labelOfService(s)} keeps desiredCount ${s.desiredCount}`;
      return [change, undo];
    },
    async inject(s, ctx) {
      return withClient(clientFor(s, ctx), async (client) => {
        const before = await readService(client, s, ctx.signal);
        const state: ScaleState = { previousDesiredCount: before.desiredCount ?? 0 };
        await ctx.remember({ ...state });
        const scaled = await scaleTo(client, s, s.desiredCount, ctx);
        return {
          at: scaled.at,
          state: { ...state },
          detail: {
            service: labelOfService(s),
            from: state.previousDesiredCount,
            to: s.desiredCount,
            updateSentAt: wallTimeOf(ctx.clock, scaled.sentT).toISOString(),
            runningReachedAt: wallTimeOf(ctx.clock, scaled.at.t).toISOString(),
            atSource: scaled.atSource,
            revert: s.revert,
            ...serviceDetail(scaled.service),
          },
        };
      });
    },
    async revert(s, state, ctx) {
      if (!s.revert) {
        ctx.log(`${labelOfService(s)}: revert: false, so desiredCount ${s.desiredCount} stays`);
        return;
      }
      return withClient(clientFor(s, ctx), async (client) => {
        return (await scaleTo(client, s, previousCountOf(state), ctx)).at;
      });
    },
    async verifyReverted(s, state, ctx) {
      if (!s.revert) return;
      return withClient(clientFor(s, ctx), async (client) => {
        const expected = previousCountOf(state);
        const service = await readService(client, s, ctx.signal);
        if (service.desiredCount !== expected) throw new Error(`${labelOfService(s)} is not reverted: expected desiredCount ${expected}, found ${service.desiredCount}`);
      });
    },
  };
}

function previousCountOf(state: JsonObject): number {
  const count = state.previousDesiredCount;
  if (typeof count !== 'number') throw new Error(`the journal holds no previous desiredCount (found ${JSON.stringify(count)})`);
  return count;
}

async function scaleTo(client: ECSClient, s: EcsDesiredCountSettings, desiredCount: number, ctx: FaultContext): Promise<{ service: Service; sentT: number; at: Instant; atSource: 'ecs-event' | 'observed' }> {
  const sentT = ctx.clock.now();
  const sentAt = wallTimeOf(ctx.clock, sentT);
  await client.send(new UpdateServiceCommand({ cluster: s.cluster, service: s.service, desiredCount }), { abortSignal: ctx.signal });
  const observed = await observeUntil(() => readService(client, s, ctx.signal), {
    until: (service) => service.runningCount === desiredCount && (service.pendingCount ?? 0) === 0,
    describe: (service) => `desired ${service.desiredCount}, running ${service.runningCount}, pending ${service.pendingCount ?? 0}`,
    sinceT: sentT,
    clock: ctx.clock,
    timeoutMs: s.timeout,
    intervalMs: s.pollInterval,
    signal: ctx.signal,
    what: `ECS service ${labelOfService(s)} to run ${desiredCount} tasks`,
  });
  const event = steadyStateEventTime(observed.value, sentAt);
  if (event) return { service: observed.value, sentT, at: exactInstant(timelineMsOf(ctx.clock, event)), atSource: 'ecs-event' };
  return { service: observed.value, sentT, at: observed.at, atSource: 'observed' };
}
