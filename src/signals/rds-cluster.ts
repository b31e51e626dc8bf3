import { z } from 'zod';
import { rdsClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';
import { rdsClusterKeySettings, readDbCluster, writerOf } from '../aws/rds-clusters.js';

export const rdsClusterSignalSettings = z.strictObject({
  ...rdsClusterKeySettings,
  interval: durationMs.default(5_000),
});

export type RdsClusterSignalSettings = z.input<typeof rdsClusterSignalSettings>;

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
