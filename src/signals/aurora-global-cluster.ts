import { DescribeGlobalClustersCommand, type GlobalCluster, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { rdsClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const globalClusterKeySettings = {
  globalClusterIdentifier: z.string().min(1),
  /** Any Region the global cluster has a member in: its API answers there. */
  region: z.string().min(1),
};

export const auroraGlobalClusterSignalSettings = z.strictObject({
  ...globalClusterKeySettings,
  interval: durationMs.default(5_000),
});

export type AuroraGlobalClusterSignalSettings = z.input<typeof auroraGlobalClusterSignalSettings>;
export interface GlobalClusterKey { globalClusterIdentifier: string; region: string }

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

/**
 * An Aurora global database as a signal: its state is the Region of the writer cluster
 * (`us-east-1`), or `no-writer` while a failover has none — so a milestone can say "the writer
 * moved to the recovery Region". RDS gives no time for the move; the runner brackets it.
 */
export function createAuroraGlobalClusterSignal(name: string, settings: AuroraGlobalClusterSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = auroraGlobalClusterSignalSettings.parse(settings);
  const client = rdsClient(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const cluster = await readGlobalCluster(client, s, signal);
      const writer = writerArnOf(cluster);
      return {
        state: writer ? regionOfArn(writer) : 'no-writer',
        detail: {
          globalCluster: s.globalClusterIdentifier,
          status: cluster.Status ?? null,
          writer,
          members: (cluster.GlobalClusterMembers ?? []).map((m) => ({ cluster: m.DBClusterArn ?? null, writer: m.IsWriter ?? false })),
          failoverState: cluster.FailoverState ? { status: cluster.FailoverState.Status ?? null, from: cluster.FailoverState.FromDbClusterArn ?? null, to: cluster.FailoverState.ToDbClusterArn ?? null, dataLossAllowed: cluster.FailoverState.IsDataLossAllowed ?? null } : null,
        },
      };
    },
    async close() {
      client.destroy();
    },
  };
}
