import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients.js';
import { arnsIn, s3Arn, type Grant, type PermissionScope } from '../aws/permissions.js';
import type { AdapterKind } from '../runner/kinds.js';
import { durationMs } from '../scenario/fields.js';
import type { Canary } from './canary.js';
import { lazyCanary } from './canary-kinds.js';
import { CANARY_PARTITION_PREFIX, dynamoDbCanaryStore } from './dynamodb-canary.js';
import { createReplicatedStoreCanary, type CanaryStore, type ReplicatedStoreCanary } from './replicated-store-canary.js';
import { s3CanaryStore } from './s3-canary.js';

/**
 * RPO canaries beyond SQL, over what AWS replicates between Regions:
 * - `s3-replication`: objects written to the primary bucket, read from the replica bucket;
 * - `dynamodb-global-table`: items written in the primary Region, read in the recovery Region.
 */
const bucket = z.strictObject({ bucket: z.string().min(3), region: z.string().min(1) });
const timing = { interval: durationMs.default(1_000), timeout: durationMs.default(5_000) };

export const s3ReplicationCanarySettings = z.strictObject({
  primary: bucket,
  replica: bucket,
  prefix: z.string().default('firedrill-canary/'),
  ...timing,
});

export const dynamoDbGlobalTableCanarySettings = z.strictObject({
  table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'),
  primary: z.strictObject({ region: z.string().min(1) }),
  replica: z.strictObject({ region: z.string().min(1) }),
  /** The table's key: a string partition key and a number sort key. */
  partitionKey: z.string().min(1).default('pk'),
  sortKey: z.string().min(1).default('sk'),
  ...timing,
});

type TimingSettings = { interval: number; timeout: number };

function replicatedCanary(name: string, s: TimingSettings, primary: () => CanaryStore, openReplica: () => CanaryStore): Canary {
  return lazyCanary<ReplicatedStoreCanary>(name,
    (ctx) => createReplicatedStoreCanary({ name, intervalMs: s.interval, timeoutMs: s.timeout, primary: primary(), openReplica, ...ctx }),
    (canary) => canary.read());
}

/** Writes under the canary's prefix in the primary bucket; lists and reads them back under it in the replica. */
function s3ReplicationCanaryPermissions(written: z.input<typeof s3ReplicationCanarySettings>): Grant[] {
  const s = s3ReplicationCanarySettings.parse(written);
  return [
    { purpose: 'WriteCanaryObjects', actions: ['s3:PutObject'], resources: [s3Arn(s.primary.bucket, `${s.prefix}*`)] },
    { purpose: 'ListCanaryObjectsInReplica', actions: ['s3:ListBucket'], resources: [s3Arn(s.replica.bucket)], condition: { StringLike: { 's3:prefix': `${s.prefix}*` } } },
    { purpose: 'ReadCanaryObjectsInReplica', actions: ['s3:GetObject'], resources: [s3Arn(s.replica.bucket, `${s.prefix}*`)] },
  ];
}

/** Puts items in the primary Region and queries them in the replica's, in the canary's own partitions only. */
function dynamoDbGlobalTableCanaryPermissions(written: z.input<typeof dynamoDbGlobalTableCanarySettings>, scope: PermissionScope): Grant[] {
  const s = dynamoDbGlobalTableCanarySettings.parse(written);
  const table = (region: string) => arnsIn(scope, 'dynamodb', region, `table/${s.table}`);
  const ownPartitions = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CANARY_PARTITION_PREFIX}*`] } };
  return [
    { purpose: 'WriteCanaryItems', actions: ['dynamodb:PutItem'], resources: table(s.primary.region), condition: ownPartitions },
    { purpose: 'QueryCanaryItemsInReplica', actions: ['dynamodb:Query'], resources: table(s.replica.region), condition: ownPartitions },
  ];
}

export const s3ReplicationCanaryKind: AdapterKind<z.input<typeof s3ReplicationCanarySettings>, Canary> = {
  settings: s3ReplicationCanarySettings,
  permissions: s3ReplicationCanaryPermissions,
  create(name, written, env) {
    const s = s3ReplicationCanarySettings.parse(written);
    const store = (where: z.output<typeof bucket>) => () => s3CanaryStore(s3Client(env.awsTarget(where.region)), { ...where, prefix: `${s.prefix}${name}/` });
    return replicatedCanary(name, s, store(s.primary), store(s.replica));
  },
};

export const dynamoDbGlobalTableCanaryKind: AdapterKind<z.input<typeof dynamoDbGlobalTableCanarySettings>, Canary> = {
  settings: dynamoDbGlobalTableCanarySettings,
  permissions: dynamoDbGlobalTableCanaryPermissions,
  create(name, written, env) {
    const s = dynamoDbGlobalTableCanarySettings.parse(written);
    const store = (region: string) => () => dynamoDbCanaryStore(dynamoDbClient(env.awsTarget(region)), { table: s.table, region, partitionKey: s.partitionKey, sortKey: s.sortKey });
    return replicatedCanary(name, s, store(s.primary.region), store(s.replica.region));
  },
};
