import { DescribeDBClustersCommand, type DBCluster, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const rdsClusterKeySettings = {
  dbClusterIdentifier: z.string().min(1),
  region: z.string().min(1),
};

export const rdsClusterSignalSettings = z.strictObject({
  ...rdsClusterKeySettings,
  interval: durationMs.default(5_000),
});

export type RdsClusterSignalSettings = z.input<typeof rdsClusterSignalSettings>;
export interface RdsClusterKey { dbClusterIdentifier: string; region: string }

/** The cluster as RDS describes it; RDS itself says DBClusterNotFoundFault for one it does not know. */
export async function readDbCluster(client: RDSClient, key: RdsClusterKey, abortSignal: AbortSignal): Promise<DBCluster> {
  const answer = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: key.dbClusterIdentifier }), { abortSignal });
  const cluster = answer.DBClusters?.[0];
  if (!cluster) throw new Error(`RDS cluster ${key.dbClusterIdentifier} in ${key.region}: DescribeDBClusters answered no cluster`);
  return cluster;
}

/** The instance that takes writes, or null while the cluster has none. */
export function writerOf(cluster: DBCluster): string | null {
  return cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier ?? null;
}

export function describeDbCluster(cluster: DBCluster): string {
  return `status ${cluster.Status ?? 'unknown'}, writer ${writerOf(cluster) ?? 'none'}`;
}

/**
 * An Aurora / RDS cluster as a signal: its state is the cluster's Status (`available`,
 * `failing-over`, …); the writer instance and the members are in the detail. RDS gives no time
 * for a status change, so the runner brackets it between polls.
 */
export function createRdsClusterSignal(name: string, settings: RdsClusterSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = rdsClusterSignalSettings.parse(settings);
  const client = rdsClient(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const cluster = await readDbCluster(client, s, signal);
      return {
        state: cluster.Status ?? 'unknown',
        detail: {
          cluster: s.dbClusterIdentifier,
          writer: writerOf(cluster),
          members: (cluster.DBClusterMembers ?? []).map((m) => ({ instance: m.DBInstanceIdentifier ?? null, writer: m.IsClusterWriter ?? false })),
          replicationSource: cluster.ReplicationSourceIdentifier ?? null,
          globalClusterIdentifier: cluster.GlobalClusterIdentifier ?? null,
        },
      };
    },
    async close() {
      client.destroy();
    },
  };
}
