import { FailoverDBClusterCommand, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsClient, recordingInto, withClient, type AwsTarget } from '../aws/clients.js';
import { wallTimeOf } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import type { Instant } from '../core/measurement.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { observeUntil } from '../runtime/observe-until.js';
import { durationMs } from '../scenario/fields.js';
import { dbClusterArns, describeDbCluster, rdsClusterKeySettings, readDbCluster, readDbClusterPermissions, writerOf } from '../aws/rds-clusters.js';

export const rdsClusterFailoverSettings = z.strictObject({
  ...rdsClusterKeySettings,
  /** The reader to promote; default: the one RDS picks. */
  targetDbInstanceIdentifier: z.string().min(1).optional(),
  /** false: the new writer stays (revert is a no-op). */
  revert: z.boolean().default(true),
  /** How long the cluster may take to be `available` with its new writer. */
  timeout: durationMs.default(900_000),
  pollInterval: durationMs.default(5_000),
});

export type RdsClusterFailoverSettings = z.output<typeof rdsClusterFailoverSettings>;

/**
 * A step (or a fault): FailoverDBCluster, which makes a reader of an Aurora / Multi-AZ cluster
 * its writer, waiting until the cluster is `available` with the new writer. `at` is bracketed by
 * our polls (RDS gives no time for it). Revert fails over back to the writer from before.
 */
export function createRdsClusterFailover(resolveTarget: (region: string) => AwsTarget): FaultKind<RdsClusterFailoverSettings> {
  const clientFor = (s: RdsClusterFailoverSettings, ctx: FaultContext) => rdsClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));
  const label = (s: RdsClusterFailoverSettings) => `${s.dbClusterIdentifier} (${s.region})`;

  return {
    kind: 'rds-cluster-failover',
    settings: rdsClusterFailoverSettings,
    /** FailoverDBCluster there (and back on revert), DescribeDBClusters to wait for the new writer. */
    permissions: (s, scope) => [
      ...readDbClusterPermissions(s, scope),
      { purpose: 'FailOverDbCluster', actions: ['rds:FailoverDBCluster'], resources: dbClusterArns(s, scope) },
    ],
    plan(s) {
      const change = `rds:FailoverDBCluster ${label(s)} -> ${s.targetDbInstanceIdentifier ?? 'a reader RDS picks'}, then wait up to ${s.timeout}ms for it to be available with that writer`;
      const undo = s.revert
        ? `rds:FailoverDBCluster ${label(s)} -> the writer before the change, on revert`
        : `no revert (revert: false): ${label(s)} keeps its new writer`;
      return [change, undo];
    },
    async inject(s, ctx) {
      return withClient(clientFor(s, ctx), async (client) => {
        const before = await readDbCluster(client, s, ctx.signal);
        const previousWriter = writerOf(before);
        if (!previousWriter) throw new Error(`RDS cluster ${label(s)} has no writer to fail over from (${describeDbCluster(before)})`);
        await ctx.remember({ previousWriter });
        const sentT = ctx.clock.now();
        const result = await failOver(client, s, s.targetDbInstanceIdentifier, (writer) => writer !== previousWriter && (!s.targetDbInstanceIdentifier || writer === s.targetDbInstanceIdentifier), ctx);
        return {
          at: result.at,
          state: { previousWriter },
          detail: {
            cluster: s.dbClusterIdentifier,
            from: previousWriter,
            to: result.writer,
            failoverSentAt: wallTimeOf(ctx.clock, sentT).toISOString(),
            availableObservedAt: wallTimeOf(ctx.clock, result.at.t).toISOString(),
            revert: s.revert,
          },
        };
      });
    },
    async revert(s, state, ctx) {
      if (!s.revert) {
        ctx.log(`${label(s)}: revert: false, so the new writer stays`);
        return;
      }
      const previousWriter = previousWriterOf(state);
      return withClient(clientFor(s, ctx), async (client) => {
        if (writerOf(await readDbCluster(client, s, ctx.signal)) === previousWriter) return;
        return (await failOver(client, s, previousWriter, (writer) => writer === previousWriter, ctx)).at;
      });
    },
    async verifyReverted(s, state, ctx) {
      if (!s.revert) return;
      return withClient(clientFor(s, ctx), async (client) => {
        const cluster = await readDbCluster(client, s, ctx.signal);
        if (writerOf(cluster) !== previousWriterOf(state)) throw new Error(`RDS cluster ${label(s)} is not reverted: expected writer ${previousWriterOf(state)}, found ${describeDbCluster(cluster)}`);
      });
    },
  };
}

function previousWriterOf(state: JsonObject): string {
  if (typeof state.previousWriter !== 'string') throw new Error(`the journal holds no previous writer (found ${JSON.stringify(state.previousWriter)})`);
  return state.previousWriter;
}

async function failOver(client: RDSClient, s: RdsClusterFailoverSettings, target: string | undefined, isNewWriter: (writer: string | null) => boolean, ctx: FaultContext): Promise<{ writer: string | null; at: Instant }> {
  const sinceT = ctx.clock.now();
  await client.send(new FailoverDBClusterCommand({ DBClusterIdentifier: s.dbClusterIdentifier, ...(target ? { TargetDBInstanceIdentifier: target } : {}) }), { abortSignal: ctx.signal });
  const observed = await observeUntil(() => readDbCluster(client, s, ctx.signal), {
    until: (cluster) => cluster.Status === 'available' && isNewWriter(writerOf(cluster)),
    describe: describeDbCluster,
    sinceT,
    clock: ctx.clock,
    timeoutMs: s.timeout,
    intervalMs: s.pollInterval,
    signal: ctx.signal,
    what: `RDS cluster ${s.dbClusterIdentifier} to be available with a new writer${target ? ` (${target})` : ''}`,
  });
  return { writer: writerOf(observed.value), at: observed.at };
}
