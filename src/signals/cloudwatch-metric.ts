import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { cloudWatchClient, type AwsTarget } from '../aws/clients.js';
import type { Grant } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

const COMPARISONS = { '>': (v: number, t: number) => v > t, '>=': (v: number, t: number) => v >= t, '<': (v: number, t: number) => v < t, '<=': (v: number, t: number) => v <= t } as const;

export const cloudWatchMetricSettings = z.strictObject({
  region: z.string().min(1),
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.record(z.string(), z.string()).default({}),
  stat: z.string().min(1).default('Maximum'),
  /** The metric's period; a multiple of 60 s, or 1, 5, 10, 30 s for high-resolution metrics. */
  period: durationMs.default(60_000),
  threshold: z.number(),
  comparison: z.enum(['>', '>=', '<', '<=']).default('>'),
  /** How far back the newest datapoint is looked for; older than this, the state is `no-data`. */
  lookBack: durationMs.default(300_000),
  interval: durationMs.default(60_000),
});

export type CloudWatchMetricSettings = z.input<typeof cloudWatchMetricSettings>;

/** GetMetricData has no resource-level permissions and no condition key for the namespace. */
export function cloudWatchMetricPermissions(): Grant[] {
  return [{ purpose: 'ReadMetricData', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }];
}

/**
 * A CloudWatch metric against a threshold, through GetMetricData — a replication lag such as
 * `AuroraGlobalDBReplicationLag` or S3 `ReplicationLatency`, so a drill can say how much data
 * was at risk before the fault. The state is `breaching`, `ok` or `no-data`; `since` is the
 * newest datapoint's own timestamp (the start of its period), and the detail carries its value.
 */
export function createCloudWatchMetricSignal(name: string, settings: CloudWatchMetricSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = cloudWatchMetricSettings.parse(settings);
  const client = cloudWatchClient(resolveTarget(s.region));
  const metric = `${s.namespace} ${s.metricName}${Object.keys(s.dimensions).length ? ` ${JSON.stringify(s.dimensions)}` : ''}`;
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      // Aligned to the period, as AWS advises: the datapoints' timestamps are then the periods' starts.
      const end = Math.ceil(Date.now() / s.period) * s.period;
      const answer = await client.send(new GetMetricDataCommand({
        StartTime: new Date(end - Math.ceil(s.lookBack / s.period) * s.period),
        EndTime: new Date(end),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [{
          Id: 'm',
          MetricStat: {
            Metric: { Namespace: s.namespace, MetricName: s.metricName, Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) },
            Period: Math.round(s.period / 1000),
            Stat: s.stat,
          },
        }],
      }), { abortSignal: signal });
      const result = answer.MetricDataResults?.[0];
      const newest = (result?.Timestamps ?? []).map((at, i) => ({ at, value: result!.Values![i]! })).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
      const detail = { metric, stat: s.stat, threshold: s.threshold, comparison: s.comparison };
      if (!newest) return { state: 'no-data', detail: { ...detail, value: null } };
      return {
        state: COMPARISONS[s.comparison](newest.value, s.threshold) ? 'breaching' : 'ok',
        since: newest.at,
        detail: { ...detail, value: newest.value, timestamp: newest.at.toISOString() },
      };
    },
    async close() {
      client.destroy();
    },
  };
}
