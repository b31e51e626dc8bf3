import { GetBucketReplicationCommand, type ReplicationRule } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { isAwsError } from '../aws/aws-errors.js';
import { s3Client, type AwsTarget } from '../aws/clients.js';
import { s3Arn, type Grant } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const s3BucketReplicationSignalSettings = z.strictObject({
  /** The primary bucket, whose replication configuration is read. */
  bucket: z.string().min(3),
  region: z.string().min(1),
  /** The replica bucket (a name, or `arn:aws:s3:::name`) an enabled rule must copy to; any destination when absent. */
  destinationBucket: z.string().min(3).optional(),
  interval: durationMs.default(60_000),
});

export type S3BucketReplicationSignalSettings = z.input<typeof s3BucketReplicationSignalSettings>;

/** GetBucketReplication is authorized as s3:GetReplicationConfiguration. */
export function s3BucketReplicationPermissions(settings: S3BucketReplicationSignalSettings): Grant[] {
  return [{ purpose: 'ReadBucketReplication', actions: ['s3:GetReplicationConfiguration'], resources: [s3Arn(settings.bucket)] }];
}

const bucketNameOf = (bucketOrArn: string) => bucketOrArn.replace(/^arn:aws[\w-]*:s3:::/, '');

/**
 * A steady-state precondition: replication is configured on the primary bucket
 * (GetBucketReplication) with an enabled rule, to `destinationBucket` when named. `configured`,
 * or `not-configured` with the reason in the detail (no replication configuration, every rule
 * disabled, no rule to that bucket). The enabled rules and their destinations are in the detail.
 * It says replication is set up, not that it keeps up: a lag metric (`cloudwatch-metric` on S3
 * `ReplicationLatency`) says that.
 */
export function createS3BucketReplicationSignal(name: string, settings: S3BucketReplicationSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = s3BucketReplicationSignalSettings.parse(settings);
  const client = s3Client(resolveTarget(s.region));
  const wanted = s.destinationBucket ? bucketNameOf(s.destinationBucket) : undefined;
  const bucket = `bucket ${s.bucket} (${s.region})`;
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      let rules: ReplicationRule[];
      try {
        const answer = await client.send(new GetBucketReplicationCommand({ Bucket: s.bucket }), { abortSignal: signal });
        rules = answer.ReplicationConfiguration?.Rules ?? [];
      } catch (error) {
        if (isAwsError(error, 'ReplicationConfigurationNotFoundError')) return { state: 'not-configured', detail: { bucket: s.bucket, reason: `${bucket} has no replication configuration` } };
        throw error;
      }
      const enabled = rules.filter((r) => r.Status === 'Enabled').map((r) => ({ id: r.ID ?? null, destination: bucketNameOf(r.Destination?.Bucket ?? '') }));
      const detail = { bucket: s.bucket, enabledRules: enabled, rules: rules.length };
      if (enabled.length === 0) return { state: 'not-configured', detail: { ...detail, reason: `${bucket} has ${rules.length} replication rule(s), none enabled` } };
      if (wanted && !enabled.some((r) => r.destination === wanted)) {
        return { state: 'not-configured', detail: { ...detail, reason: `no enabled replication rule of ${bucket} copies to ${wanted} (enabled rules copy to ${enabled.map((r) => r.destination).join(', ')})` } };
      }
      return { state: 'configured', detail };
    },
    async close() {
      client.destroy();
    },
  };
}
