import { DescribeGlobalClustersCommand, type GlobalCluster, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { arnsIn, type Grant, type PermissionScope } from './permissions.js';

export const globalClusterKeySettings = {
  globalClusterIdentifier: z.string().min(1),
  /** Any Region the global cluster has a member in: its API answers there. */
  region: z.string().min(1),
};

export interface GlobalClusterKey { globalClusterIdentifier: string; region: string }

/** A global cluster's ARN has no Region: `arn:aws:rds::ACCOUNT:global-cluster:NAME`. */
export function globalClusterArns(key: GlobalClusterKey, scope: PermissionScope): string[] {
  return arnsIn(scope, 'rds', '', `global-cluster:${key.globalClusterIdentifier}`);
}

export function readGlobalClusterPermissions(key: GlobalClusterKey, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadGlobalCluster', actions: ['rds:DescribeGlobalClusters'], resources: globalClusterArns(key, scope) }];
}

export async function readGlobalCluster(client: RDSClient, key: GlobalClusterKey, abortSignal: AbortSignal): Promise<GlobalCluster> {
  const answer = await client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: key.globalClusterIdentifier }), { abortSignal });
  // Matched by name: moto answers every global cluster whatever the identifier asked for.
  const cluster = answer.GlobalClusters?.find((c) => c.GlobalClusterIdentifier === key.globalClusterIdentifier);
  if (!cluster) throw new Error(`Aurora global cluster ${key.globalClusterIdentifier} (asked in ${key.region}): DescribeGlobalClusters answered no cluster`);
  return cluster;
}

/** The ARN of the member cluster that takes writes, or null (during a failover, or none). */
export function writerArnOf(cluster: GlobalCluster): string | null {
  return cluster.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn ?? null;
}

/** The Region in a cluster ARN (`arn:aws:rds:REGION:ACCOUNT:cluster:NAME`). */
export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

export function describeGlobalCluster(cluster: GlobalCluster): string {
  const failover = cluster.FailoverState?.Status ? `, failover ${cluster.FailoverState.Status}` : '';
  return `status ${cluster.Status ?? 'unknown'}, writer ${writerArnOf(cluster) ?? 'none'}${failover}`;
}
