import { FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand, type GlobalCluster, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsClient, recordingInto, withClient, type AwsTarget } from '../aws/clients.js';
import { wallTimeOf } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import type { Instant } from '../core/measurement.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { observeUntil } from '../runtime/observe-until.js';
import { durationMs } from '../scenario/fields.js';
import { describeGlobalCluster, globalClusterArns, globalClusterKeySettings, readGlobalCluster, readGlobalClusterPermissions, writerArnOf } from '../aws/aurora-global-clusters.js';
import { arnsIn, type Grant, type PermissionScope } from '../aws/permissions.js';

export const auroraGlobalFailoverSettings = z.strictObject({
  ...globalClusterKeySettings,
  /** The secondary cluster's ARN: the one that becomes the writer. */
  targetDbClusterArn: z.string().regex(/^arn:aws[\w-]*:rds:[a-z0-9-]+:\d{12}:cluster:.+/, 'expected a DB cluster ARN like "arn:aws:rds:us-west-2:123456789012:cluster:name"'),
  /**
   * `switchover`: planned, no data lost (SwitchoverGlobalCluster); `failover`: the primary
   * Region is lost, writes not yet replicated are (FailoverGlobalCluster with AllowDataLoss).
   */
  mode: z.enum(['switchover', 'failover']),
  /** false: the recovery Region keeps the writer (failback is done by hand). */
  revert: z.boolean().default(true),
  timeout: durationMs.default(1_800_000),
  pollInterval: durationMs.default(5_000),
});

export type AuroraGlobalFailoverSettings = z.output<typeof auroraGlobalFailoverSettings>;

/**
 * A recovery step: move the writer of an Aurora global database to another Region's cluster,
 * and wait until the global cluster is `available` with that writer and no failover in
 * progress. `at` is bracketed by our polls. Revert switches the writer back (a planned
 * switchover, so the failback loses nothing).
 */
export function createAuroraGlobalFailover(resolveTarget: (region: string) => AwsTarget): FaultKind<AuroraGlobalFailoverSettings> {
  const clientFor = (s: AuroraGlobalFailoverSettings, ctx: FaultContext) => rdsClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));
  const operation = (mode: AuroraGlobalFailoverSettings['mode']) => (mode === 'failover' ? 'rds:FailoverGlobalCluster AllowDataLoss' : 'rds:SwitchoverGlobalCluster');

  return {
    kind: 'aurora-global-failover',
    settings: auroraGlobalFailoverSettings,
    permissions: globalFailoverPermissions,
    plan(s) {
      const change = `${operation(s.mode)} ${s.globalClusterIdentifier} -> writer ${s.targetDbClusterArn}, then wait up to ${s.timeout}ms for it to be available`;
      const undo = s.revert
        ? `rds:SwitchoverGlobalCluster ${s.globalClusterIdentifier} -> the writer before the change, on revert`
        : `no revert (revert: false): ${s.globalClusterIdentifier} keeps its writer in ${s.targetDbClusterArn}`;
      return [change, undo];
    },
    async inject(s, ctx) {
      return withClient(clientFor(s, ctx), async (client) => {
        const before = await readGlobalCluster(client, s, ctx.signal);
        const previousWriterArn = writerArnOf(before);
        if (!before.GlobalClusterMembers?.some((m) => m.DBClusterArn === s.targetDbClusterArn)) {
          throw new Error(`${s.targetDbClusterArn} is not a member of Aurora global cluster ${s.globalClusterIdentifier} (${describeGlobalCluster(before)})`);
        }
        if (previousWriterArn === s.targetDbClusterArn) throw new Error(`${s.targetDbClusterArn} is already the writer of ${s.globalClusterIdentifier}: nothing to fail over`);
        await ctx.remember({ previousWriterArn });
        const sentT = ctx.clock.now();
        const moved = await moveWriter(client, s, s.mode, s.targetDbClusterArn, ctx);
        return {
          at: moved.at,
          state: { previousWriterArn },
          detail: {
            globalCluster: s.globalClusterIdentifier,
            mode: s.mode,
            from: previousWriterArn,
            to: s.targetDbClusterArn,
            requestSentAt: wallTimeOf(ctx.clock, sentT).toISOString(),
            availableObservedAt: wallTimeOf(ctx.clock, moved.at.t).toISOString(),
            revert: s.revert,
          },
        };
      });
    },
    async revert(s, state, ctx) {
      if (!s.revert) {
        ctx.log(`${s.globalClusterIdentifier}: revert: false, so the writer stays in ${s.targetDbClusterArn}`);
        return;
      }
      const previous = previousWriterOf(state);
      if (!previous) return;
      return withClient(clientFor(s, ctx), async (client) => {
        if (writerArnOf(await readGlobalCluster(client, s, ctx.signal)) === previous) return;
        return (await moveWriter(client, s, 'switchover', previous, ctx)).at;
      });
    },
    async verifyReverted(s, state, ctx) {
      if (!s.revert) return;
      return withClient(clientFor(s, ctx), async (client) => {
        const cluster = await readGlobalCluster(client, s, ctx.signal);
        const expected = previousWriterOf(state);
        if (expected && writerArnOf(cluster) !== expected) throw new Error(`Aurora global cluster ${s.globalClusterIdentifier} is not reverted: expected writer ${expected}, found ${describeGlobalCluster(cluster)}`);
      });
    },
  };
}

const MOVE_ACTION: Record<AuroraGlobalFailoverSettings['mode'], string> = { failover: 'rds:FailoverGlobalCluster', switchover: 'rds:SwitchoverGlobalCluster' };

/**
 * Both calls are authorized on the global cluster and on the cluster that becomes the writer.
 * The writer to switch back to on revert is read when the drill runs, not named in the
 * settings: any cluster of the account, in any Region, and RDS takes only a member of this
 * global cluster.
 */
function globalFailoverPermissions(s: AuroraGlobalFailoverSettings, scope: PermissionScope): Grant[] {
  const globalCluster = globalClusterArns(s, scope);
  return [
    ...readGlobalClusterPermissions(s, scope),
    { purpose: 'MoveGlobalWriterToTarget', actions: [MOVE_ACTION[s.mode]], resources: [...globalCluster, s.targetDbClusterArn] },
    ...(s.revert ? [{ purpose: 'SwitchGlobalWriterBackOnRevert', actions: [MOVE_ACTION.switchover], resources: [...globalCluster, ...arnsIn(scope, 'rds', '*', 'cluster:*')] }] : []),
  ];
}

function previousWriterOf(state: JsonObject): string | null {
  return typeof state.previousWriterArn === 'string' ? state.previousWriterArn : null;
}

async function moveWriter(client: RDSClient, s: AuroraGlobalFailoverSettings, mode: AuroraGlobalFailoverSettings['mode'], targetArn: string, ctx: FaultContext): Promise<{ cluster: GlobalCluster; at: Instant }> {
  const sinceT = ctx.clock.now();
  const request = { GlobalClusterIdentifier: s.globalClusterIdentifier, TargetDbClusterIdentifier: targetArn };
  if (mode === 'failover') await client.send(new FailoverGlobalClusterCommand({ ...request, AllowDataLoss: true }), { abortSignal: ctx.signal });
  else await client.send(new SwitchoverGlobalClusterCommand(request), { abortSignal: ctx.signal });
  const observed = await observeUntil(() => readGlobalCluster(client, s, ctx.signal), {
    until: (cluster) => cluster.Status === 'available' && !cluster.FailoverState?.Status && writerArnOf(cluster) === targetArn,
    describe: describeGlobalCluster,
    sinceT,
    clock: ctx.clock,
    timeoutMs: s.timeout,
    intervalMs: s.pollInterval,
    signal: ctx.signal,
    what: `Aurora global cluster ${s.globalClusterIdentifier} to be available with writer ${targetArn}`,
  });
  return { cluster: observed.value, at: observed.at };
}
