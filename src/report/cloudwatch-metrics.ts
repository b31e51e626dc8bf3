import { PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient, type AwsTarget } from '../aws/clients.js';
import type { Grant } from '../aws/permissions.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { Measurements } from '../core/measurements.js';
import { TARGET_NAMES, TARGETS, type TargetName, type TargetUnit } from '../core/targets.js';

export const METRIC_NAMESPACE = 'Firedrill';

/** Each target's metric name; unit and scale follow from the target's unit. */
const METRIC_NAMES: Record<TargetName, string> = {
  detection: 'DetectionTime',
  decision: 'DecisionTime',
  failover: 'FailoverTime',
  rto: 'RTO',
  rpo: 'RPO',
  availability: 'Availability',
  lostWrites: 'LostWrites',
};

/** A ratio is 0..1 in the core; CloudWatch's Percent unit means 0..100. */
const UNITS: Record<TargetUnit, { unit: StandardUnit; scale: number }> = {
  time: { unit: 'Milliseconds', scale: 1 },
  ratio: { unit: 'Percent', scale: 100 },
  count: { unit: 'Count', scale: 1 },
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
  for (const name of TARGET_NAMES) {
    const m = drill.measurements[TARGETS[name].measurement];
    const { unit, scale } = UNITS[TARGETS[name].unit];
    if (m) data.push({ MetricName: METRIC_NAMES[name], Unit: unit, Value: m.value * scale, Dimensions: dimensions, Timestamp: timestamp });
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

/** Publishes each drill's measurements once it is over. */
export function metricsPlugin(target: AwsTarget): DrillPlugin {
  return {
    name: 'cloudwatch-metrics',
    async onEnd({ result, log }) {
      const metrics = await publishMeasurements(target, { scenario: result.scenario.name, environment: result.environment, measurements: result.measurements, passed: result.outcome === 'passed' });
      log(`published ${metrics.length} metrics to CloudWatch (namespace ${METRIC_NAMESPACE}, ${target.region})`);
    },
  };
}
