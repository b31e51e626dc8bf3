import { DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand, type CloudWatchClient, type StateValue } from '@aws-sdk/client-cloudwatch';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, GetChangeCommand, GetHealthCheckCommand, type CloudWatchRegion, type Route53Client } from '@aws-sdk/client-route-53';
import { readRecordSet } from '../src/aws/route53-records.js';

/**
 * The lab's AWS side, held in the emulator: a hosted zone with PRIMARY / SECONDARY failover
 * records for the app, CloudWatch alarms on the health metric the failover controller publishes,
 * and a notification-only CLOUDWATCH_METRIC health check on the health alarm: it detects, it
 * does not decide. The decision is the controller's, over several datapoints, and it moves
 * traffic by pinning the PRIMARY record to the recovery address — the seeds' alarm-driven
 * failover with its guard against automatic failback.
 */
export const LAB_ZONE = 'lab.firedrill.test';
export const LAB_APP_NAME = `app.${LAB_ZONE}`;
export const LAB_METRIC = { namespace: 'Firedrill/Lab', name: 'PrimaryHealthy' };
export const LAB_ALARMS = {
  /** Notification only: it detects, it does not decide. */
  health: 'lab-primary-health',
  /** Over several datapoints, so a blip does not fail over; its health check guards PRIMARY. */
  decision: 'lab-failover-decision',
};

export interface LabZone {
  hostedZoneId: string;
  healthCheckId: string;
  primaryAddress: string;
  recoveryAddress: string;
  ttl: number;
}

export interface ControlPlaneClients {
  route53: Route53Client;
  cloudwatch: CloudWatchClient;
}

export async function createLabZone(clients: ControlPlaneClients, options: { primaryAddress: string; recoveryAddress: string; ttl: number; region: string; decisionDatapoints: number }): Promise<LabZone> {
  const { route53, cloudwatch } = clients;
  const metricAlarm = (name: string, datapoints: number) => cloudwatch.send(new PutMetricAlarmCommand({
    AlarmName: name,
    Namespace: LAB_METRIC.namespace,
    MetricName: LAB_METRIC.name,
    Dimensions: [{ Name: 'Region', Value: options.region }],
    Statistic: 'Minimum',
    Period: 10,
    EvaluationPeriods: datapoints,
    DatapointsToAlarm: datapoints,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  }));
  await metricAlarm(LAB_ALARMS.health, 1);
  await metricAlarm(LAB_ALARMS.decision, options.decisionDatapoints);
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: `${LAB_ZONE}.`, CallerReference: `firedrill-lab-${Date.now()}` }));
  const hostedZoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  const check = await route53.send(new CreateHealthCheckCommand({
    CallerReference: `firedrill-lab-decision-${Date.now()}`,
    HealthCheckConfig: {
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Region: options.region as CloudWatchRegion, Name: LAB_ALARMS.health },
      InsufficientDataHealthStatus: 'Healthy',
    },
  }));
  const healthCheckId = check.HealthCheck!.Id!;
  const failoverRecord = (role: 'PRIMARY' | 'SECONDARY', address: string) => ({
    Action: 'UPSERT' as const,
    ResourceRecordSet: {
      Name: `${LAB_APP_NAME}.`, Type: 'A' as const, SetIdentifier: role.toLowerCase(), Failover: role, TTL: options.ttl,
      ResourceRecords: [{ Value: address }],
    },
  });
  await route53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: hostedZoneId,
    ChangeBatch: { Changes: [failoverRecord('PRIMARY', options.primaryAddress), failoverRecord('SECONDARY', options.recoveryAddress)] },
  }));
  return { hostedZoneId, healthCheckId, primaryAddress: options.primaryAddress, recoveryAddress: options.recoveryAddress, ttl: options.ttl };
}

/** Points the PRIMARY record at `address`: the pin after failover, and the manual failback. */
export async function pointPrimaryRecord(route53: Route53Client, zone: LabZone, address: string): Promise<{ submittedAt: number; insyncAt: number }> {
  const change = await route53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: zone.hostedZoneId,
    ChangeBatch: {
      Comment: 'firedrill lab failover controller',
      Changes: [{
        Action: 'UPSERT',
        ResourceRecordSet: { Name: `${LAB_APP_NAME}.`, Type: 'A', SetIdentifier: 'primary', Failover: 'PRIMARY', TTL: zone.ttl, ResourceRecords: [{ Value: address }] },
      }],
    },
  }));
  let status = change.ChangeInfo!.Status;
  while (status !== 'INSYNC') status = (await route53.send(new GetChangeCommand({ Id: change.ChangeInfo!.Id! }))).ChangeInfo!.Status;
  return { submittedAt: change.ChangeInfo!.SubmittedAt!.getTime(), insyncAt: Date.now() };
}

/** Sets an alarm's state and returns the alarm's own timestamp of the change. */
export async function setAlarm(cloudwatch: CloudWatchClient, name: string, state: StateValue, reason: string): Promise<number> {
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return alarms.MetricAlarms![0]!.StateUpdatedTimestamp!.getTime();
}

export async function alarmState(cloudwatch: CloudWatchClient, name: string): Promise<string> {
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return alarms.MetricAlarms?.[0]?.StateValue ?? 'INSUFFICIENT_DATA';
}

export async function publishHealth(cloudwatch: CloudWatchClient, region: string, healthy: boolean): Promise<void> {
  await cloudwatch.send(new PutMetricDataCommand({
    Namespace: LAB_METRIC.namespace,
    MetricData: [{ MetricName: LAB_METRIC.name, Dimensions: [{ Name: 'Region', Value: region }], Value: healthy ? 1 : 0, Unit: 'Count' }],
  }));
}

/**
 * Route 53's failover answer, which the emulator does not compute: PRIMARY while its health
 * check (if it has one) is healthy — a CLOUDWATCH_METRIC check is unhealthy while its alarm is
 * in ALARM — else SECONDARY.
 */
export async function answerFailover(clients: ControlPlaneClients, zone: LabZone): Promise<{ address: string; ttl: number; role: 'PRIMARY' | 'SECONDARY' }> {
  const key = { hostedZoneId: zone.hostedZoneId, recordName: LAB_APP_NAME, type: 'A' as const };
  const [primary, secondary] = await Promise.all([
    readRecordSet(clients.route53, { ...key, setIdentifier: 'primary' }),
    readRecordSet(clients.route53, { ...key, setIdentifier: 'secondary' }),
  ]);
  const primaryHealthy = primary?.HealthCheckId ? await isHealthCheckHealthy(clients, primary.HealthCheckId) : true;
  const use = primary && (primaryHealthy || !secondary) ? primary : secondary;
  if (!use) throw new Error(`no failover records for ${LAB_APP_NAME} in ${zone.hostedZoneId}`);
  return { address: use.ResourceRecords![0]!.Value!, ttl: use.TTL ?? zone.ttl, role: use === primary ? 'PRIMARY' : 'SECONDARY' };
}

/**
 * The active/active answer: every Region the two records point at, PRIMARY's first, like a
 * multivalue answer (Route 53 shuffles it; the lab keeps the order fixed so a probe stands for
 * one population of users). Once the controller pins PRIMARY to the recovery Region, both
 * records point there and the primary Region is out of the answers.
 */
export async function answerMultivalue(clients: ControlPlaneClients, zone: LabZone): Promise<{ addresses: string[]; ttl: number }> {
  const key = { hostedZoneId: zone.hostedZoneId, recordName: LAB_APP_NAME, type: 'A' as const };
  const records = await Promise.all(['primary', 'secondary'].map((setIdentifier) => readRecordSet(clients.route53, { ...key, setIdentifier })));
  const addresses = [...new Set(records.flatMap((r) => r?.ResourceRecords?.map((v) => v.Value!) ?? []))];
  if (addresses.length === 0) throw new Error(`no records for ${LAB_APP_NAME} in ${zone.hostedZoneId}`);
  return { addresses, ttl: records[0]?.TTL ?? zone.ttl };
}

async function isHealthCheckHealthy(clients: ControlPlaneClients, healthCheckId: string): Promise<boolean> {
  const check = await clients.route53.send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
  const alarm = check.HealthCheck?.HealthCheckConfig?.AlarmIdentifier?.Name;
  return alarm ? (await alarmState(clients.cloudwatch, alarm)) !== 'ALARM' : true;
}
