import { PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient, type AwsTarget } from '../aws/clients.js';
import type { Grant } from '../aws/permissions.js';
import type { Measurements, MeasurementName } from '../core/measurements.js';

export const METRIC_NAMESPACE = 'Firedrill';

/** How each measurement is published: its metric name, unit, and the factor from our value. */
const METRICS: Record<MeasurementName, { metric: string; unit: StandardUnit; scale: number }> = {
  detectionMs: { metric: 'DetectionTime', unit: 'Milliseconds', scale: 1 },
  decisionMs: { metric: 'DecisionTime', unit: 'Milliseconds', scale: 1 },
  failoverMs: { metric: 'FailoverTime', unit: 'Milliseconds', scale: 1 },
  rtoMs: { metric: 'RTO', unit: 'Milliseconds', scale: 1 },
  rpoMs: { metric: 'RPO', unit: 'Milliseconds', scale: 1 },
  // Availability is a ratio 0..1 in the core; CloudWatch's Percent unit means 0..100.
  availability: { metric: 'Availability', unit: 'Percent', scale: 100 },
  lostWrites: { metric: 'LostWrites', unit: 'Count', scale: 1 },
};

/** PutMetricData has no resource-level permissions; the namespace condition keeps it to firedrill's metrics. */
export function metricsPermissions(): Grant[] {
  return [{ purpose: 'PublishDrillMetrics', actions: ['cloudwatch:PutMetricData'], resources: ['*'], condition: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } } }];
}

export interface PublishedDrill {
  scenario: string;
  environment: string;
  measurements: Measurements;
  passed: boolean;
}

/**
 * Puts a drill's measurements into CloudWatch (namespace Firedrill, dimensions Scenario and
 * Environment), so drills can be graphed and alarmed on like any other metric. Measurements
 * that were not taken are left out rather than sent as zero. Returns the metric names sent.
 */
export async function publishMeasurements(target: AwsTarget, drill: PublishedDrill): Promise<string[]> {
  const dimensions = [{ Name: 'Scenario', Value: drill.scenario }, { Name: 'Environment', Value: drill.environment }];
  const timestamp = new Date();
  const data: MetricDatum[] = [];
  for (const [name, how] of Object.entries(METRICS) as [MeasurementName, (typeof METRICS)[MeasurementName]][]) {
    const m = drill.measurements[name];
    if (m) data.push({ MetricName: how.metric, Unit: how.unit, Value: m.value * how.scale, Dimensions: dimensions, Timestamp: timestamp });
  }
  data.push({ MetricName: 'DrillPassed', Unit: 'Count', Value: drill.passed ? 1 : 0, Dimensions: dimensions, Timestamp: timestamp });
  const client = cloudWatchClient(target);
  try {
    // Well under PutMetricData's 1000-datum limit: one call.
    await client.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data }));
  } finally {
    client.destroy();
  }
  return data.map((d) => d.MetricName!);
}
