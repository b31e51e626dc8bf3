import { blackholeFault } from '../faults/blackhole.js';
import { createFisFault } from '../faults/fis.js';
import { httpHookFault } from '../faults/http-hook.js';
import { httpCanaryKind, sqlCanaryKind } from '../probes/canary-kinds.js';
import { browserProbeSettings, createBrowserProbe } from '../probes/browser.js';
import { createDnsProbe, dnsProbeSettings } from '../probes/dns.js';
import { createHttpProbe, httpProbeSettings } from '../probes/http.js';
import { cloudWatchAlarmPermissions, cloudWatchAlarmSettings, createCloudWatchAlarmSignal } from '../signals/cloudwatch-alarm.js';
import { createDnsAnswerSignal, dnsAnswerSignalSettings } from '../signals/dns-answer.js';
import { createRoute53HealthCheckSignal, route53HealthCheckPermissions, route53HealthCheckSettings } from '../signals/route53-health-check.js';
import { route53RecordPermissions } from '../aws/route53-records.js';
import { readGlobalClusterPermissions } from '../aws/aurora-global-clusters.js';
import { readServicePermissions } from '../aws/ecs-services.js';
import { noAwsCalls } from '../aws/permissions.js';
import { readDbClusterPermissions } from '../aws/rds-clusters.js';
import { dynamoDbGlobalTableCanaryKind, s3ReplicationCanaryKind } from '../probes/replicated-canary-kinds.js';
import { auroraGlobalClusterSignalSettings, createAuroraGlobalClusterSignal } from '../signals/aurora-global-cluster.js';
import { cloudWatchMetricPermissions, cloudWatchMetricSettings, createCloudWatchMetricSignal } from '../signals/cloudwatch-metric.js';
import { createEventBridgeEventsSignal, eventBridgeEventsPermissions, eventBridgeEventsSettings } from '../signals/eventbridge-events.js';
import { createEcsServiceSignal, ecsServiceSignalSettings } from '../signals/ecs-service.js';
import { createRdsClusterSignal, rdsClusterSignalSettings } from '../signals/rds-cluster.js';
import { backupJobSignalPermissions, backupJobSignalSettings, createBackupJobSignal } from '../signals/backup-job.js';
import { createEcrImageSignal, ecrImageSignalPermissions, ecrImageSignalSettings } from '../signals/ecr-image.js';
import { createS3BucketReplicationSignal, s3BucketReplicationPermissions, s3BucketReplicationSignalSettings } from '../signals/s3-bucket-replication.js';
import { createStackSetInstanceSignal, stackSetInstancePermissions, stackSetInstanceSignalSettings } from '../signals/stack-set-instance.js';
import { createRoute53RecordSignal, route53RecordSettings } from '../signals/route53-record.js';
import { createStatusEndpointSignal, statusEndpointSignalSettings } from '../signals/status-endpoint.js';
import { createBackupRestore } from '../steps/backup-restore.js';
import { createAuroraGlobalFailover } from '../steps/aurora-global-failover.js';
import { createEcsDesiredCount } from '../steps/ecs-desired-count.js';
import { httpStep } from '../steps/http-request.js';
import { createLambdaInvoke } from '../steps/lambda-invoke.js';
import { createRdsClusterFailover } from '../steps/rds-cluster-failover.js';
import { createRdsReplicaPromotion } from '../steps/rds-replica-promotion.js';
import { createRoute53RecordChange } from '../steps/route53-record-change.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import type { KindSchemas } from '../scenario/load.js';
import { schemasOf, type AdapterEnv, type Kinds } from './kinds.js';

/**
 * Every kind a scenario can name. AWS kinds reach AWS through the environment, so the map is
 * built for one; `builtinKindSchemas` builds it only to read the settings schemas.
 */
export function builtinKinds(env: Pick<AdapterEnv, 'awsTarget'>): Kinds {
  return {
    probes: {
      http: { settings: httpProbeSettings, create: (name, s) => createHttpProbe(name, s), permissions: noAwsCalls },
      dns: { settings: dnsProbeSettings, create: (name, s) => createDnsProbe(name, s), permissions: noAwsCalls },
      browser: { settings: browserProbeSettings, create: (name, s) => createBrowserProbe(name, s), permissions: noAwsCalls },
    },
    signals: {
      'status-endpoint': { settings: statusEndpointSignalSettings, create: (name, s) => createStatusEndpointSignal(name, s), permissions: noAwsCalls },
      'dns-answer': { settings: dnsAnswerSignalSettings, create: (name, s) => createDnsAnswerSignal(name, s), permissions: noAwsCalls },
      'cloudwatch-alarm': { settings: cloudWatchAlarmSettings, create: (name, s, e) => createCloudWatchAlarmSignal(name, s, e.awsTarget), permissions: cloudWatchAlarmPermissions },
      'route53-health-check': { settings: route53HealthCheckSettings, create: (name, s, e) => createRoute53HealthCheckSignal(name, s, e.awsTarget), permissions: route53HealthCheckPermissions },
      'route53-record': { settings: route53RecordSettings, create: (name, s, e) => createRoute53RecordSignal(name, s, e.awsTarget), permissions: route53RecordPermissions },
      'ecs-service': { settings: ecsServiceSignalSettings, create: (name, s, e) => createEcsServiceSignal(name, s, e.awsTarget), permissions: readServicePermissions },
      'rds-cluster': { settings: rdsClusterSignalSettings, create: (name, s, e) => createRdsClusterSignal(name, s, e.awsTarget), permissions: readDbClusterPermissions },
      'cloudwatch-metric': { settings: cloudWatchMetricSettings, create: (name, s, e) => createCloudWatchMetricSignal(name, s, e.awsTarget), permissions: cloudWatchMetricPermissions },
      'eventbridge-events': { settings: eventBridgeEventsSettings, create: (name, s, e) => createEventBridgeEventsSignal(name, s, e.awsTarget), permissions: eventBridgeEventsPermissions },
      'aurora-global-cluster': { settings: auroraGlobalClusterSignalSettings, create: (name, s, e) => createAuroraGlobalClusterSignal(name, s, e.awsTarget), permissions: readGlobalClusterPermissions },
      'backup-job': { settings: backupJobSignalSettings, create: (name, s, e) => createBackupJobSignal(name, s, e.awsTarget), permissions: backupJobSignalPermissions },
      // Steady-state preconditions: what must already be replicated to the recovery Region.
      'ecr-image': { settings: ecrImageSignalSettings, create: (name, s, e) => createEcrImageSignal(name, s, e.awsTarget), permissions: ecrImageSignalPermissions },
      'stack-set-instance': { settings: stackSetInstanceSignalSettings, create: (name, s, e) => createStackSetInstanceSignal(name, s, e.awsTarget), permissions: stackSetInstancePermissions },
      's3-bucket-replication': { settings: s3BucketReplicationSignalSettings, create: (name, s, e) => createS3BucketReplicationSignal(name, s, e.awsTarget), permissions: s3BucketReplicationPermissions },
    },
    canaries: {
      sql: sqlCanaryKind,
      http: httpCanaryKind,
      's3-replication': s3ReplicationCanaryKind,
      'dynamodb-global-table': dynamoDbGlobalTableCanaryKind,
    },
    faults: {
      blackhole: blackholeFault,
      'http-hook': httpHookFault,
      fis: createFisFault(env.awsTarget),
    },
    steps: {
      'route53-record-change': createRoute53RecordChange(env.awsTarget),
      'ecs-desired-count': createEcsDesiredCount(env.awsTarget),
      'rds-cluster-failover': createRdsClusterFailover(env.awsTarget),
      'aurora-global-failover': createAuroraGlobalFailover(env.awsTarget),
      'rds-replica-promotion': createRdsReplicaPromotion(env.awsTarget),
      'backup-restore': createBackupRestore(env.awsTarget),
      'lambda-invoke': createLambdaInvoke(env.awsTarget),
      http: httpStep,
    },
  };
}

/** The built-in kinds, reaching AWS through `environment`'s endpoints and credentials. */
export function kindsFor(environment: Environment): Kinds {
  return builtinKinds({ awsTarget: (region) => awsTargetOf(environment, region) });
}

/** The settings schemas of every built-in kind, to read them (the field reference); it reaches nothing. */
export function builtinKindSchemas(): KindSchemas {
  return schemasOf(builtinKinds({ awsTarget: (region) => ({ region }) }));
}
