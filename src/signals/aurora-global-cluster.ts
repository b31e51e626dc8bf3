import { z } from 'zod';
import { rdsClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';
import { globalClusterKeySettings, readGlobalCluster, regionOfArn, writerArnOf } from '../aws/aurora-global-clusters.js';

export const auroraGlobalClusterSignalSettings = z.strictObject({
  ...globalClusterKeySettings,
  interval: durationMs.default(5_000),
});

export type AuroraGlobalClusterSignalSettings = z.input<typeof auroraGlobalClusterSignalSettings>;

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
