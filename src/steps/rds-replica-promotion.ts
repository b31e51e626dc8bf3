import {
  DescribeDBInstancesCommand, PromoteReadReplicaCommand, PromoteReadReplicaDBClusterCommand, type RDSClient,
} from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsClient, recordingInto, withClient, type AwsTarget } from '../aws/clients.js';
import { arnsOfNamed, type Grant, type PermissionScope } from '../aws/permissions.js';
import { dbClusterArns, readDbCluster, readDbClusterPermissions } from '../aws/rds-clusters.js';
import { wallTimeOf } from '../core/clock.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { observeUntil } from '../runtime/observe-until.js';
import { durationMs } from '../scenario/fields.js';

export const rdsReplicaPromotionSettings = z.strictObject({
  /** The replica's Region: the recovery Region. */
  region: z.string().min(1),
  /** The cross-Region read replica to promote: an Aurora DB cluster (PromoteReadReplicaDBCluster) or a DB instance (PromoteReadReplica); exactly one. */
  dbClusterIdentifier: z.string().min(1).optional(),
  dbInstanceIdentifier: z.string().min(1).optional(),
  /** How long the replica may take to be `available` as a standalone writer. */
  timeout: durationMs.default(1_800_000),
  pollInterval: durationMs.default(5_000),
}).refine((s) => (s.dbClusterIdentifier === undefined) !== (s.dbInstanceIdentifier === undefined), { message: 'expected exactly one of dbClusterIdentifier and dbInstanceIdentifier', path: ['dbClusterIdentifier'] });

export type RdsReplicaPromotionSettings = z.output<typeof rdsReplicaPromotionSettings>;

/** What the step reads of the replica: its status, and the source it still replicates from (null once promoted). */
interface ReplicaState {
  status: string;
  source: string | null;
}

interface Replica {
  label: string;
  promoteCall: string;
  read(client: RDSClient, abortSignal: AbortSignal): Promise<ReplicaState>;
  promote(client: RDSClient, abortSignal: AbortSignal): Promise<unknown>;
}

/** Describe (to wait, and for the evidence) and promote the one replica, cluster or instance. */
function replicaPermissions(s: RdsReplicaPromotionSettings, scope: PermissionScope): Grant[] {
  if (s.dbClusterIdentifier) {
    const key = { dbClusterIdentifier: s.dbClusterIdentifier, region: s.region };
    return [...readDbClusterPermissions(key, scope), { purpose: 'PromoteReplicaDbCluster', actions: ['rds:PromoteReadReplicaDBCluster'], resources: dbClusterArns(key, scope) }];
  }
  const instance = arnsOfNamed(scope, 'rds', s.region, s.dbInstanceIdentifier!, (id) => `db:${id}`);
  return [
    { purpose: 'ReadDbInstance', actions: ['rds:DescribeDBInstances'], resources: instance },
    { purpose: 'PromoteReplicaDbInstance', actions: ['rds:PromoteReadReplica'], resources: instance },
  ];
}

function replicaOf(s: RdsReplicaPromotionSettings): Replica {
  if (s.dbClusterIdentifier) {
    const key = { dbClusterIdentifier: s.dbClusterIdentifier, region: s.region };
    return {
      label: `DB cluster ${s.dbClusterIdentifier} (${s.region})`,
      promoteCall: 'rds:PromoteReadReplicaDBCluster',
      async read(client, abortSignal) {
        const cluster = await readDbCluster(client, key, abortSignal);
        return { status: cluster.Status ?? 'unknown', source: cluster.ReplicationSourceIdentifier ?? null };
      },
      promote: (client, abortSignal) => client.send(new PromoteReadReplicaDBClusterCommand({ DBClusterIdentifier: key.dbClusterIdentifier }), { abortSignal }),
    };
  }
  const id = s.dbInstanceIdentifier!;
  return {
    label: `DB instance ${id} (${s.region})`,
    promoteCall: 'rds:PromoteReadReplica',
    async read(client, abortSignal) {
      const instance = (await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal })).DBInstances?.[0];
      if (!instance) throw new Error(`RDS instance ${id} in ${s.region}: DescribeDBInstances answered no instance`);
      return { status: instance.DBInstanceStatus ?? 'unknown', source: instance.ReadReplicaSourceDBInstanceIdentifier ?? null };
    },
    promote: (client, abortSignal) => client.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: id }), { abortSignal }),
  };
}

const describeReplica = (state: ReplicaState) => `status ${state.status}, replicating from ${state.source ?? 'nothing'}`;

/**
 * A recovery step: promote a cross-Region read replica (an Aurora DB cluster, or a DB instance)
 * to a standalone writer, and wait until it is `available` and replicates from nothing. `at` is
 * bracketed by our polls (RDS gives no time for it). A promotion cannot be undone — the
 * replica cannot be made to follow its source again — so there is no revert: the promoted
 * database stays, its former source is named in the evidence and the journal, and re-creating
 * the replica is the failback, done by hand. The evidence kept after the drill is the database
 * as RDS then describes it.
 */
export function createRdsReplicaPromotion(resolveTarget: (region: string) => AwsTarget): FaultKind<RdsReplicaPromotionSettings> {
  const clientFor = (s: RdsReplicaPromotionSettings, ctx: FaultContext) => rdsClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));

  return {
    kind: 'rds-replica-promotion',
    settings: rdsReplicaPromotionSettings,
    permissions: replicaPermissions,
    plan(s) {
      const replica = replicaOf(s);
      return [
        `${replica.promoteCall} ${replica.label}, then wait up to ${s.timeout}ms for it to be available and replicate from nothing`,
        `no revert: a promotion cannot be undone; ${replica.label} stays a standalone writer (re-create the replica to fail back)`,
      ];
    },
    async inject(s, ctx) {
      const replica = replicaOf(s);
      return withClient(clientFor(s, ctx), async (client) => {
        const before = await replica.read(client, ctx.signal);
        if (!before.source) throw new Error(`${replica.label} is not a read replica (${describeReplica(before)}): nothing to promote`);
        await ctx.remember({ promotedFrom: before.source });
        const sentT = ctx.clock.now();
        await replica.promote(client, ctx.signal);
        const observed = await observeUntil(() => replica.read(client, ctx.signal), {
          until: (state) => state.status === 'available' && state.source === null,
          describe: describeReplica,
          sinceT: sentT,
          clock: ctx.clock,
          timeoutMs: s.timeout,
          intervalMs: s.pollInterval,
          signal: ctx.signal,
          what: `${replica.label} to be available and replicate from nothing`,
        });
        return {
          at: observed.at,
          state: { promotedFrom: before.source },
          detail: {
            replica: replica.label,
            promotedFrom: before.source,
            promoteSentAt: wallTimeOf(ctx.clock, sentT).toISOString(),
            availableObservedAt: wallTimeOf(ctx.clock, observed.at.t).toISOString(),
            revert: false,
          },
        };
      });
    },
    async revert(s, state, ctx) {
      ctx.log(`${replicaOf(s).label} stays promoted: a promotion cannot be undone (it replicated from ${String(state.promotedFrom)})`);
    },
    async verifyReverted() {},
    /** The promoted database as RDS describes it after the drill: a standalone writer, and what it was a replica of. */
    async evidence(s, state, ctx) {
      const replica = replicaOf(s);
      const now = await withClient(clientFor(s, ctx), (client) => replica.read(client, ctx.signal));
      return { replica: replica.label, status: now.status, replicatingFrom: now.source, promotedFrom: state.promotedFrom ?? null };
    },
  };
}
