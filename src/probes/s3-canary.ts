import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CanaryStore } from './replicated-store-canary.js';

/**
 * A canary store in an S3 bucket: one object per record, `<prefix><runId>/<seq>`, its body the
 * record as JSON. Reading lists the run's keys and takes each record's commit time from its
 * body (a replica keeps the body; not every replication keeps user metadata).
 */
export function s3CanaryStore(client: S3Client, where: { bucket: string; prefix: string; region: string }): CanaryStore {
  const keyOf = (runId: string, seq: number) => `${where.prefix}${runId}/${String(seq).padStart(10, '0')}`;
  return {
    label: `s3://${where.bucket}/${where.prefix} (${where.region})`,
    close: () => client.destroy(),
    async write(record, abortSignal) {
      await client.send(new PutObjectCommand({
        Bucket: where.bucket, Key: keyOf(record.runId, record.seq), Body: JSON.stringify(record), ContentType: 'application/json',
      }), { abortSignal });
    },
    async readPresent(runId, abortSignal) {
      const present = new Map<number, number>();
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: where.bucket, Prefix: `${where.prefix}${runId}/`, ContinuationToken }), { abortSignal });
        for (const object of page.Contents ?? []) {
          const body = await client.send(new GetObjectCommand({ Bucket: where.bucket, Key: object.Key }), { abortSignal });
          const record = JSON.parse(await body.Body!.transformToString()) as { seq: number; committedAtMs: number };
          present.set(record.seq, record.committedAtMs);
        }
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      return present;
    },
  };
}
