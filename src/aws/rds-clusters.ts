import { DescribeDBClustersCommand, type DBCluster, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { arnsOfNamed, type Grant, type PermissionScope } from './permissions.js';

export const rdsClusterKeySettings = {
  dbClusterIdentifier: z.string().min(1),
  region: z.string().min(1),
};

export interface RdsClusterKey { dbClusterIdentifier: string; region: string }

export function dbClusterArns(key: RdsClusterKey, scope: PermissionScope): string[] {
  return arnsOfNamed(scope, 'rds', key.region, key.dbClusterIdentifier, (id) => `cluster:${id}`);
}

export function readDbClusterPermissions(key: RdsClusterKey, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadDbCluster', actions: ['rds:DescribeDBClusters'], resources: dbClusterArns(key, scope) }];
}

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
